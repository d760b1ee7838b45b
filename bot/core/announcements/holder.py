"""The schedule in force, and its live reload: a broken file never replaces a working schedule."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.core.announcements.model import Schedule
from bot.core.announcements.schedule_file import DEFAULT_MIN_INTERVAL, DEFAULT_TIMEZONE, parse_schedule
from bot.core.files.problems import Problem, display_path

_MISSING = "missing"


@dataclass(frozen=True)
class ReloadResult:
    """What a look at the file found.

    Attributes:
        accepted: the file's new content is now the schedule in force.
        problems: the errors that got it rejected, or the warnings it was accepted with.
    """

    accepted: bool
    problems: tuple[Problem, ...] = ()
    previous: Schedule | None = None


class ScheduleHolder:
    """Holds the schedule currently in force; :meth:`reload` swaps it when the file changed and is valid."""

    def __init__(
        self,
        path: Path,
        *,
        timezone: str = DEFAULT_TIMEZONE,
        grace: timedelta = timedelta(0),
        schedule: Schedule | None = None,
        min_interval: timedelta = DEFAULT_MIN_INTERVAL,
    ) -> None:
        self.path = path
        self.timezone = timezone
        self.grace = grace  # an occurrence this late is still sent: not "over" yet
        self.min_interval = min_interval
        self._schedule = schedule or Schedule(source=path)
        self._seen = self._schedule.digest  # the content last looked at, accepted or not

    @property
    def schedule(self) -> Schedule:
        return self._schedule

    def reload(self, *, now: datetime | None = None, force: bool = False) -> ReloadResult | None:
        """Load the file if its content changed since the last look; None when it did not.

        A missing or invalid file is reported once and the schedule in force stays.
        """
        try:
            raw = self.path.read_bytes()
        except OSError:
            raw = None
        digest = hashlib.sha256(raw).hexdigest() if raw is not None else _MISSING
        if digest == self._seen and not force:
            return None
        self._seen = digest
        if raw is None:
            problem = Problem(display_path(self.path), 1, 1, "找不到通知文件：继续按原来的通知安排发送。")
            return ReloadResult(accepted=False, problems=(problem,))
        schedule, problems = self.parse(raw, now=now)
        if schedule is None:
            return ReloadResult(accepted=False, problems=tuple(problems))
        return self.adopt(schedule, tuple(problems))

    def parse(
        self, raw: bytes, *, now: datetime | None = None, shown: str | None = None
    ) -> tuple[Schedule | None, list[Problem]]:
        """Validate the bytes of a new version of the file, as :meth:`reload` does (``shown``: the name in problems)."""
        return parse_schedule(
            raw,
            self.path,
            timezone=self.timezone,
            now=now,
            grace=self.grace,
            min_interval=self.min_interval,
            shown=shown,
        )

    def adopt(self, schedule: Schedule, problems: tuple[Problem, ...] = ()) -> ReloadResult:
        """Put a validated schedule in force (the file on disk already holds it)."""
        self._seen = schedule.digest
        previous, self._schedule = self._schedule, schedule
        return ReloadResult(accepted=True, problems=problems, previous=previous)
