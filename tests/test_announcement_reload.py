"""Live reload of announcements.yaml: a bad file is refused and the schedule in force keeps running."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.announcements.holder import ScheduleFile
from bot.core.announcements.occurrences import plan
from bot.core.files.locations import ANNOUNCEMENTS_FILE
from bot.core.files.watched import ReloadStatus

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=TZ)
GOOD = "announcements:\n  - id: meeting\n    text: 开会\n    at: 2026-03-02 09:00\n"
BETTER = GOOD + "  - id: report\n    text: 交小结\n    at: 2026-03-06 17:00\n"
BROKEN = GOOD + "  - id: report\n    text: 交小结\n    at: 2026-03-06\n    repaet: daily\n"


def test_reload_swaps_only_a_valid_changed_file(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD, encoding="utf-8")
    holder = ScheduleFile(path, clock=lambda: NOW)
    first = holder.poll()
    assert first is not None
    assert first.status is ReloadStatus.LOADED
    assert [a.id for a in holder.schedule] == ["meeting"]
    assert holder.poll() is None  # unchanged: nothing to do

    path.write_text(BROKEN, encoding="utf-8")
    refused = holder.poll()
    assert refused is not None
    assert not refused.ok
    assert [(p.line, p.column) for p in refused.problems] == [(7, 9), (8, 5)]
    assert "是不是想写 repeat？" in refused.problems[1].message
    assert [a.id for a in holder.schedule] == ["meeting"]  # the old schedule stays in force
    assert holder.poll() is None  # the same broken content is reported once

    # the old schedule keeps firing
    verdict = plan(holder.schedule, NOW, datetime(2026, 3, 2, 9, 0, 30, tzinfo=TZ), timedelta(hours=1))
    assert [o.announcement.id for o in verdict.to_send] == ["meeting"]

    path.write_text(BETTER, encoding="utf-8")
    fixed = holder.poll()
    assert fixed is not None
    assert fixed.status is ReloadStatus.LOADED
    assert fixed.previous is not None
    assert [a.id for a in fixed.previous] == ["meeting"]
    assert [a.id for a in holder.schedule] == ["meeting", "report"]


def test_a_missing_file_keeps_the_schedule_and_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD, encoding="utf-8")
    holder = ScheduleFile(path, clock=lambda: NOW)
    holder.poll()
    path.unlink()
    gone = holder.poll()
    assert gone is not None
    assert not gone.ok
    assert "找不到通知文件" in gone.problems[0].message
    assert holder.poll() is None
    assert len(holder.schedule) == 1
    path.write_text(GOOD, encoding="utf-8")
    assert holder.poll() is None  # back as it was: the schedule in force, nothing new to report
    assert holder.reload().status is ReloadStatus.UNCHANGED
    assert len(holder.schedule) == 1


def test_warnings_come_with_an_accepted_file(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD.replace("2026-03-02", "2026-02-02"), encoding="utf-8")
    holder = ScheduleFile(path, clock=lambda: NOW)
    result = holder.poll()
    assert result is not None
    assert result.status is ReloadStatus.LOADED
    assert [p.warning for p in result.problems] == [True]


def test_force_reload_reports_again(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(BROKEN, encoding="utf-8")
    holder = ScheduleFile(path, clock=lambda: NOW)
    assert holder.poll() is not None
    assert holder.poll() is None
    again = holder.reload()
    assert again is not None
    assert not again.ok
