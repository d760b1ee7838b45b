"""Exactly-once delivery: the ledger, the broadcaster, crashes and restarts over the same database file."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.announcements.broadcasts import BroadcastState, DeliveryReport, DeliveryState, PinState, retry_delay
from bot.core.announcements.delivery import Broadcaster, SendResult
from bot.core.announcements.ledger import Ledger
from bot.core.announcements.model import Announcement, Repeat, RepeatKind, Schedule, Targets
from bot.core.announcements.registry import ChatRegistry
from bot.core.storage.clock import utc_now
from bot.core.storage.connection import Database
from tests.announcement_fakes import FakeSender, FakeTelegram, SimulatedCrashError

TZ = ZoneInfo("Asia/Shanghai")
GRACE = timedelta(hours=1)
GROUPS = [-1, -2, -3, -4, -5, -6]


@dataclass
class Bot:
    """One run of the bot's process: its own connection to the database file."""

    db: Database
    registry: ChatRegistry
    ledger: Ledger

    def broadcaster(
        self, sender: FakeSender, max_attempts: int = 3, clock: Callable[[], datetime] = utc_now
    ) -> Broadcaster:
        return Broadcaster(self.ledger, self.registry, sender, max_attempts=max_attempts, clock=clock)


def start_bot(path: Path) -> Bot:
    db = Database(path)
    registry = ChatRegistry(db)
    ledger = Ledger(db, registry)
    ledger.recover()
    return Bot(db, registry, ledger)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    db = Database(tmp_path / "bot.sqlite3")
    registry = ChatRegistry(db)
    for chat_id in GROUPS:
        registry.bot_status_changed(chat_id, "group", f"群{-chat_id}", "administrator", present=True)
    registry.subscribe(42)
    db.close()
    return tmp_path / "bot.sqlite3"


def test_draft_then_confirm_creates_one_pending_delivery_per_chat(path: Path) -> None:
    bot = start_bot(path)
    draft = bot.ledger.draft("明天开会", created_by=7, report_chat_id=7)
    assert draft.state is BroadcastState.DRAFT
    assert bot.ledger.deliveries(draft.id) == []
    bot.ledger.update_draft(draft.id, targets=Targets.BOTH, pin=True)
    started = bot.ledger.start(draft.id)
    assert started is not None
    assert started.state is BroadcastState.SENDING
    deliveries = bot.ledger.deliveries(draft.id)
    assert sorted(d.chat_id for d in deliveries) == sorted([*GROUPS, 42])
    assert {d.state for d in deliveries} == {DeliveryState.PENDING}
    assert {d.chat_id: d.pin for d in deliveries}[42] is PinState.NO  # no pinning in private chats
    assert {d.pin for d in deliveries if d.chat_id < 0} == {PinState.PENDING}


def test_confirm_twice_and_cancel_after_confirm_do_nothing(path: Path) -> None:
    bot = start_bot(path)
    draft = bot.ledger.draft("x")
    assert bot.ledger.start(draft.id) is not None
    assert bot.ledger.start(draft.id) is None
    assert bot.ledger.cancel(draft.id) is False
    assert bot.ledger.update_draft(draft.id, targets=Targets.SUBSCRIBERS).targets is Targets.GROUPS
    assert len(bot.ledger.deliveries(draft.id)) == len(GROUPS)


def test_cancelled_draft_cannot_be_confirmed(path: Path) -> None:
    bot = start_bot(path)
    draft = bot.ledger.draft("x")
    assert bot.ledger.cancel(draft.id)
    assert bot.ledger.start(draft.id) is None
    assert bot.ledger.broadcast_or_fail(draft.id).state is BroadcastState.CANCELLED


