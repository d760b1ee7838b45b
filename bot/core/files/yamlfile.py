"""Read a staff-edited YAML file, keeping the line of every value for error messages.

PyYAML's own errors name parser states ("expected ',' or ']', but got '?'").  This
module turns them into sentences a non-programmer can act on, and hands the
validators mappings and lists that remember where each value was written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.core.files.problems import InvalidFileError, Mark, Problem, display_path, quote_lines

MAX_FILE_BYTES = 1_000_000


class LineDict(dict[str, Any]):
    """A mapping that remembers where it and each of its keys were written."""

    mark: Mark
    key_marks: dict[str, Mark]
    value_marks: dict[str, Mark]


class LineList(list[Any]):
    """A list that remembers where it and each of its items were written."""

    mark: Mark
    item_marks: list[Mark]


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry source positions."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.mark = _mark(node)
    result.key_marks, result.value_marks = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key) if not isinstance(key, str) else key
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_marks[key] = _mark(key_node)
        result.value_marks[key] = _mark(value_node)
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.mark = _mark(node)
    result.item_marks = [_mark(child) for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# PyYAML problem texts and what they mean for a person editing the file, first match wins.
_EXPLANATIONS = (
    (
        "but got '?'",
        '方括号 [...] 里的问题含有英文问号 ?，YAML 会误解它。请给这个问题加上双引号（例如 "多久?"），或改用中文问号 ？',
    ),
    ("found character '\\t'", "这里用了 Tab 键缩进。YAML 只认空格：请把 Tab 换成空格。"),
    (
        "mapping values are not allowed",
        "这一行多了一个“冒号+空格”（: ），YAML 把它当成了新的键。如果冒号是文字的一部分，请给整句加上双引号，或改用中文冒号 ：",
    ),
    (
        "could not find expected ':'",
        "这里缺少冒号“:”，或者上一行的缩进不对。每个键都要写成“键: 值”，并与同级的键对齐。",
    ),
    ("expected <block end>", "缩进没有对齐：同一层的键和列表项（- ）要从同一列开始。请检查这一行和上一行的空格数。"),
    (
        "did not find expected key",
        "缩进没有对齐：同一层的键和列表项（- ）要从同一列开始。请检查这一行和上一行的空格数。",
    ),
    ("did not find expected '-' indicator", "列表没有对齐：同一个列表的每一项都要以“- ”开头，并从同一列开始。"),
    ("found unexpected end", '引号或括号没有闭合：请检查这一处开始的引号 " 或括号 [ { 是否成对。'),
    (
        "expected ',' or ']'",
        "方括号 [...] 列表写法有误：各项之间用英文逗号分隔，最后用 ] 结束；含有特殊符号的项请加双引号。",
    ),
    (
        "expected ',' or '}'",
        "花括号 {...} 写法有误：各项之间用英文逗号分隔，最后用 } 结束；含有特殊符号的值请加双引号。",
    ),
    ("found undefined alias", "以 * 开头的文字在 YAML 里有特殊含义：请给这段文字加上双引号。"),
    ("found character '@'", "以 @ 或 ` 开头的文字在 YAML 里不允许：请给这段文字加上双引号。"),
    ("found character '`'", "以 @ 或 ` 开头的文字在 YAML 里不允许：请给这段文字加上双引号。"),
    ("found duplicate anchor", "以 & 开头的文字在 YAML 里有特殊含义：请给这段文字加上双引号。"),
)


def _friendly_yaml_message(error: yaml.MarkedYAMLError, lines: list[str]) -> str:
    """Explain a YAML syntax error in plain words."""
    problem = error.problem or ""
    mark = error.problem_mark
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if mark is not None and "\t" in line[: mark.column + 1]:
        return "这里用了 Tab 键缩进。YAML 只认空格：请把 Tab 换成空格。"
    for needle, explanation in _EXPLANATIONS:
        if needle in problem:
            return explanation
    return f"YAML 格式错误（{problem}）。请检查这一行的缩进、冒号和引号。"


# A key written with a full-width colon: "answer：…" or "- id：…" at the start of a line.
_FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*：")
COLON_LOOKBACK = 3  # PyYAML notices a missing colon up to a few lines after it


def full_width_colon_message(key: str) -> str:
    return f"“{key}：”用了中文冒号“：”。键后面要用英文冒号加空格，写成“{key}: ”（冒号后面的文字里可以用中文冒号）。"


def full_width_key(value: Any) -> str | None:
    """The key of a text that was meant as "key: value" but written with a full-width colon."""
    match = _FULL_WIDTH_KEY.match(value) if isinstance(value, str) else None
    return match.group(2) if match else None


def _full_width_colon(lines: list[str], error_line: int) -> tuple[int, int] | None:
    """The (line, column) of a key written with a full-width colon at or just before ``error_line``."""
    for number in range(min(error_line, len(lines)), max(error_line - COLON_LOOKBACK, 0), -1):
        match = _FULL_WIDTH_KEY.match(lines[number - 1])
        if match:
            return number, len(match.group(1)) + 1
    return None


def read_yaml(path: Path) -> Any:
    """Parse ``path`` into plain data whose mappings and lists remember their lines.

    Raises:
        InvalidFileError: the file is missing, too large, not UTF-8 text or not valid YAML.
    """
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidFileError([Problem(shown, 1, 1, "找不到这个文件。请检查路径是否正确。")]) from None
    except OSError as error:
        raise InvalidFileError([Problem(shown, 1, 1, f"无法读取这个文件（{error.strerror}）。")]) from None
    return parse_yaml(raw, shown)


def parse_yaml(raw: bytes, shown: str) -> Any:
    """Parse YAML bytes; ``shown`` is the file name used in problems."""
    if len(raw) > MAX_FILE_BYTES:
        message = f"文件太大（{len(raw) // 1024} KB，上限 {MAX_FILE_BYTES // 1024} KB）。"
        raise InvalidFileError([Problem(shown, 1, 1, message)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        message = (
            "文件不是 UTF-8 编码的文本（可能是用 GBK 保存的，或者根本不是文本文件）。"
            "请用记事本或 WPS“另存为”UTF-8 编码后再试。"
        )
        raise InvalidFileError([Problem(shown, line, column, message)]) from None
    if "\x00" in text:
        raise InvalidFileError([Problem(shown, 1, 1, "这不是文本文件（含有二进制内容）。请上传 .yaml 文本文件。")])
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and "quoted scalar" in (error.context or ""):
            mark = error.context_mark  # an unclosed quote: point at where it opens, not at the end of the file
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        lines = text.splitlines()
        if colon := _full_width_colon(lines, line):
            line, column = colon
            message = full_width_colon_message(lines[line - 1][column - 1 :].split("：", 1)[0])
        else:
            message = _friendly_yaml_message(error, lines)
        raise InvalidFileError(quote_lines([Problem(shown, line, column, message)], text, shown)) from None
    except yaml.YAMLError as error:
        raise InvalidFileError([Problem(shown, 1, 1, f"YAML 格式错误：{error}")]) from None
    except RecursionError:  # e.g. entries: [[[[…]]]] thousands deep
        line = _deepest_line(text)
        message = "括号或缩进嵌套的层次太多，文件无法读取。请检查这一行附近是否多写了 [ 或 {。"
        raise InvalidFileError([Problem(shown, line, 1, message)]) from None


def _deepest_line(text: str) -> int:
    """The line where bracket nesting is deepest (where a runaway [[[[ … is)."""
    depth = deepest = 0
    line = found = 1
    for character in text:
        if character == "\n":
            line += 1
        elif character in "[{":
            depth += 1
            if depth > deepest:
                deepest, found = depth, line
        elif character in "]}":
            depth -= 1
    return found
