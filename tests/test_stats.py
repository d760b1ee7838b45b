"""Usage statistics, the knowledge update record and the optional chart."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.files.problems import Problem
from bot.core.files.watched import Changes, ReloadStatus
from bot.core.knowledge.reload import FaqUpdate
from bot.core.matching.thresholds import Outcome
from bot.core.storage.connection import Database
from bot.core.usage.charts import charts_available, questions_per_day_png
from bot.core.usage.journal import FeedbackKind, Journal, record_knowledge_update
from bot.core.usage.period import Period
from bot.core.usage.stats import Stats, collect_stats, format_stats
from tests.staff_helpers import ask, react

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 7, 18, 0, tzinfo=SHANGHAI)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "faqbot.sqlite3")
    yield database
    database.close()


def fill(db: Database) -> None:
    journal = Journal(db)
    day = timedelta(days=1)
    for _ in range(3):
        answered = ask(journal, "要去多久", Outcome.ANSWER, NOW - day, "duration")
    react(journal, FeedbackKind.UP, answered, "duration", NOW - day)
    react(journal, FeedbackKind.DOWN, answered, "duration", NOW - day)
    ask(journal, "一年派几个人", Outcome.ANSWER, NOW, "how_many")
    suggested = ask(journal, "补贴多少", Outcome.SUGGEST, NOW, "how_many")
    react(journal, FeedbackKind.NONE_OF_THESE, suggested, "how_many", NOW)
    ask(journal, "食堂在哪", Outcome.DECLINE, NOW - 3 * day)
    ask(journal, "你好", Outcome.DECLINE, NOW)  # greeting
    # 00:30 on 2025-03-04 in Shanghai is 16:30 on 2025-03-03 in UTC: counted on the local day.
    ask(journal, "这算哪一天", Outcome.DECLINE, datetime(2025, 3, 4, 0, 30, tzinfo=SHANGHAI))
    ask(journal, "太早了", Outcome.ANSWER, NOW - 10 * day, "duration")  # outside the period


@pytest.mark.parametrize(
    ("days", "first"),
    [(1, date(2025, 3, 7)), (7, date(2025, 3, 1)), (30, date(2025, 2, 6)), (0, date(2025, 3, 7))],
)
def test_last_days(days: int, first: date) -> None:
    period = Period.last_days(days, NOW)
    assert period.since == datetime.combine(first, datetime.min.time(), SHANGHAI)
    assert period.days()[0] == first
    assert period.days()[-1] == date(2025, 3, 7)


def test_stats(db: Database) -> None:
    fill(db)
    stats = collect_stats(db, Period.last_days(7, NOW))
    assert (stats.asked, stats.answered, stats.suggested, stats.declined, stats.greetings) == (7, 4, 1, 2, 1)
    assert stats.top_entries == (("duration", 3), ("how_many", 1))
    assert (stats.thumbs_up, stats.thumbs_down, stats.none_of_these) == (1, 1, 1)
    assert dict(stats.per_day) == {
        date(2025, 3, 1): 0,
        date(2025, 3, 2): 0,
        date(2025, 3, 3): 0,
        date(2025, 3, 4): 2,  # "这算哪一天" (local date) and "食堂在哪"
        date(2025, 3, 5): 0,
        date(2025, 3, 6): 3,
        date(2025, 3, 7): 2,
    }


def test_stats_text(db: Database) -> None:
    fill(db)
    record_knowledge_update(db, "upload", FaqUpdate(ReloadStatus.LOADED, changes=Changes(added=("x",))), at=NOW)
    text = format_stats(collect_stats(db, Period.last_days(3, NOW)), {"duration": "要去多长时间"})
    assert text.splitlines() == [
        "使用统计（2025-03-05 至 2025-03-07）",
        "提问 5 次（另有问候或空消息 1 条）",
        "  直接回答 4（80%）",
        "  给出建议 1（20%）",
        "  无法回答 0（0%）",
        "最常回答的条目：",
        "  1. duration 要去多长时间 ×3",
        "  2. how_many ×1",
        "反馈：👍 1 · 👎 1 · “都不是” 1",
        "每天提问：（另有 1 天没有提问）",
        "  03-06 ▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇ 3",
        "  03-07 ▇▇▇▇▇▇▇▇▇▇▇▇▇ 2",
        "问答库更新：1 次",
    ]


def test_empty_period(db: Database) -> None:
    stats = collect_stats(db, Period.last_days(2, NOW))
    assert stats.asked == 0
    assert stats.share(stats.answered) == 0.0
    assert "提问 0 次" in format_stats(stats)


def test_knowledge_updates_are_recorded(db: Database) -> None:
    invalid = FaqUpdate(ReloadStatus.INVALID, problems=(Problem("faq.yaml", 3, 1, "坏了"),), digest="abc")
    loaded = FaqUpdate(ReloadStatus.LOADED, changes=Changes(added=("a",), changed=("b", "c")), digest="def")
    record_knowledge_update(db, "watch", invalid, at=NOW)
    record_knowledge_update(db, "upload", loaded, user_id=7, at=NOW)
    record_knowledge_update(db, "reload", FaqUpdate(ReloadStatus.UNCHANGED), at=NOW)  # not a new version
    rows = db.connection.execute(
        "SELECT source, status, digest, added, removed, changed, problems, user_id FROM knowledge_updates ORDER BY id"
    ).fetchall()
    assert [tuple(row) for row in rows] == [
        ("watch", "invalid", "abc", 0, 0, 0, 1, None),
        ("upload", "loaded", "def", 1, 0, 2, 0, 7),
    ]
    stats = collect_stats(db, Period.last_days(1, NOW))
    assert (stats.updates_loaded, stats.updates_refused) == (1, 1)
    assert format_stats(stats).splitlines()[-1] == "问答库更新：1 次（另有 1 次因错误被拒绝）"


def test_chart_is_a_png(db: Database) -> None:
    pytest.importorskip("matplotlib")
    fill(db)
    png = questions_per_day_png(collect_stats(db, Period.last_days(30, NOW)))
    assert png is not None
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_no_chart_without_matplotlib(monkeypatch: pytest.MonkeyPatch, db: Database) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert not charts_available()
    stats: Stats = collect_stats(db, Period.last_days(7, NOW))
    assert questions_per_day_png(stats) is None
    assert format_stats(stats)  # the text report does not need it


def test_a_long_period_is_shown_week_by_week_without_empty_lines(db: Database) -> None:
    fill(db)
    lines = format_stats(collect_stats(db, Period.last_days(30, NOW))).splitlines()
    start = lines.index("每周提问：（另有 3 周没有提问）")
    assert lines[start + 1 :] == ["  02-24 起 ▇▇▇ 1", "  03-03 起 ▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇▇ 7"]
    assert not [line for line in lines if line.endswith(" 0")]


def test_a_period_without_questions_says_so(db: Database) -> None:
    lines = format_stats(collect_stats(db, Period.last_days(30, NOW))).splitlines()
    assert "每周提问：这段时间没有提问。" in lines
    assert len(lines) < 10
