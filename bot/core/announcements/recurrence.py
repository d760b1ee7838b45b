"""When an announcement fires: once, or on every occurrence of a repetition.

Repetitions are computed with APScheduler's :class:`CronTrigger` (installed with
PTB's job queue).  APScheduler 3 numbers weekdays from Monday = 0 while standard
crontab uses Sunday = 0, so a crontab's weekday field is translated to weekday
names first: ``0 9 * * 1-5`` means Monday to Friday here, as everywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger

if TYPE_CHECKING:
    from bot.core.announcements.model import Repeat

CRON_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_DAY_ITEM = re.compile(r"^(?:(\*)|([0-7]|[a-z]{3})(?:-([0-7]|[a-z]{3}))?)(?:/(\d+))?$")
_ONE_MICROSECOND = timedelta(microseconds=1)


class CronError(ValueError):
    """A crontab expression that cannot be used; the message is for staff, in Chinese."""


def _cron_day(token: str) -> int:
    if token.isdigit():
        return int(token) % 7
    if token in CRON_NAMES:
        return CRON_NAMES.index(token)
    raise CronError(f"cron 的星期字段里“{token}”不认识：请用 0–7（0 和 7 都是星期日）或 sun、mon … sat。")


def cron_weekdays(field: str) -> str:
    """Translate a standard crontab weekday field to APScheduler's weekday names.

    Raises:
        CronError: the field is not a valid crontab weekday field.
    """
    field = field.strip().lower()
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        match = _CRON_DAY_ITEM.match(item)
        if match is None:
            raise CronError(f"cron 的星期字段“{field}”写法不对：例如 1-5 表示周一到周五，0,6 表示周日和周六。")
        star, first, last, step = match.groups()
        if star:
            start, stop = 0, 6
        else:
            start = _cron_day(first)
            stop = _cron_day(last) if last else (6 if step else start)
            if last and last.isdigit() and int(last) == 7:
                stop = 7  # "5-7" is Friday to Sunday
        if stop < start:
            raise CronError(f"cron 的星期范围“{item}”是倒着写的：请从小写到大，例如 1-5。")
        days.update(day % 7 for day in range(start, stop + 1, int(step or 1)))
    monday_first = sorted(days, key=lambda day: (day + 6) % 7)
    return ",".join(CRON_NAMES[day] for day in monday_first)


def cron_fields(expression: str) -> dict[str, str]:
    """The five fields of a standard crontab expression as :class:`CronTrigger` arguments.

    Raises:
        CronError: not five fields, or a weekday field that is not valid.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(
            f"cron 表达式要有 5 部分（分 时 日 月 星期，用空格隔开），这里有 {len(fields)} 部分。"
            "例如“0 9 * * 1-5”表示周一到周五每天 9:00。"
        )
    minute, hour, day, month, weekday = fields
    return {"minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": cron_weekdays(weekday)}


def check_cron(expression: str) -> None:
    """Raise :class:`CronError` with a message for staff when ``expression`` cannot be used."""
    try:
        CronTrigger(**cron_fields(expression))
    except CronError:
        raise
    except ValueError as error:
        raise CronError(
            f"cron 表达式“{expression}”有误（{error}）。格式是“分 时 日 月 星期”，例如“0 9 * * 1-5”。"
        ) from None


@dataclass(frozen=True)
class Recurrence:
    """The occurrences of one announcement, computed on demand."""

    at: datetime
    trigger: Any = None  # a CronTrigger for a repetition, None for a one-off

    @classmethod
    def build(cls, at: datetime, repeat: Repeat | None, until: datetime | None) -> Recurrence:
        if repeat is None:
            return cls(at)
        common: dict[str, Any] = {"timezone": at.tzinfo, "start_date": at, "end_date": until}
        if repeat.kind == "cron":
            fields: dict[str, Any] = cron_fields(repeat.cron)
        else:
            fields = {"hour": at.hour, "minute": at.minute, "second": at.second}
            if repeat.kind == "weekly":
                fields["day_of_week"] = ",".join(CRON_NAMES[(day + 1) % 7] for day in repeat.days)
        return cls(at, CronTrigger(**fields, **common))

    def next_after(self, moment: datetime) -> datetime | None:
        """The first occurrence strictly after ``moment`` (aware), or None."""
        if self.trigger is None:
            return self.at if self.at > moment else None
        found: datetime | None = self.trigger.get_next_fire_time(None, moment + _ONE_MICROSECOND)
        return found
