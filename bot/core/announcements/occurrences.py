"""Which occurrences of the schedule are due now, late but still worth sending, or missed.

The scheduler remembers until when it has looked (``since``).  Every check looks
at the window ``(since, now]``: an occurrence in it is sent when it is at most
``grace`` late (only the latest one per announcement: a bot that was down does
not fire a repeating announcement several times in a row), and reported as
missed otherwise.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.announcements.model import Announcement, Schedule

SAMPLE_DAYS = 8  # how far ahead a repetition is looked at to find its shortest gap and busiest day
SAMPLE_LIMIT = 2000

ON_TIME = timedelta(minutes=2)
MAX_SCAN = 10_000  # occurrences counted per announcement and check; more are reported as "at least"


@dataclass(frozen=True)
class Occurrence:
    """One time an announcement fires."""

    announcement: Announcement
    at: datetime

    def lateness(self, now: datetime) -> timedelta:
        return max(now - self.at, timedelta(0))


@dataclass(frozen=True)
class Missed:
    """Occurrences of one announcement that are not sent: too late, or replaced by a later one.

    Attributes:
        count: how many; a lower bound when ``more`` is set.
    """

    announcement: Announcement
    first: datetime
    last: datetime
    count: int
    more: bool = False


@dataclass(frozen=True)
class Plan:
    """The verdict of one check.

    Attributes:
        due: on time (at most ``ON_TIME`` late): send.
        late: later than that but less than the grace period: send, and tell the admins.
        missed: the grace period late or more (or replaced by a later occurrence): do not send, tell the admins.
    """

    due: tuple[Occurrence, ...] = ()
    late: tuple[Occurrence, ...] = ()
    missed: tuple[Missed, ...] = ()

    @property
    def to_send(self) -> tuple[Occurrence, ...]:
        return tuple(sorted(self.due + self.late, key=lambda occurrence: (occurrence.at, occurrence.announcement.id)))


def plan(schedule: Schedule, since: datetime, now: datetime, grace: timedelta, *, on_time: timedelta = ON_TIME) -> Plan:
    """Classify every occurrence in ``(since, now]``.

    Args:
        schedule: the announcements in force.
        since: until when the previous check looked (exclusive).
        now: the present (inclusive).
        grace: an occurrence less late than this is still sent.
        on_time: how late an occurrence may be and still count as on time.
    """
    due: list[Occurrence] = []
    late: list[Occurrence] = []
    missed: list[Missed] = []
    boundary = max(since, now - grace)
    for announcement in schedule:
        first, last, count, more = _count(announcement, since, boundary)
        recent = list(announcement.occurrences(boundary, now))
        if recent:
            latest = Occurrence(announcement, recent[-1])
            (due if latest.lateness(now) <= on_time else late).append(latest)
            superseded = recent[:-1]
            if superseded:
                first = first or superseded[0]
                last, count = superseded[-1], count + len(superseded)
        if first is not None and last is not None:
            missed.append(Missed(announcement, first, last, count, more))
    return Plan(tuple(due), tuple(late), tuple(missed))


def _count(
    announcement: Announcement, since: datetime, until: datetime
) -> tuple[datetime | None, datetime | None, int, bool]:
    """The first, last (counted) and number of occurrences in ``(since, until]``, counting at most ``MAX_SCAN``."""
    first = last = None
    count = 0
    for moment in announcement.occurrences(since, until):
        if count == MAX_SCAN:
            return first, last, count, True
        first, last, count = first or moment, moment, count + 1
    return first, last, count, False


def upcoming(schedule: Schedule, now: datetime, count: int = 10) -> list[Occurrence]:
    """The next ``count`` occurrences after ``now``, soonest first."""
    streams = (_stream(announcement, now) for announcement in schedule)
    merged = heapq.merge(*streams, key=lambda occurrence: (occurrence.at, occurrence.announcement.id))
    return [occurrence for occurrence, _ in zip(merged, range(count), strict=False)]


def _stream(announcement: Announcement, now: datetime) -> Iterator[Occurrence]:
    moment = announcement.next_after(now)
    while moment is not None:
        yield Occurrence(announcement, moment)
        moment = announcement.next_after(moment)


def sample(announcement: Announcement) -> list[datetime]:
    """The occurrences in the first :data:`SAMPLE_DAYS` days from the first one (at most :data:`SAMPLE_LIMIT`)."""
    moments: list[datetime] = []
    moment = announcement.next_after(announcement.at - timedelta(microseconds=1))
    end = announcement.at + timedelta(days=SAMPLE_DAYS)
    while moment is not None and moment <= end and len(moments) < SAMPLE_LIMIT:
        moments.append(moment)
        moment = announcement.next_after(moment)
    return moments


def shortest_gap(announcement: Announcement) -> timedelta | None:
    """The shortest time between two sendings of a repetition (None: it sends at most once)."""
    moments = sample(announcement)
    gaps = [later - earlier for earlier, later in itertools.pairwise(moments)]
    return min(gaps) if gaps else None


def busiest_day(announcement: Announcement) -> int:
    """How many times the announcement is sent on its busiest day."""
    days = [moment.date() for moment in sample(announcement)]
    return max((days.count(day) for day in set(days)), default=0)
