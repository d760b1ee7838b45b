"""Install a schedule (``announcements.yaml``) sent by staff, the way an FAQ upload is installed.

The same precheck, backup and atomic replace as :mod:`bot.core.knowledge.uploads`; the
validation is the one ``faqbot check`` and the reload watcher use
(:meth:`ScheduleHolder.parse`).  Only a valid file replaces the live one, and
the new schedule is put in force at once, so the next scheduler tick sees no
change to report.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.announcements.holder import ScheduleHolder
from bot.core.announcements.model import Announcement, Schedule
from bot.core.announcements.occurrences import Occurrence, upcoming
from bot.core.announcements.schedule_file import ANNOUNCEMENTS_FILE
from bot.core.announcements.texts import clock
from bot.core.files.problems import Problem
from bot.core.knowledge.reload import ReloadStatus, problem_lines
from bot.core.knowledge.uploads import UploadLimits, backup, precheck, write_atomically

BACKUP_PREFIX = "announcements-"
SHOWN_COMING = 5


@dataclass(frozen=True)
class ScheduleChanges:
    """What a new schedule changes, by announcement id, in file order."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()


def _comparable(announcement: Announcement) -> Announcement:
    return dataclasses.replace(announcement, line=0)  # moving an entry in the file is not a change


def diff_schedules(old: Schedule, new: Schedule) -> ScheduleChanges:
    return ScheduleChanges(
        added=tuple(item.id for item in new if old.get(item.id) is None),
        removed=tuple(item.id for item in old if new.get(item.id) is None),
        changed=tuple(
            item.id
            for item in new
            if (before := old.get(item.id)) is not None and _comparable(before) != _comparable(item)
        ),
    )


@dataclass(frozen=True)
class ScheduleUpload:
    """The outcome of a schedule upload: ``problems`` are the errors, or the warnings it was accepted with."""

    status: ReloadStatus
    problems: tuple[Problem, ...] = ()
    changes: ScheduleChanges = ScheduleChanges()
    count: int = 0
    coming: tuple[Occurrence, ...] = ()
    backup: Path | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.warning)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.warning)


def install_schedule_upload(
    holder: ScheduleHolder, raw: bytes, file_name: str | None, limits: UploadLimits, now: datetime
) -> ScheduleUpload:
    """Validate a sent schedule and, if it is valid, make it the live file and the schedule in force."""
    shown = file_name or ANNOUNCEMENTS_FILE
    if problems := precheck(raw, shown, limits.max_bytes):
        return ScheduleUpload(ReloadStatus.INVALID, tuple(problems))
    schedule, found = holder.parse(raw, now=now, shown=shown)
    if schedule is None:
        return ScheduleUpload(ReloadStatus.INVALID, tuple(found))
    coming = tuple(upcoming(schedule, now, SHOWN_COMING))
    if schedule.digest == holder.schedule.digest and holder.path.is_file():
        return ScheduleUpload(ReloadStatus.UNCHANGED, tuple(found), count=len(schedule), coming=coming)
    saved = backup(holder.path, holder.path.parent / "history", limits.history_keep, now, BACKUP_PREFIX)
    write_atomically(holder.path, raw)
    previous = holder.adopt(schedule, tuple(found)).previous or Schedule()
    return ScheduleUpload(
        ReloadStatus.LOADED, tuple(found), diff_schedules(previous, schedule), len(schedule), coming, saved
    )


def format_schedule_upload(result: ScheduleUpload, tz: ZoneInfo) -> str:
    """What staff are told after sending the schedule (Chinese)."""
    if result.status is ReloadStatus.INVALID:
        lines = [
            f"通知安排文件有 {len(result.errors)} 处错误，没有更新，机器人继续按原来的安排发送。"
            "请按下面的行号修改（可以先运行 faqbot check 检查）后再试："
        ]
        return "\n".join(lines + problem_lines(result.errors))
    if result.status is ReloadStatus.UNCHANGED:
        lines = ["文件内容和正在使用的通知安排相同，没有需要更新的。"]
    else:
        lines = [f"通知安排已更新，现在共有 {result.count} 条定时通知。"]
        changes = result.changes
        for label, ids in (("新增", changes.added), ("删除", changes.removed), ("修改", changes.changed)):
            if ids:
                lines.append(f"{label} {len(ids)} 条：{'、'.join(ids)}")
        if not (changes.added or changes.removed or changes.changed):
            lines.append("通知没有变化。")
    lines.append("接下来要发送：" if result.coming else "接下来没有要发送的定时通知。")
    lines += [f"· {clock(o.at, tz)}  “{o.announcement.id}” → {o.announcement.targets.label}" for o in result.coming]
    if result.backup is not None:
        lines.append(f"原来的文件已备份为 {result.backup.parent.name}/{result.backup.name}。")
    if result.warnings:
        lines.append(f"另有 {len(result.warnings)} 条提醒（不影响使用，建议修改）：")
        lines += problem_lines(result.warnings)
    return "\n".join(lines)
