"""Missed questions: what counts as a miss, grouping of similar phrasings, handled marks, the report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.matcher import Candidate, MatchResult
from bot.core.matching.text import normalize
from bot.core.matching.thresholds import Outcome
from bot.core.storage.connection import Database
from bot.core.usage.journal import FeedbackKind, Journal
from bot.core.usage.missed import (
    Miss,
    MissKind,
    current_outcome,
    format_missed,
    group_misses,
    load_misses,
    mark_handled,
    missed_report,
    write_missed_csv,
)
from bot.core.usage.period import Period
from tests.staff_helpers import ask, make_knowledge, react

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 7, 18, 0, tzinfo=SHANGHAI)
WEEK = Period.last_days(7, NOW)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "faqbot.sqlite3")
    yield database
    database.close()


def miss(text: str, number: int = 0, kind: MissKind = MissKind.DECLINED, entry_id: str | None = None) -> Miss:
    return Miss(number, NOW - timedelta(minutes=number), text, normalize(text), kind, entry_id)


def grouped(texts: list[str]) -> list[list[str]]:
    groups = group_misses(miss(text, number) for number, text in enumerate(texts))
    return [[phrasing.text for phrasing in group.phrasings for _ in range(phrasing.count)] for group in groups]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        pytest.param([], [], id="nothing"),
        pytest.param(["食堂在哪"], [["食堂在哪"]], id="one"),
        pytest.param(
            ["能带家属吗", "可以带家属吗？", "补贴有多少", "能带家属吗"],
            [["能带家属吗", "能带家属吗", "可以带家属吗？"], ["补贴有多少"]],
            id="similar phrasings join the most frequent",
        ),
        pytest.param(
            ["补贴有多少", "补贴标准是多少", "考核不合格怎么办", "考核标准是什么"],
            [["补贴有多少", "补贴标准是多少"], ["考核不合格怎么办"], ["考核标准是什么"]],
            id="shared words alone do not group",
        ),
        pytest.param(
            ["请问工资怎么发？谢谢", "工资怎么发放", "工资怎么发", "工资怎么发"],
            [["工资怎么发"] * 3 + ["工资怎么发放"]],
            id="politeness and punctuation are ignored",
        ),
        pytest.param(
            ["食堂在哪", "住宿怎么安排", "住宿怎么安排", "住宿怎么安排"],
            [["住宿怎么安排"] * 3, ["食堂在哪"]],
            id="most frequent first",
        ),
    ],
)
def test_grouping(texts: list[str], expected: list[list[str]]) -> None:
    assert grouped(texts) == expected


def test_group_keeps_kinds_entries_and_the_newest_text() -> None:
    groups = group_misses(
        [
            miss("能带家属吗", 3),
            miss("能带家属吗？", 1, MissKind.NONE_OF_THESE, "family"),
            miss("可以带家属吗", 2, MissKind.THUMBS_DOWN, "duration"),
        ]
    )
    assert len(groups) == 1
    group = groups[0]
    assert group.text == "能带家属吗？"  # the most common wording of the top phrasing, then the newest
    assert group.count == 3
    assert group.kinds == ((MissKind.DECLINED, 1), (MissKind.NONE_OF_THESE, 1), (MissKind.THUMBS_DOWN, 1))
    assert group.entry_ids == ("family", "duration")
    assert group.key == 3


def test_what_counts_as_missed(db: Database) -> None:
    journal = Journal(db)
    at = NOW - timedelta(days=1)
    ask(journal, "食堂在哪", Outcome.DECLINE, at)
    ask(journal, "你好", Outcome.DECLINE, at)  # a greeting: nothing left to match, not a miss
    answered = ask(journal, "要去多久", Outcome.ANSWER, at, "duration")
    react(journal, FeedbackKind.DOWN, answered, "duration", at)
    react(journal, FeedbackKind.UP, answered, "duration", at)
    suggested = ask(journal, "补贴多少", Outcome.SUGGEST, at, "how_many")
    react(journal, FeedbackKind.NONE_OF_THESE, suggested, "how_many", at)
    ask(journal, "一年派几个人", Outcome.ANSWER, at, "how_many")  # answered and nobody complained
    react(journal, FeedbackKind.DOWN, None, "posts_count", at)  # no question recorded: nothing to group
    ask(journal, "上个月的问题", Outcome.DECLINE, NOW - timedelta(days=20))  # before the period
    misses = load_misses(db, WEEK)
    assert sorted((m.text, m.kind, m.entry_id) for m in misses) == [
        ("补贴多少", MissKind.NONE_OF_THESE, "how_many"),
        ("要去多久", MissKind.THUMBS_DOWN, "duration"),
        ("食堂在哪", MissKind.DECLINED, None),
    ]


def test_period_is_measured_in_the_bot_time_zone(db: Database) -> None:
    journal = Journal(db)
    first_day = WEEK.since  # 2025-03-01 00:00 in Shanghai = 2025-02-28 16:00 UTC
    ask(journal, "刚好在期间开始", Outcome.DECLINE, first_day)
    ask(journal, "早了一秒", Outcome.DECLINE, first_day - timedelta(seconds=1))
    ask(journal, "就在现在", Outcome.DECLINE, NOW)
    assert sorted(m.text for m in load_misses(db, WEEK)) == ["刚好在期间开始", "就在现在"]
    assert WEEK.describe() == "2025-03-01 至 2025-03-07"
    assert first_day.astimezone(UTC) == datetime(2025, 2, 28, 16, tzinfo=UTC)


def test_handled_groups_leave_the_report_until_asked_again(db: Database) -> None:
    journal = Journal(db)
    for hours in (30, 20, 10):
        ask(journal, "能带家属吗", Outcome.DECLINE, NOW - timedelta(hours=hours))
    ask(journal, "可以带家属吗", Outcome.DECLINE, NOW - timedelta(hours=5))
    ask(journal, "食堂在哪", Outcome.DECLINE, NOW - timedelta(hours=5))
    groups = missed_report(db, WEEK)
    assert [(g.text, g.count) for g in groups] == [("能带家属吗", 4), ("食堂在哪", 1)]
    handled = mark_handled(db, WEEK, groups[0].key, by=42, at=NOW - timedelta(hours=2))
    assert handled is not None
    assert handled.count == 4
    assert [g.text for g in missed_report(db, WEEK)] == ["食堂在哪"]
    assert mark_handled(db, WEEK, groups[0].key, by=42, at=NOW) is None  # already handled
    # Asked again after it was handled: the fix did not work, so it is back.
    ask(journal, "可以带家属吗", Outcome.DECLINE, NOW - timedelta(hours=1))
    assert [(g.text, g.count) for g in missed_report(db, WEEK)] == [("可以带家属吗", 1), ("食堂在哪", 1)]
    row = db.connection.execute("SELECT handled_by FROM missed_handled WHERE normalized = ?", ("能带家属",)).fetchone()
    assert row["handled_by"] == 42


def test_report_text() -> None:
    groups = group_misses(
        [
            *(miss("能带家属吗", n) for n in range(3)),
            miss("家属可以一起去吗", 4),
            miss("能带家属吗？", 5, MissKind.NONE_OF_THESE, "duration"),
            miss("可以带家属吗", 6),
            miss("食堂在哪", 7, MissKind.THUMBS_DOWN, "posts_count"),
        ]
    )
    text = format_missed(groups, WEEK, current=lambda question: f"现在：{question}?")
    assert text.splitlines() == [
        "未答问题（2025-03-01 至 2025-03-07）：共 7 次，3 组，次数多的在前。",
        "1. 能带家属吗 ×5（未答 4 · “都不是” 1）",
        "   类似问法：可以带家属吗",
        "   涉及条目：duration",
        "   现在：能带家属吗?",
        "2. 家属可以一起去吗 ×1（未答 1）",
        "   现在：家属可以一起去吗?",
        "3. 食堂在哪 ×1（👎 1）",
        "   涉及条目：posts_count",
        "   现在：食堂在哪?",
    ]


def test_report_text_limits_the_groups_shown() -> None:
    groups = group_misses(miss(text, n) for n, text in enumerate(["食堂在哪", "补贴有多少", "考核标准是什么"]))
    lines = format_missed(groups, WEEK, limit=2).splitlines()
    assert len(lines) == 4
    assert lines[-1].startswith("……另有 1 组")


def test_empty_report_says_so() -> None:
    assert format_missed([], WEEK) == (
        "未答问题（2025-03-01 至 2025-03-07）：没有。所有问题都得到了回答，也没有人点 👎 或“都不是”。"
    )


@pytest.mark.parametrize(
    ("outcome", "candidates", "expected"),
    [
        (Outcome.ANSWER, ("how_many", "duration"), "现在会回答条目 how_many"),
        (
            Outcome.SUGGEST,
            ("duration", "how_many", "posts_count", "history"),
            "现在会给出建议：duration、how_many、posts_count",
        ),
        (Outcome.DECLINE, ("duration",), "现在仍然无法回答"),
        (Outcome.DECLINE, (), "现在仍然无法回答"),
    ],
)
def test_current_outcome(outcome: Outcome, candidates: tuple[str, ...], expected: str) -> None:
    def match(text: str) -> MatchResult:
        found = tuple(Candidate(entry_id, text, 50.0) for entry_id in candidates)
        return MatchResult(text, normalize(text), outcome, found)

    assert current_outcome(match)("能带家属吗") == expected


def test_current_outcome_with_the_real_engine(tmp_path: Path) -> None:
    matcher = Snapshot.load(make_knowledge(tmp_path)).matcher
    describe = current_outcome(matcher.match)
    assert describe("一年派几个人出去") == "现在会回答条目 how_many"  # word for word in the FAQ
    assert describe("食堂在哪") == "现在仍然无法回答"


def test_csv_has_one_row_per_phrasing() -> None:
    groups = group_misses([miss("能带家属吗", 1), miss("能带家属吗", 2), miss("可以带家属吗", 3), miss("食堂在哪", 4)])
    stream = io.StringIO()
    write_missed_csv(groups, stream, WEEK, english=True)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [(r["group"], r["group_count"], r["question"], r["count"]) for r in rows] == [
        ("1", "3", "能带家属吗", "2"),
        ("1", "3", "可以带家属吗", "1"),
        ("2", "1", "食堂在哪", "1"),
    ]
    assert rows[0]["kinds"] == "decline:3"
    assert rows[0]["last_asked"] == "2025-03-07 17:59"


def test_csv_headers_are_chinese_by_default() -> None:
    groups = group_misses([miss("能带家属吗", 1), miss("能带家属吗", 2)])
    stream = io.StringIO()
    write_missed_csv(groups, stream, WEEK)
    (row,) = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert (row["组号"], row["问法"], row["次数"], row["类型"]) == ("1", "能带家属吗", "2", "未答:2")
