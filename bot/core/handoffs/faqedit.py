"""Small edits of ``faq.yaml`` as text: a new phrasing of an entry, or a new entry.

The file is staff's own, with their comments and layout, so it is never re-dumped:
the YAML is composed only to find where things are, and the new lines are inserted
there, indented like their neighbours.  Values are written as double-quoted JSON
strings, which YAML reads back exactly whatever they contain.  The result is
installed like an upload (:meth:`bot.core.files.watched.WatchedFile.edit`), which validates it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime

import yaml

from bot.core.files.ids import ID_RE
from bot.core.files.uploads import UploadLimits
from bot.core.knowledge.model import Knowledge
from bot.core.knowledge.reload import FaqFile, FaqUpdate

NEW_ENTRY_TOPIC = "工作人员解答"
NEW_ENTRY_TAG = "工作人员解答"
ID_PREFIX = "staff_q"


class FaqEditError(Exception):
    """The file cannot be edited this way (its layout is not one this module knows); in Chinese."""


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _root(text: str) -> yaml.MappingNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise FaqEditError(f"问答库文件现在有 YAML 错误，无法自动修改：{error}") from None
    if not isinstance(root, yaml.MappingNode):
        raise FaqEditError("问答库文件的格式不对（最外层不是“键: 值”）。")
    return root


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node if isinstance(value_node, yaml.Node) else None
    return None


def _entries(root: yaml.MappingNode) -> yaml.SequenceNode:
    entries = _value(root, "entries")
    if not isinstance(entries, yaml.SequenceNode) or entries.flow_style or not entries.value:
        raise FaqEditError("问答库文件里没有按行写的 entries 列表，无法自动修改。")
    return entries


def _line_end(text: str, index: int) -> int:
    """The index just after the line holding ``index`` (its newline included)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _last_line_end(text: str, node: yaml.Node) -> int:
    """Where the line after ``node`` begins (a block value's end mark may already be on the next line)."""
    end = node.end_mark.index
    if end > 0 and text[end - 1] == "\n":
        return end
    return _line_end(text, end)


def _indent_of(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    line = text[start:]
    return line[: len(line) - len(line.lstrip(" "))]


def _insert(text: str, at: int, lines: list[str]) -> str:
    before = text[:at]
    if before and not before.endswith("\n"):
        before += "\n"
    return before + "".join(line + "\n" for line in lines) + text[at:]


def add_phrasing(text: str, entry_id: str, question: str) -> str:
    """``text`` with ``question`` as the last of the entry's ``questions``.

    Raises:
        FaqEditError: no such entry, or its questions are not a list.
    """
    for entry in _entries(_root(text)).value:
        id_node = _value(entry, "id") if isinstance(entry, yaml.MappingNode) else None
        if not isinstance(id_node, yaml.ScalarNode) or id_node.value != entry_id:
            continue
        questions = _value(entry, "questions")
        if not isinstance(questions, yaml.SequenceNode) or not questions.value:
            break
        if questions.flow_style:  # questions: [a, b]: add before the closing bracket
            close = text.rfind("]", 0, questions.end_mark.index)
            return text[:close] + ", " + _quoted(question) + text[close:]
        last = questions.value[-1]
        indent = _indent_of(text, last.start_mark.index)
        return _insert(text, _last_line_end(text, last), [f"{indent}- {_quoted(question)}"])
    raise FaqEditError(f"问答库里没有条目“{entry_id}”（或它的 questions 不是列表），无法添加问法。")


def add_entry(text: str, entry_id: str, question: str, answer: str, topic: str = NEW_ENTRY_TOPIC) -> str:
    """``text`` with a new entry after the last one, laid out like it."""
    entries = _entries(_root(text))
    last = entries.value[-1]
    dash = _indent_of(text, last.start_mark.index)
    keys = " " * last.start_mark.column
    lines = [
        f"{dash}- id: {entry_id}",
        f"{keys}topic: {_quoted(topic)}",
        f"{keys}questions:",
        f"{keys}  - {_quoted(question)}",
        f"{keys}answer: {_quoted(answer)}",
        f"{keys}tags: [{_quoted(NEW_ENTRY_TAG)}]",
    ]
    return _insert(text, _last_line_end(text, last), lines)


def propose_id(knowledge: Knowledge, handoff_id: int) -> str:
    """An unused entry id for the answer of a hand-off (``staff_q12``, ``staff_q12_2``, …)."""
    base = f"{ID_PREFIX}{handoff_id}"
    candidate, number = base, 1
    while candidate in knowledge:
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def valid_id(entry_id: str) -> bool:
    return bool(ID_RE.fullmatch(entry_id))


def clean_id(text: str) -> str:
    """What staff typed as an id, without spaces around or a leading ``id:``."""
    return re.sub(r"^id\s*[:：]\s*", "", text.strip(), flags=re.IGNORECASE).strip()


def apply(reloader: FaqFile, edit: Callable[[str], str], limits: UploadLimits, now: datetime) -> FaqUpdate:
    """Edit the live ``faq.yaml`` and install the result exactly as an upload: validated, backed up, reloaded.

    Raises:
        FaqEditError: the edit cannot be made (nothing changed).
        OSError, UnicodeDecodeError: the file cannot be read.
    """
    return reloader.edit(edit, limits, now)
