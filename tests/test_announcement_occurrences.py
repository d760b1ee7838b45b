"""When announcements fire: repetitions, the window of each check, the grace period, missed ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.announcements import occurrences
from bot.core.announcements.model import Announcement, Repeat, RepeatKind, Schedule
from bot.core.announcements.occurrences import Plan, plan, upcoming
from bot.core.announcements.recurrence import CronError, check_cron, cron_weekdays

TZ = ZoneInfo("Asia/Shanghai")
GRACE = timedelta(minutes=60)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A time in March 2026 (1 March 2026 is a Sunday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def make(
    announcement_id: str = "a",
    first: datetime | None = None,
    repeat: Repeat | None = None,
    until: datetime | None = None,
) -> Announcement:
    return Announcement(announcement_id, "text", first or at(2, 9), repeat=repeat, until=until)


DAILY = Repeat(RepeatKind.DAILY)
MON_THU = Repeat(RepeatKind.WEEKLY, days=(0, 3))


def cron(expression: str) -> Repeat:
    return Repeat(RepeatKind.CRON, cron=expression)


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("*", "*"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0", "sun"),
        ("7", "sun"),
        ("0,6", "sat,sun"),
        ("5-7", "fri,sat,sun"),
        ("*/2", "tue,thu,sat,sun"),
        ("1/2", "mon,wed,fri"),
        ("MON-FRI", "mon,tue,wed,thu,fri"),
        ("sun,wed", "wed,sun"),
    ],
)
def test_crontab_weekdays_keep_their_standard_meaning(field: str, names: str) -> None:
    assert cron_weekdays(field) == names


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 9 * *", "要有 5 部分"),
        ("0 9 * * 8", "星期字段"),
        ("0 9 * * 5-1", "倒着写"),
        ("0 9 * * someday", "星期字段"),
        ("60 9 * * *", "有误"),
        ("0 24 * * *", "有误"),
        ("0 9 32 * *", "有误"),
    ],
)
def test_bad_crontabs_are_refused(expression: str, message: str) -> None:
    with pytest.raises(CronError, match=message):
        check_cron(expression)


@pytest.mark.parametrize(
    ("announcement", "after", "expected"),
    [
        pytest.param(make(), at(1, 0), at(2, 9), id="one-off before"),
        pytest.param(make(), at(2, 9), None, id="one-off at its time is over"),
        pytest.param(make(repeat=DAILY), at(2, 8), at(2, 9), id="daily first"),
        pytest.param(make(repeat=DAILY), at(2, 9), at(3, 9), id="daily next"),
        pytest.param(make(repeat=DAILY, until=at(3, 23)), at(3, 9), None, id="daily until"),
        pytest.param(make(repeat=MON_THU), at(2, 9), at(5, 9), id="weekly Monday to Thursday"),
        pytest.param(make(repeat=MON_THU), at(5, 9), at(9, 9), id="weekly Thursday to Monday"),
        pytest.param(make(first=at(3, 9), repeat=MON_THU), at(1, 0), at(5, 9), id="weekly starts on a listed day"),
        pytest.param(make(repeat=cron("30 8 * * 1-5")), at(6, 9), at(9, 8, 30), id="cron skips the weekend"),
        pytest.param(make(repeat=cron("0 10 * * 0")), at(2, 9), at(8, 10), id="cron 0 is Sunday"),
        pytest.param(make(repeat=cron("*/15 * * * *")), at(2, 9, 7), at(2, 9, 15), id="cron every 15 minutes"),
        pytest.param(make(first=at(10, 0), repeat=cron("0 9 * * *")), at(1, 0), at(10, 9), id="cron starts at 'at'"),
    ],
)
def test_next_occurrence(announcement: Announcement, after: datetime, expected: datetime | None) -> None:
    assert announcement.next_after(after) == expected


def run_checks(schedule: Schedule, start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    """Check every ``step`` from ``start`` to ``end`` like the running bot; the times that were sent."""
    sent: list[datetime] = []
    since, now = start, start + step
    while now <= end:
        verdict = plan(schedule, since, now, GRACE)
        assert verdict.missed == ()
        sent += [occurrence.at for occurrence in verdict.to_send]
        since, now = now, now + step
    return sent


@pytest.mark.parametrize(
    ("announcement", "expected"),
    [
        pytest.param(make(), [at(2, 9)], id="one-off fires once"),
        pytest.param(make(repeat=DAILY), [at(day, 9) for day in range(2, 9)], id="daily fires every day"),
        pytest.param(make(repeat=DAILY, until=at(4, 12)), [at(2, 9), at(3, 9), at(4, 9)], id="daily until"),
        pytest.param(make(repeat=MON_THU), [at(2, 9), at(5, 9)], id="weekly on its days"),
        pytest.param(
            make(repeat=cron("0 8,18 * * 6,0"), first=at(1, 0)),
            [at(1, 8), at(1, 18), at(7, 8), at(7, 18), at(8, 8)],
            id="cron twice a day at weekends",
        ),
    ],
)
def test_each_occurrence_fires_exactly_once(announcement: Announcement, expected: list[datetime]) -> None:
    sent = run_checks(Schedule((announcement,)), at(1, 0), at(8, 12), timedelta(minutes=7, seconds=3))
    assert sent == expected


@pytest.mark.parametrize(
    ("since", "now", "due", "late", "missed"),
    [
        pytest.param(at(2, 8, 58), at(2, 8, 59), [], [], [], id="not yet"),
        pytest.param(at(2, 8, 59), at(2, 9, 1), [at(2, 9)], [], [], id="on time"),
        pytest.param(at(2, 8), at(2, 9, 30), [], [at(2, 9)], [], id="late within grace"),
        pytest.param(at(2, 8), at(2, 9, 59), [], [at(2, 9)], [], id="less than the grace period late"),
        pytest.param(at(2, 8), at(2, 10), [], [], [(at(2, 9), at(2, 9), 1)], id="the grace period late"),
        pytest.param(at(2, 9), at(2, 10), [], [], [], id="already handled"),
    ],
)
def test_grace_period(
    since: datetime,
    now: datetime,
    due: list[datetime],
    late: list[datetime],
    missed: list[tuple[datetime, datetime, int]],
) -> None:
    verdict = plan(Schedule((make(),)), since, now, GRACE)
    assert [occurrence.at for occurrence in verdict.due] == due
    assert [occurrence.at for occurrence in verdict.late] == late
    assert [(item.first, item.last, item.count) for item in verdict.missed] == missed


def test_a_bot_down_for_days_sends_only_the_latest_occurrence_within_grace() -> None:
    daily = make("daily", repeat=DAILY)
    quarterly = make("quarter-hour", first=at(1, 0), repeat=cron("*/15 * * * *"))
    verdict = plan(Schedule((daily, quarterly)), at(1, 12), at(4, 9, 20), GRACE)
    assert [(o.announcement.id, o.at) for o in verdict.to_send] == [("daily", at(4, 9)), ("quarter-hour", at(4, 9, 15))]
    assert verdict.due == ()
    missed = {item.announcement.id: (item.first, item.last, item.count) for item in verdict.missed}
    assert missed == {
        "daily": (at(2, 9), at(3, 9), 2),
        # every quarter hour from 1 March 12:15 to 4 March 09:00; the latest (09:15) is sent
        "quarter-hour": (at(1, 12, 15), at(4, 9), 4 * 24 * 3 - 48 + 37 - 1),
    }


def test_a_huge_window_is_counted_up_to_a_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(occurrences, "MAX_SCAN", 10)
    minutely = make(first=at(1, 0), repeat=cron("* * * * *"))
    verdict = plan(Schedule((minutely,)), at(1, 0), at(2, 0), GRACE)
    (missed,) = verdict.missed
    assert missed.more
    assert missed.first == at(1, 0, 1)
    assert missed.count >= 10
    assert [o.at for o in verdict.to_send] == [at(2, 0)]


def test_clock_going_backwards_sends_nothing() -> None:
    assert plan(Schedule((make(),)), at(2, 10), at(2, 8), GRACE) == Plan()


def test_upcoming_merges_announcements_in_time_order() -> None:
    schedule = Schedule((make("daily", repeat=DAILY), make("once", first=at(3, 8)), make("past", first=at(1, 1))))
    soon = upcoming(schedule, at(2, 0), count=4)
    assert [(o.announcement.id, o.at) for o in soon] == [
        ("daily", at(2, 9)),
        ("once", at(3, 8)),
        ("daily", at(3, 9)),
        ("daily", at(4, 9)),
    ]


@pytest.mark.parametrize(
    ("announcement", "words"),
    [
        (make(), "2026-03-02 09:00"),
        (make(repeat=DAILY), "每天 09:00（自 2026-03-02 09:00 起）"),
        (
            make(repeat=MON_THU, until=at(30, 23)),
            "每周一、周四 09:00（自 2026-03-02 09:00 起，至 2026-03-30 23:00 止）",
        ),
        (make(repeat=cron("0 9 * * 1-5")), "按 cron “0 9 * * 1-5”（自 2026-03-02 09:00 起）"),
    ],
)
def test_describe_when(announcement: Announcement, words: str) -> None:
    assert announcement.describe_when() == words