async def test_a_broadcast_reaches_every_chat_once(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知", Targets.BOTH, pin=True).id)
    assert broadcast is not None
    report = await bot.broadcaster(FakeSender(telegram)).deliver(broadcast.id)
    assert report is not None
    assert telegram.copies() == dict.fromkeys([*GROUPS, 42], 1)
    assert sorted(telegram.pinned) == sorted(GROUPS)
    assert len(report.sent) == 7
    assert report.failed == report.pin_failed == report.uncertain == ()
    assert report.broadcast.state is BroadcastState.DONE
    assert await bot.broadcaster(FakeSender(telegram)).deliver(broadcast.id) is not None
    assert telegram.copies() == dict.fromkeys([*GROUPS, 42], 1)


async def test_kicked_group_fails_is_marked_inactive_and_the_broadcast_goes_on(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知").id)
    assert broadcast is not None
    report = await bot.broadcaster(FakeSender(telegram, behaviour={-3: "forbidden"})).deliver(broadcast.id)
    assert report is not None
    assert sorted(telegram.copies()) == sorted(set(GROUPS) - {-3})
    assert [(d.chat_id, d.error) for d in report.failed] == [(-3, "forbidden")]
    record = bot.registry.chat(-3)
    assert record is not None
    assert not record.active
    assert bot.registry.audience_size(Targets.GROUPS) == len(GROUPS) - 1


async def test_pin_without_rights_is_reported_but_the_message_counts(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知", pin=True).id)
    assert broadcast is not None
    report = await bot.broadcaster(FakeSender(telegram, behaviour={-2: "no_pin"})).deliver(broadcast.id)
    assert report is not None
    assert len(report.sent) == len(GROUPS)
    assert [(d.chat_id, d.pin_error) for d in report.pin_failed] == [(-2, "no_pin_rights")]
    assert -2 not in telegram.pinned


async def test_transient_errors_are_retried_after_a_growing_delay_then_given_up(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知").id)
    assert broadcast is not None
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=TZ)]
    sender = FakeSender(telegram, behaviour={-1: "flaky", -2: "timeout"})
    broadcaster = bot.broadcaster(sender, max_attempts=3, clock=lambda: now[0])

    async def deliver_after(seconds: float) -> DeliveryReport | None:
        now[0] += timedelta(seconds=seconds)
        return await broadcaster.deliver(broadcast.id)

    assert await deliver_after(0) is None  # -1 and -2 fail once …
    assert await deliver_after(29) is None  # … and wait 30 s
    assert (sender.requests, telegram.copies().get(-1)) == (6, None)
    assert await deliver_after(1) is None  # -1 makes it, -2 fails again and now waits 60 s
    assert (sender.requests, telegram.copies().get(-1)) == (8, 1)
    assert await deliver_after(59) is None
    assert sender.requests == 8
    report = await deliver_after(1)
    assert report is not None
    assert sender.requests == 9
    assert [(d.chat_id, d.error, d.attempts, d.uncertain) for d in report.failed] == [(-2, "network", 3, True)]
    assert bot.registry.chat(-2) is not None  # a timeout does not make the group inactive


@pytest.mark.parametrize(("attempts", "seconds"), [(0, 30), (1, 30), (2, 60), (3, 120), (4, 240)])
def test_retry_delay_doubles(attempts: int, seconds: int) -> None:
    assert retry_delay(attempts) == timedelta(seconds=seconds)


async def test_a_migrated_group_gets_the_message_under_its_new_id(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知").id)
    assert broadcast is not None
    report = await bot.broadcaster(FakeSender(telegram, behaviour={-4: "migrate:-1004"})).deliver(broadcast.id)
    assert report is not None
    assert telegram.copies().get(-1004) == 1
    assert -4 not in telegram.copies()
    assert bot.registry.chat(-4) is None
    assert bot.registry.chat(-1004) is not None


async def test_two_tasks_on_one_broadcast_send_each_message_once(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知").id)
    assert broadcast is not None
    broadcaster = bot.broadcaster(FakeSender(telegram))
    other = bot.broadcaster(FakeSender(telegram))  # e.g. a resume started by another job
    await asyncio.gather(broadcaster.deliver(broadcast.id), broadcaster.resume(), other.deliver(broadcast.id))
    assert telegram.copies() == dict.fromkeys(GROUPS, 1)


@pytest.mark.parametrize("crash_before", [1, 2, 4, 6])
async def test_crash_mid_broadcast_then_restart_gives_each_chat_exactly_one_copy(path: Path, crash_before: int) -> None:
    telegram = FakeTelegram()
    first = start_bot(path)
    broadcast = first.ledger.start(first.ledger.draft("通知", pin=True).id)
    assert broadcast is not None
    with pytest.raises(SimulatedCrashError):
        await first.broadcaster(FakeSender(telegram, crash_before=crash_before)).deliver(broadcast.id)
    assert sum(telegram.copies().values()) == crash_before - 1
    # the process is gone; a new one opens the same file
    second = start_bot(path)
    await second.broadcaster(FakeSender(telegram)).resume()
    assert telegram.copies() == dict.fromkeys(GROUPS, 1)
    assert sorted(telegram.pinned) == sorted(GROUPS)
    (report,) = [second.ledger.report(b.id) for b in second.ledger.unreported()]
    assert len(report.sent) == len(GROUPS)
    assert {d.state for d in second.ledger.deliveries(broadcast.id)} == {DeliveryState.SENT}
    # nothing had left for the chat being worked on, so no chat is flagged as a possible duplicate
    assert report.uncertain == ()


async def test_crash_in_the_open_window_duplicates_rather_than_skips(path: Path) -> None:
    """The documented window: Telegram took the message, the bot died before recording it."""
    telegram = FakeTelegram()
    first = start_bot(path)
    broadcast = first.ledger.start(first.ledger.draft("通知").id)
    assert broadcast is not None
    with pytest.raises(SimulatedCrashError):
        await first.broadcaster(FakeSender(telegram, crash_after=3)).deliver(broadcast.id)
    second = start_bot(path)
    await second.broadcaster(FakeSender(telegram)).resume()
    (report,) = [second.ledger.report(b.id) for b in second.ledger.unreported()]
    in_flight = sorted(GROUPS)[2]
    assert telegram.copies() == {chat_id: 2 if chat_id == in_flight else 1 for chat_id in GROUPS}
    assert [d.chat_id for d in report.uncertain] == [in_flight]


async def test_crash_after_sending_before_pinning_pins_on_restart(path: Path) -> None:
    telegram = FakeTelegram()
    first = start_bot(path)
    broadcast = first.ledger.start(first.ledger.draft("通知", pin=True).id)
    assert broadcast is not None

    class CrashOnPin(FakeSender):
        async def pin(self, chat_id: int, message_id: int) -> str | None:
            raise SimulatedCrashError

    with pytest.raises(SimulatedCrashError):
        await first.broadcaster(CrashOnPin(telegram)).deliver(broadcast.id)
    second = start_bot(path)
    await second.broadcaster(FakeSender(telegram)).resume()
    (report,) = [second.ledger.report(b.id) for b in second.ledger.unreported()]
    assert telegram.copies() == dict.fromkeys(GROUPS, 1)
    assert sorted(telegram.pinned) == sorted(GROUPS)
    assert report.uncertain == ()


async def test_sender_bug_does_not_stop_the_broadcast(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知").id)
    assert broadcast is not None

    class Buggy(FakeSender):
        async def send(self, chat_id: int, text: str, *, html: bool, started: Callable[[], None]) -> SendResult:
            if chat_id == -5:
                raise RuntimeError("bug")
            return await super().send(chat_id, text, html=html, started=started)

    report = await bot.broadcaster(Buggy(telegram), max_attempts=1).deliver(broadcast.id)
    assert report is not None
    assert sorted(telegram.copies()) == sorted(set(GROUPS) - {-5})
    assert [(d.chat_id, d.error) for d in report.failed] == [(-5, "internal")]


# -- the schedule --------------------------------------------------------------------


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


ONCE = Announcement("once", "一次性通知", at(2, 9), Targets.GROUPS, pin=True)
DAILY = Announcement("daily", "每日提醒", at(2, 8), Targets.SUBSCRIBERS, repeat=Repeat(RepeatKind.DAILY))
SCHEDULE = Schedule((ONCE, DAILY))


def test_first_look_at_the_schedule_sends_nothing_from_the_past(path: Path) -> None:
    bot = start_bot(path)
    tick = bot.ledger.start_due(SCHEDULE, at(2, 9, 30), GRACE)
    assert tick.started == ()
    assert tick.since is None
    assert bot.ledger.checked_until() == at(2, 9, 30)


@pytest.mark.parametrize(
    ("down_from", "back_at", "sent", "missed"),
    [
        pytest.param(at(2, 7), at(2, 7, 30), [], [], id="nothing due"),
        pytest.param(at(2, 7), at(2, 8, 1), ["daily"], [], id="on time"),
        pytest.param(at(2, 7), at(2, 8, 50), ["daily"], [], id="late within grace"),
        pytest.param(at(2, 7), at(2, 9, 30), ["once"], ["daily"], id="one beyond grace"),
        pytest.param(at(2, 7), at(2, 10, 0), [], ["daily", "once"], id="both beyond grace"),
        pytest.param(at(2, 7), at(4, 8, 10), ["daily"], ["daily", "once"], id="down for days"),
    ],
)
def test_occurrences_missed_while_down(
    path: Path, down_from: datetime, back_at: datetime, sent: list[str], missed: list[str]
) -> None:
    bot = start_bot(path)
    bot.ledger.start_due(SCHEDULE, down_from, GRACE)
    tick = bot.ledger.start_due(SCHEDULE, back_at, GRACE)
    assert sorted(o.announcement.id for o, _ in tick.started) == sent
    assert sorted(m.announcement.id for m in tick.plan.missed) == missed


async def test_an_occurrence_becomes_one_broadcast_even_if_looked_at_twice(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    bot.ledger.start_due(SCHEDULE, at(2, 8, 59), GRACE)
    first = bot.ledger.start_due(SCHEDULE, at(2, 9), GRACE)
    assert [o.announcement.id for o, _ in first.started] == ["once"]
    # the state is rolled back (e.g. a restored backup or a clock jump): the UNIQUE key still holds
    bot.db.connection.execute("UPDATE scheduler_state SET checked_until = ?", (at(2, 8, 59).isoformat(),))
    again = bot.ledger.start_due(SCHEDULE, at(2, 9, 1), GRACE)
    assert again.started == ()
    await bot.broadcaster(FakeSender(telegram)).resume()
    assert telegram.copies() == dict.fromkeys(GROUPS, 1)


def test_starting_due_broadcasts_is_all_or_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = start_bot(path)
    bot.ledger.start_due(SCHEDULE, at(2, 8, 59), GRACE)

    def broken(targets: Targets) -> list[tuple[int, object]]:
        raise SimulatedCrashError

    monkeypatch.setattr(bot.registry, "audience", broken)
    with pytest.raises(SimulatedCrashError):
        bot.ledger.start_due(SCHEDULE, at(2, 9), GRACE)
    monkeypatch.undo()
    assert bot.ledger.unfinished() == []
    assert bot.ledger.checked_until() == at(2, 8, 59)
    tick = bot.ledger.start_due(SCHEDULE, at(2, 9), GRACE)
    assert [o.announcement.id for o, _ in tick.started] == ["once"]


async def test_a_repeating_announcement_is_delivered_on_each_occurrence(path: Path) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcaster = bot.broadcaster(FakeSender(telegram))
    bot.ledger.start_due(SCHEDULE, at(2, 0), GRACE)
    for day in (2, 3, 4):
        for minute in (0, 1, 2):
            bot.ledger.start_due(SCHEDULE, at(day, 8, minute), GRACE)
            await broadcaster.resume()
    assert telegram.inbox[42] == ["每日提醒"] * 3


def test_unreported_broadcasts_are_listed_until_reported(path: Path) -> None:
    bot = start_bot(path)
    broadcast = bot.ledger.start(bot.ledger.draft("x", Targets.SUBSCRIBERS).id)
    assert broadcast is not None
    for chat_id in (42,):
        assert bot.ledger.claim(broadcast.id, chat_id)
        bot.ledger.mark_sent(broadcast.id, chat_id, 5)
    assert bot.ledger.finish_if_complete(broadcast.id)
    assert [b.id for b in bot.ledger.unreported()] == [broadcast.id]
    bot.ledger.mark_reported(broadcast.id)
    assert bot.ledger.unreported() == []


def test_a_broadcast_without_any_target_is_done_at_once(tmp_path: Path) -> None:
    bot = start_bot(tmp_path / "empty.sqlite3")
    broadcast = bot.ledger.start(bot.ledger.draft("x").id)
    assert broadcast is not None
    assert broadcast.state is BroadcastState.DONE


async def test_every_chat_s_outcome_is_one_log_line(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bot, telegram = start_bot(path), FakeTelegram()
    broadcast = bot.ledger.start(bot.ledger.draft("通知").id)
    assert broadcast is not None
    behaviour = {-2: "forbidden", -3: "migrate:-300", -4: "timeout", -5: "flaky"}
    with caplog.at_level(logging.INFO, logger="bot.core.announcements.delivery"):
        await bot.broadcaster(FakeSender(telegram, behaviour=behaviour)).deliver(broadcast.id)
    lines = {r.getMessage().split(":", 1)[0]: r.getMessage() for r in caplog.records}
    prefix = f"Broadcast {broadcast.id} to chat"
    assert "sent (message " in lines[f"{prefix} -1"]
    assert "failed (forbidden" in lines[f"{prefix} -2"]
    assert "the chat is marked inactive" in lines[f"{prefix} -2"]
    assert "moved to chat -300" in lines[f"{prefix} -3"]
    assert "a retry is scheduled (network: Timed out); it may have arrived" in lines[f"{prefix} -4"]
    assert "a retry is scheduled (network: Timed out)" in lines[f"{prefix} -5"]
    assert len([r for r in caplog.records if r.getMessage().startswith(f"{prefix} -6:")]) == 1


def test_a_look_with_nothing_due_writes_nothing(path: Path) -> None:
    bot = start_bot(path)
    bot.ledger.start_due(SCHEDULE, at(2, 6), GRACE)
    changes = bot.db.connection.total_changes
    for minute in range(1, 50):  # a tick every few seconds before the first occurrence at 8:00
        bot.ledger.start_due(SCHEDULE, at(2, 6, minute), GRACE)
    assert bot.db.connection.total_changes == changes
    assert bot.ledger.checked_until() == at(2, 6)
    # a restart still sees exactly what is due since then
    tick = start_bot(path).ledger.start_due(SCHEDULE, at(2, 8, 1), GRACE)
    assert [o.announcement.id for o, _ in tick.started] == ["daily"]


def test_a_look_writes_when_something_falls_due_or_the_schedule_changed(path: Path) -> None:
    bot = start_bot(path)
    bot.ledger.start_due(SCHEDULE, at(2, 6), GRACE)
    bot.ledger.start_due(Schedule((ONCE,), digest="other"), at(2, 6, 1), GRACE)
    assert bot.ledger.checked_until() == at(2, 6, 1)  # a new schedule: its look is recorded
    bot.ledger.start_due(Schedule((ONCE,), digest="other"), at(2, 9, 1), GRACE)
    assert bot.ledger.checked_until() == at(2, 9, 1)  # "once" fell due


def test_a_full_disk_does_not_fail_the_looks_with_nothing_due(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = start_bot(path)
    bot.ledger.start_due(SCHEDULE, at(2, 6), GRACE)

    def disk_full() -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(bot.db, "transaction", disk_full)
    for minute in range(1, 50):
        assert bot.ledger.start_due(SCHEDULE, at(2, 6, minute), GRACE).started == ()
