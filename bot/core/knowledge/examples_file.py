"""``examples.yaml``: questions cadres asked, each under the entry that answers it.

``faqbot calibrate --write`` writes the file beside the FAQ from the tuning part of the labelled
questions: those the FAQ's own phrasings do not answer right (see
:mod:`bot.core.matching.examples`).  The matcher reads each example as one more phrasing of its
entry, and never shows one to a user.  The file is regenerated, not edited; an entry that has
since been deleted or renamed only loses its examples, with a warning.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.core.files.problems import InvalidFileError, Problem, ProblemCollector, display_path, quote_lines
from bot.core.files.yamlfile import LineDict, LineList, read_yaml

Examples = Mapping[str, tuple[str, ...]]

HEADER = """\
# Questions cadres asked that the FAQ's own phrasings did not answer right, under the entry that answers them.
# Written by `faqbot calibrate --write` from {source} — regenerate rather than edit.
# The bot matches them like phrasings and never shows them. Delete this file to match the phrasings alone.
"""


def load_examples(path: Path, entry_ids: Collection[str]) -> tuple[dict[str, tuple[str, ...]], list[Problem]]:
    """Read ``examples.yaml``: ({entry id: examples}, problems); ({}, []) when there is none.

    A malformed file is an error (nothing of it is used); examples under an id the FAQ no longer
    has are a warning and are left out.
    """
    if not path.is_file():
        return {}, []
    try:
        data: Any = read_yaml(path)
    except InvalidFileError as error:
        return {}, error.problems
    shown = display_path(path)
    checker = ProblemCollector(shown)
    examples: dict[str, tuple[str, ...]] = {}
    if data is None:
        data = LineDict()
    if not isinstance(data, LineDict):
        checker.add(None, "例句文件应该是“条目 id: 例句列表”的形式。请重新运行 faqbot calibrate --write 生成它。")
    else:
        for entry_id, value in data.items():
            mark = data.key_marks[entry_id]
            if not isinstance(value, LineList) or not all(isinstance(item, str) and item.strip() for item in value):
                checker.add(data.value_marks[entry_id], f"条目“{entry_id}”下面应该是例句列表，每句一行，以“- ”开头。")
            elif entry_id not in entry_ids:
                checker.add(
                    mark,
                    f"常见问题里已经没有条目“{entry_id}”（删掉或改名了），它的 {len(value)} 条例句不再使用；"
                    "重新运行 faqbot calibrate --write 会更新这个文件。",
                    warning=True,
                )
            else:
                examples[entry_id] = tuple(item.strip() for item in value)
    problems = quote_lines(checker.problems, path.read_text(encoding="utf-8-sig", errors="replace"), shown)
    if checker.errors:
        return {}, problems
    return examples, problems


def render_examples(examples: Mapping[str, Sequence[str]], source: str) -> str:
    """The text of ``examples.yaml``: the header, then each entry's examples in FAQ order."""
    lines = [HEADER.format(source=source)]
    for entry_id, texts in examples.items():
        if texts:
            lines.append(f"{entry_id}:\n" + "".join(f"  - {_quoted(text)}\n" for text in texts))
    return "".join(lines)


def write_examples(path: Path, examples: Mapping[str, Sequence[str]], source: str) -> None:
    """Write ``examples.yaml`` whole (a temporary file renamed over it)."""
    temporary = path.with_suffix(".yaml.tmp")
    temporary.write_text(render_examples(examples, source), encoding="utf-8")
    temporary.replace(path)


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (any question reads back unchanged)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
