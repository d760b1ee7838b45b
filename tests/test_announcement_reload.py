"""Live reload of announcements.yaml: a bad file is refused and the schedule in force keeps running."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.announcements.holder import ScheduleHolder
from bot.core.announcements.occurrences import plan
from bot.core.announcements.schedule_file import ANNOUNCEMENTS_FILE

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=TZ)
GOOD = "announcements:\n  - id: meeting\n    text: 开会\n    at: 2026-03-02 09:00\n"
BETTER = GOOD + "  - id: report\n    text: 交小结\n    at: 2026-03-06 17:00\n"
BROKEN = GOOD + "  - id: report\n    text: 交小结\n    at: 2026-03-06\n    repaet: daily\n"


def test_reload_swaps_only_a_valid_changed_file(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD, encoding="utf-8")
    holder = ScheduleHolder(path)
    first = holder.reload(now=NOW)
    assert first is not None
    assert first.accepted
    assert [a.id for a in holder.schedule] == ["meeting"]
    assert holder.reload(now=NOW) is None  # unchanged: nothing to do

    path.write_text(BROKEN, encoding="utf-8")
    refused = holder.reload(now=NOW)
    assert refused is not None
    assert not refused.accepted
    assert [(p.line, p.column) for p in refused.problems] == [(7, 9), (8, 5)]
    assert "是不是想写 repeat？" in refused.problems[1].message
    assert [a.id for a in holder.schedule] == ["meeting"]  # the old schedule stays in force
    assert holder.reload(now=NOW) is None  # the same broken content is reported once

    # the old schedule keeps firing
    verdict = plan(holder.schedule, NOW, datetime(2026, 3, 2, 9, 0, 30, tzinfo=TZ), timedelta(hours=1))
    assert [o.announcement.id for o in verdict.to_send] == ["meeting"]

    path.write_text(BETTER, encoding="utf-8")
    fixed = holder.reload(now=NOW)
    assert fixed is not None
    assert fixed.accepted
    assert fixed.previous is not None
    assert [a.id for a in fixed.previous] == ["meeting"]
    assert [a.id for a in holder.schedule] == ["meeting", "report"]


def test_a_missing_file_keeps_the_schedule_and_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD, encoding="utf-8")
    holder = ScheduleHolder(path)
    holder.reload(now=NOW)
    path.unlink()
    gone = holder.reload(now=NOW)
    assert gone is not None
    assert not gone.accepted
    assert "找不到通知文件" in gone.problems[0].message
    assert holder.reload(now=NOW) is None
    assert len(holder.schedule) == 1
    path.write_text(GOOD, encoding="utf-8")
    back = holder.reload(now=NOW)
    assert back is not None
    assert back.accepted


def test_warnings_come_with_an_accepted_file(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD.replace("2026-03-02", "2026-02-02"), encoding="utf-8")
    holder = ScheduleHolder(path)
    result = holder.reload(now=NOW)
    assert result is not None
    assert result.accepted
    assert [p.warning for p in result.problems] == [True]


def test_force_reload_reports_again(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(BROKEN, encoding="utf-8")
    holder = ScheduleHolder(path)
    assert holder.reload(now=NOW) is not None
    assert holder.reload(now=NOW) is None
    again = holder.reload(now=NOW, force=True)
    assert again is not None
    assert not again.accepted
