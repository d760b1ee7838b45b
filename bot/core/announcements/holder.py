"""The schedule in force, and its live reload: a broken file never replaces a working schedule."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.core.announcements.model import Schedule
from bot.core.announcements.schedule_file import DEFAULT_MIN_INTERVAL, DEFAULT_TIMEZONE, parse_schedule
from bot.core.problems import Problem, display_path

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
        schedule: Schedule | None = None,
        min_interval: timedelta = DEFAULT_MIN_INTERVAL,
    ) -> None:
        self.path = path
        self.timezone = timezone
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
        schedule, problems = parse_schedule(
            raw, self.path, timezone=self.timezone, now=now, min_interval=self.min_interval
        )
        if schedule is None:
            return ReloadResult(accepted=False, problems=tuple(problems))
        previous, self._schedule = self._schedule, schedule
        return ReloadResult(accepted=True, problems=tuple(problems), previous=previous)
