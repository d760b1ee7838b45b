"""Installing a schedule sent by staff, and telling the two staff files apart."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.announcements import texts as schedule_texts
from bot.core.announcements.holder import BACKUP_PREFIX, ScheduleFile
from bot.core.announcements.texts import format_schedule_upload
from bot.core.files.history import backups
from bot.core.files.locations import ANNOUNCEMENTS_FILE
from bot.core.files.uploads import UploadKind, UploadLimits, upload_kind
from bot.core.files.watched import Changes, ReloadStatus
from bot.core.knowledge.reload import BACKUP_PREFIX as FAQ_BACKUP_PREFIX
from tests.staff_helpers import BASE_FAQ

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=TZ)
GOOD = "announcements:\n  - id: meeting\n    text: 开会\n    at: 2026-03-02 09:00\n"
BETTER = (
    "announcements:\n  - id: meeting\n    text: 开会改到下午\n    at: 2026-03-02 15:00\n"
    "  - id: report\n    text: 交小结\n    at: 2026-03-06 17:00\n    repeat: weekly\n    days: [fri]\n"
)
BROKEN = GOOD + "  - id: report\n    text: 交小结\n    at: 2026-03-06\n"


def live(tmp_path: Path) -> ScheduleFile:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD, encoding="utf-8")
    holder = ScheduleFile(path, timezone="Asia/Shanghai", clock=lambda: NOW)
    holder.poll()
    return holder


@pytest.mark.parametrize(
    ("raw", "name", "kind"),
    [
        pytest.param(GOOD.encode(), "faq.yaml", UploadKind.SCHEDULE, id="schedule content, any name"),
        pytest.param(BASE_FAQ.yaml().encode(), "announcements.yaml", UploadKind.FAQ, id="faq content, any name"),
        pytest.param(b"announcements: [\n", "announcements (1).yaml", UploadKind.SCHEDULE, id="broken, by name"),
        pytest.param(b"entries: [\n", "faq.yaml", UploadKind.FAQ, id="broken faq"),
        pytest.param(b"x: 1\n", None, UploadKind.FAQ, id="unknown: checked as the faq"),
    ],
)
def test_upload_kind_is_told_by_content_then_name(raw: bytes, name: str | None, kind: UploadKind) -> None:
    assert upload_kind(raw, name) is kind


def test_a_valid_schedule_is_backed_up_installed_and_in_force(tmp_path: Path) -> None:
    holder = live(tmp_path)

    result = holder.install(BETTER.encode(), "announcements.yaml", UploadLimits(), NOW)

    assert result.status is ReloadStatus.LOADED
    assert result.changes == Changes(added=("report",), changed=("meeting",))
    assert holder.path.read_text(encoding="utf-8") == BETTER
    assert [a.id for a in holder.schedule] == ["meeting", "report"]
    assert holder.poll() is None  # the watcher sees nothing new to report
    (saved,) = backups(tmp_path / "history", BACKUP_PREFIX)
    assert saved.read_text(encoding="utf-8") == GOOD
    assert backups(tmp_path / "history", FAQ_BACKUP_PREFIX) == []  # FAQ backups are counted apart
    lines = format_schedule_upload(result, TZ, NOW).splitlines()
    assert lines[:4] == [
        "通知安排已更新，现在共有 2 条定时通知。",
        "新增 1 条：report",
        "修改 1 条：meeting",
        schedule_texts.COMING,
    ]
    assert lines[4] == "· 2026-03-02 15:00  “meeting” → 所有群组"
    assert lines[5] == "· 2026-03-06 17:00  “report” → 所有群组"
    assert lines[-1].startswith("原来的文件已备份为 history/announcements-20260301-120000")


def test_an_invalid_schedule_changes_nothing(tmp_path: Path) -> None:
    holder = live(tmp_path)
    before = holder.schedule

    result = holder.install(BROKEN.encode(), "通知.yaml", UploadLimits(), NOW)

    assert result.status is ReloadStatus.INVALID
    assert holder.schedule is before
    assert holder.path.read_text(encoding="utf-8") == GOOD
    assert not (tmp_path / "history").exists()
    text = format_schedule_upload(result, TZ, NOW)
    assert text.startswith("通知安排文件有 1 处错误，没有更新，机器人继续按原来的安排发送。")
    assert "通知.yaml:7:9: 通知“report”的 at 只有日期，缺少时间" in text
    assert "\n    |     at: 2026-03-06" in text  # the line is quoted under its message


def test_the_same_schedule_again_is_unchanged(tmp_path: Path) -> None:
    holder = live(tmp_path)
    result = holder.install(GOOD.encode(), None, UploadLimits(), NOW)
    assert result.status is ReloadStatus.UNCHANGED
    assert not (tmp_path / "history").exists()
    assert format_schedule_upload(result, TZ, NOW).startswith("文件内容和正在使用的通知安排相同")


def test_a_first_schedule_needs_no_backup(tmp_path: Path) -> None:
    holder = ScheduleFile(tmp_path / ANNOUNCEMENTS_FILE, clock=lambda: NOW)
    result = holder.install(GOOD.encode(), None, UploadLimits(), NOW)
    assert result.status is ReloadStatus.LOADED
    assert result.backup is None
    assert result.changes.added == ("meeting",)


def test_an_occurrence_within_the_grace_period_is_not_called_over(tmp_path: Path) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(GOOD, encoding="utf-8")
    late = datetime(2026, 3, 2, 9, 30, tzinfo=TZ)  # 30 minutes after the only sending
    strict = ScheduleFile(path, clock=lambda: late).parse(path.read_bytes())[1]
    assert ["已经过去，它不会再发送" in problem.message for problem in strict] == [True]
    lenient = ScheduleFile(path, grace=timedelta(hours=1), clock=lambda: late).parse(path.read_bytes())[1]
    assert lenient == []
