"""The span of time a staff report covers, in the bot's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.core.storage.clock import iso

DEFAULT_DAYS = 7
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """From ``since`` (inclusive) to ``until`` (exclusive), both time-zone aware."""

    since: datetime
    until: datetime

    @classmethod
    def last_days(cls, days: int, now: datetime) -> Period:
        """Today and the ``days - 1`` days before it, in ``now``'s time zone."""
        days = min(max(days, 1), MAX_DAYS)
        return cls.from_date(now.date() - timedelta(days=days - 1), now)

    @classmethod
    def from_date(cls, first: date, now: datetime) -> Period:
        """From the start of ``first`` in ``now``'s time zone until ``now``."""
        assert now.tzinfo is not None
        return cls(datetime.combine(first, time(), now.tzinfo), now)

    @property
    def tz(self) -> tzinfo:
        assert self.since.tzinfo is not None
        return self.since.tzinfo

    @property
    def bounds(self) -> tuple[str, str]:
        """The period as stored timestamps, for ``created_at >= ? AND created_at < ?``."""
        return iso(self.since), iso(self.until + timedelta(seconds=1))

    def days(self) -> list[date]:
        """Every calendar day the period touches, first to last."""
        first, last = self.since.date(), self.until.astimezone(self.tz).date()
        return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]

    def describe(self) -> str:
        last = self.until.astimezone(self.tz)
        return f"{self.since:%Y-%m-%d} 至 {last:%Y-%m-%d}"
