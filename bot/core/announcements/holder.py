"""The schedule in force, kept in step with ``announcements.yaml``: a broken file never replaces a working schedule.

:class:`ScheduleFile` is the schedule's :class:`~bot.core.files.watched.WatchedFile`
(the same pipeline as the FAQ's): the scheduler's tick polls it, and a file sent by
chat is installed through it.  A change is acted on at the next tick, without waiting
for it to settle: a schedule is small and staff expect it in force at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.core.announcements.model import Announcement, Schedule
from bot.core.announcements.schedule_file import DEFAULT_MIN_INTERVAL, DEFAULT_TIMEZONE, parse_schedule
from bot.core.files.problems import Problem, display_path
from bot.core.files.watched import Changes, FileUpdate, WatchedFile, file_digest, item_changes

BACKUP_PREFIX = "announcements-"
MISSING_FILE = "找不到通知文件：继续按原来的通知安排发送。"

ScheduleUpdate = FileUpdate[Schedule]


def _comparable(announcement: Announcement) -> Announcement:
    return dataclasses.replace(announcement, line=0)  # moving an entry in the file is not a change


def diff_schedules(old: Schedule, new: Schedule) -> Changes:
    """Announcements added, removed and changed, by id in file order."""
    return item_changes({a.id: _comparable(a) for a in old}, {a.id: _comparable(a) for a in new})


class ScheduleFile(WatchedFile[Schedule]):
    """Holds the schedule currently in force.

    Args:
        path: the announcements file.
        timezone: the zone its dates and times are in.
        grace: how late an occurrence is still sent (not "over" yet).
        clock: the present, to warn about announcements that will not fire again.
    """

    def __init__(
        self,
        path: Path,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        grace: timedelta = timedelta(0),
        min_interval: timedelta = DEFAULT_MIN_INTERVAL,
        clock: Callable[[], datetime | None] = lambda: None,
    ) -> None:
        super().__init__(path, settle=False, backup_prefix=BACKUP_PREFIX)
        self.timezone = timezone
        self.grace = grace
        self.min_interval = min_interval
        self.clock = clock
        self._schedule = Schedule(source=path)

    @property
    def schedule(self) -> Schedule:
        return self._schedule

    @property
    def current(self) -> Schedule:
        return self._schedule

    def digest_of(self, version: Schedule) -> str:
        return version.digest

    def disk_digest(self) -> str:
        return file_digest(self.path)

    def check(self, path: Path, shown: str | None = None) -> tuple[Schedule | None, list[Problem]]:
        try:
            raw = path.read_bytes()
        except OSError:
            return None, [Problem(display_path(self.path), 1, 1, MISSING_FILE)]
        return self.parse(raw, shown=shown)

    def parse(self, raw: bytes, *, shown: str | None = None) -> tuple[Schedule | None, list[Problem]]:
        """Validate the bytes of a version of the file (``shown``: the name in problems)."""
        return parse_schedule(
            raw,
            self.path,
            timezone=self.timezone,
            now=self.clock(),
            grace=self.grace,
            min_interval=self.min_interval,
            shown=shown,
        )

    def put_in_force(self, version: Schedule) -> Schedule:
        previous, self._schedule = self._schedule, version
        return previous

    def changes(self, old: Schedule, new: Schedule) -> Changes:
        return diff_schedules(old, new)
