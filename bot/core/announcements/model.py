"""The scheduled announcements, parsed once into frozen objects."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.core.announcements.recurrence import Recurrence

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class Targets(enum.StrEnum):
    """Who receives an announcement."""

    GROUPS = "groups"
    SUBSCRIBERS = "subscribers"
    BOTH = "both"

    @property
    def groups(self) -> bool:
        return self is not Targets.SUBSCRIBERS

    @property
    def subscribers(self) -> bool:
        return self is not Targets.GROUPS

    @property
    def label(self) -> str:
        return {"groups": "所有群组", "subscribers": "订阅者", "both": "所有群组和订阅者"}[self.value]


class RepeatKind(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    CRON = "cron"


@dataclass(frozen=True)
class Repeat:
    """How an announcement repeats after its first time.

    Attributes:
        kind: daily, weekly or cron.
        days: for weekly, the weekdays (0 = Monday … 6 = Sunday).
        cron: for cron, a standard five-field crontab expression (0 or 7 = Sunday).
    """

    kind: RepeatKind
    days: tuple[int, ...] = ()
    cron: str = ""

    def describe(self, at: datetime) -> str:
        """In words, for staff: 每天 09:00, 每周一、周四 09:00, cron “0 9 * * 1-5”."""
        clock = at.strftime("%H:%M")
        if self.kind is RepeatKind.DAILY:
            return f"每天 {clock}"
        if self.kind is RepeatKind.WEEKLY:
            return f"每{'、'.join(WEEKDAY_LABELS[day] for day in self.days)} {clock}"
        return f"按 cron “{self.cron}”"


@dataclass(frozen=True)
class Announcement:
    """One entry of ``announcements.yaml``.

    Attributes:
        at: the first (or only) time, aware, in the configured time zone.
        until: for a repeating announcement, the last moment it may fire (inclusive).
        line: where the entry starts in the file, for messages.
    """

    id: str
    text: str
    at: datetime
    targets: Targets = Targets.GROUPS
    pin: bool = False
    repeat: Repeat | None = None
    until: datetime | None = None
    line: int = 0
    recurrence: Recurrence = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "recurrence", Recurrence.build(self.at, self.repeat, self.until))

    def next_after(self, moment: datetime) -> datetime | None:
        """The first occurrence strictly after ``moment``, or None when there is none."""
        return self.recurrence.next_after(moment)

    def occurrences(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Every occurrence in the window ``(after, until]``, oldest first."""
        moment = self.next_after(after)
        while moment is not None and moment <= until:
            yield moment
            moment = self.next_after(moment)

    def describe_when(self) -> str:
        """The first time and the repetition, in words."""
        first = self.at.strftime("%Y-%m-%d %H:%M")
        if self.repeat is None:
            return first
        text = f"{self.repeat.describe(self.at)}（自 {first} 起"
        if self.until is not None:
            text += f"，至 {self.until.strftime('%Y-%m-%d %H:%M')} 止"
        return text + "）"


@dataclass(frozen=True)
class Schedule:
    """Every announcement of one file; replaced whole on reload."""

    announcements: tuple[Announcement, ...] = ()
    source: Path | None = None
    digest: str = ""
    _by_id: dict[str, Announcement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {item.id: item for item in self.announcements})

    def get(self, announcement_id: str) -> Announcement | None:
        return self._by_id.get(announcement_id)

    def __iter__(self) -> Iterator[Announcement]:
        return iter(self.announcements)

    def __len__(self) -> int:
        return len(self.announcements)
