"""Loading and validating the FAQ: every bad-file case gives a located, actionable message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.core.files.problems import InvalidFileError
from bot.core.knowledge.faq_file import check_faq, load_knowledge
from bot.paths import PROJECT_ROOT

ARTICLE = (PROJECT_ROOT / "knowledge" / "article.md").read_text(encoding="utf-8")

VALID_ENTRY = """\
  - id: duration
    questions:
      - 要去多长时间
      - 学习锻炼几天
    answer: 100天左右。
    passage: p2
"""


def write_faq(folder: Path, body: str, *, article: bool = True) -> Path:
    (folder / "faq.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    if article:
        (folder / "article.md").write_text(ARTICLE, encoding="utf-8")
    return folder / "faq.yaml"


def test_shipped_faq_is_valid() -> None:
    knowledge, problems = check_faq(PROJECT_ROOT / "knowledge")
    assert knowledge is not None, "\n".join(map(str, problems))
    assert not [p for p in problems if not p.warning]
    assert len(knowledge) >= 30
    assert all(len(entry.questions) >= 5 for entry in knowledge)


def test_shipped_faq_passages_come_from_the_article() -> None:
    knowledge = load_knowledge(PROJECT_ROOT / "knowledge")
    covered = [entry for entry in knowledge if not entry.id.startswith("nc_")]
    assert all(entry.passage is not None for entry in covered)
    for entry in knowledge:
        if entry.passage is not None:
            assert entry.passage.quote.replace(" ", "") in ARTICLE.replace(" ", "") or entry.passage.quote in ARTICLE


def test_not_covered_entries_point_to_the_contact() -> None:
    knowledge = load_knowledge(PROJECT_ROOT / "knowledge")
    uncovered = [entry for entry in knowledge if entry.id.startswith("nc_")]
    assert len(uncovered) >= 5
    assert all("{contact}" in entry.answer for entry in uncovered)


def test_valid_file_loads_into_frozen_entries(tmp_path: Path) -> None:
    path = write_faq(tmp_path, "synonyms:\n  - [多久, 多长时间]\nentries:\n" + VALID_ENTRY)
    knowledge = load_knowledge(path)
    entry = knowledge["duration"]
    assert entry.questions == ("要去多长时间", "学习锻炼几天")
    assert entry.passage is not None and entry.passage.paragraph.id == "p2"
    assert knowledge.synonyms == (("多久", "多长时间"),)
    with pytest.raises(AttributeError):
        entry.answer = "x"  # type: ignore[misc]


def test_folder_and_file_paths_are_equivalent(tmp_path: Path) -> None:
    path = write_faq(tmp_path, "entries:\n" + VALID_ENTRY)
    assert load_knowledge(tmp_path).digest == load_knowledge(path).digest


def test_file_without_article_may_have_entries_without_passages(tmp_path: Path) -> None:
    path = write_faq(tmp_path, "entries:\n  - id: a\n    questions: [甲]\n    answer: 乙\n", article=False)
    assert load_knowledge(path)["a"].passage is None


# (case, file body, expected line, words the message must contain)
BAD_FILES = [
    ("tab indentation", "entries:\n  - id: a\n\tquestions: [x]\n", 3, ["Tab"]),
    (
        "unquoted ? in a list",
        "entries:\n  - id: a\n    questions: [多久?, 几天]\n    answer: b\n",
        3,
        ["问号", "双引号"],
    ),
    ("colon inside text", "entries:\n  - id: a\n    questions:\n      - 时间: 多久\n    answer: b: c\n", 5, ["冒号"]),
    ("missing id", "entries:\n  - questions: [多久]\n    answer: b\n", 2, ["缺少 id"]),
    (
        "duplicate id",
        "entries:\n  - id: a\n    questions: [多久]\n    answer: b\n  - id: a\n    questions: [几天]\n    answer: c\n",
        5,
        ["重复", "第 2 行"],
    ),
    ("id with Chinese", "entries:\n  - id: 时长\n    questions: [多久]\n    answer: b\n", 2, ["字母", "40"]),
    ("id too long", f"entries:\n  - id: {'a' * 41}\n    questions: [多久]\n    answer: b\n", 2, ["40"]),
    ("id with space", "entries:\n  - id: how long\n    questions: [多久]\n    answer: b\n", 2, ["字母"]),
    ("missing questions", "entries:\n  - id: a\n    answer: b\n", 2, ["缺少 questions"]),
    ("empty questions", "entries:\n  - id: a\n    questions: []\n    answer: b\n", 3, ["questions", "空"]),
    ("empty question", "entries:\n  - id: a\n    questions:\n      -\n    answer: b\n", 4, ["空"]),
    ("missing answer", "entries:\n  - id: a\n    questions: [多久]\n", 2, ["缺少 answer"]),
    ("empty answer", "entries:\n  - id: a\n    questions: [多久]\n    answer:\n", 4, ["answer", "空"]),
    ("answer is a list", "entries:\n  - id: a\n    questions: [多久]\n    answer: [b, c]\n", 4, ["文字", "列表"]),
    ("questions is text", "entries:\n  - id: a\n    questions: 多久\n    answer: b\n", 3, ["列表"]),
    ("unknown key typo", "entries:\n  - id: a\n    qustions: [多久]\n    answer: b\n", 3, ["qustions", "questions"]),
    ("unknown top-level key", "entrys:\n  - id: a\n", 1, ["entrys", "entries"]),
    (
        "passage not in article",
        "entries:\n  - id: a\n    questions: [多久]\n    answer: b\n    passage: 每年派一千人\n",
        5,
        ["passage", "找不到"],
    ),
    (
        "unknown paragraph id",
        "entries:\n  - id: a\n    questions: [多久]\n    answer: b\n    passage: p99\n",
        5,
        ["找不到"],
    ),
    (
        "same question under two ids",
        "entries:\n  - id: a\n    questions: [要去多久]\n    answer: b\n  - id: b\n    questions: [要去多久]\n    answer: c\n",
        6,
        ["要去多久", "“a”", "“b”"],
    ),
    (
        "unknown related id",
        "entries:\n  - id: a\n    questions: [多久]\n    answer: b\n    related: [zz]\n",
        2,
        ["zz", "不存在"],
    ),
    (
        "unknown placeholder",
        "entries:\n  - id: a\n    questions: [多久]\n    answer: 请问{phone}\n",
        4,
        ["{phone}", "{contact}"],
    ),
    ("single-character synonym", "synonyms:\n  - [天, 日]\nentries:\n" + VALID_ENTRY, 2, ["单个字"]),
    (
        "word in two synonym groups",
        "synonyms:\n  - [多久, 几天]\n  - [几天, 多少天]\nentries:\n" + VALID_ENTRY,
        3,
        ["几天", "一组"],
    ),
    ("no entries", "synonyms: []\n", 1, ["entries"]),
    ("empty file", "", 1, ["entries"]),
    ("top level is a list", "- id: a\n", 1, ["entries"]),
    ("unclosed quote", 'entries:\n  - id: a\n    questions: ["多久]\n    answer: b\n', 3, ["引号"]),
]


@pytest.mark.parametrize(("body", "line", "words"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_refused_with_a_located_message(tmp_path: Path, body: str, line: int, words: list[str]) -> None:
    write_faq(tmp_path, body)
    knowledge, problems = check_faq(tmp_path / "faq.yaml")
    assert knowledge is None
    errors = [p for p in problems if not p.warning]
    assert errors, problems
    text = "\n".join(map(str, errors))
    assert any(p.line == line for p in errors), text
    for word in words:
        assert word in text
    assert all(str(p).startswith(f"faq.yaml:{p.line}:{p.column}: ") or ":" in str(p) for p in errors)
    with pytest.raises(InvalidFileError):
        load_knowledge(tmp_path / "faq.yaml")


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    body = "entries:\n  - id: a\n    questions: []\n  - id: b c\n    qustions: [x]\n    answer: y\n"
    write_faq(tmp_path, body)
    _, problems = check_faq(tmp_path / "faq.yaml")
    assert {p.line for p in problems} >= {2, 3, 4, 5}


def test_not_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_bytes("entries:\n  - id: a\n    questions: [要去多久]\n".encode("gbk"))
    _, problems = check_faq(tmp_path / "faq.yaml")
    assert len(problems) == 1
    assert problems[0].line == 3
    assert "UTF-8" in problems[0].message


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    _, problems = check_faq(tmp_path / "faq.yaml")
    assert "UTF-8" in problems[0].message or "文本" in problems[0].message


def test_missing_file(tmp_path: Path) -> None:
    _, problems = check_faq(tmp_path / "nope.yaml")
    assert "找不到" in problems[0].message


def test_questions_differing_only_by_punctuation_are_a_warning(tmp_path: Path) -> None:
    body = "entries:\n  - id: a\n    questions: [要去多久]\n    answer: b\n  - id: b\n    questions: [要去多久？]\n    answer: c\n"
    write_faq(tmp_path, body)
    knowledge, problems = check_faq(tmp_path / "faq.yaml")
    assert knowledge is not None
    assert [p.warning for p in problems] == [True]
    assert "提醒" in str(problems[0])


def test_numbers_are_accepted_as_text(tmp_path: Path) -> None:
    write_faq(tmp_path, "entries:\n  - id: a\n    questions: [100, 一百天]\n    answer: 100\n")
    entry = load_knowledge(tmp_path)["a"]
    assert entry.questions == ("100", "一百天")
    assert entry.answer == "100"


@pytest.mark.parametrize(
    "body",
    [
        "entries: " + "[" * 3000 + "]" * 3000,
        "entries:\n  - id: x\n    questions: " + "[" * 400 + "]" * 400,
        "entries: " + "{a: " * 2000 + "1" + "}" * 2000,
    ],
    ids=["entries", "questions", "mappings"],
)
def test_absurdly_deep_nesting_is_a_clear_error(tmp_path: Path, body: str) -> None:
    (tmp_path / "faq.yaml").write_text(body + "\n", encoding="utf-8")
    knowledge, problems = check_faq(tmp_path / "faq.yaml")
    assert knowledge is None
    (problem,) = problems
    assert "嵌套的层次太多" in problem.message
