"""A stand-in for Telegram behind the core's :class:`Sender`, and a way to die mid-broadcast."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.announcements.delivery import SendResult


class SimulatedCrashError(BaseException):
    """The process dies here: nothing after this line runs (not an Exception, so nothing catches it)."""


@dataclass
class FakeTelegram:
    """What the chats received; it outlives a simulated crash of the bot."""

    inbox: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    pinned: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    last_message_id: int = 1000

    def copies(self) -> dict[int, int]:
        return {chat_id: len(texts) for chat_id, texts in self.inbox.items() if texts}


@dataclass
class FakeSender:
    """Behaves like Telegram per chat.

    Attributes:
        behaviour: chat id → "forbidden", "not_found", "no_pin", "timeout", "flaky" (fails once), "migrate:<id>".
        crash_before: die when asked for this send (1-based) before anything leaves.
        crash_after: die right after this send left, before the bot hears back (the open window).
    """

    telegram: FakeTelegram
    behaviour: dict[int, str] = field(default_factory=dict)
    crash_before: int | None = None
    crash_after: int | None = None
    requests: int = 0
    delivered: int = 0
    failures_left: dict[int, int] = field(default_factory=dict)

    async def send(self, chat_id: int, text: str, *, html: bool, started: Callable[[], None]) -> SendResult:
        self.requests += 1
        if self.crash_before == self.requests:
            raise SimulatedCrashError
        started()  # the request leaves
        kind = self.behaviour.get(chat_id, "")
        if kind == "forbidden":
            return SendResult.failed("forbidden", "Forbidden: bot was kicked from the group chat", chat_gone=True)
        if kind == "not_found":
            return SendResult.failed("not_found", "Bad Request: chat not found", chat_gone=True)
        if kind.startswith("migrate:"):
            return SendResult.migrated(int(kind.split(":")[1]))
        if kind in ("timeout", "flaky") and self.failures_left.setdefault(chat_id, 1 if kind == "flaky" else 99) > 0:
            self.failures_left[chat_id] -= 1
            return SendResult.retry("network", "Timed out", uncertain=kind == "timeout")
        self.telegram.inbox[chat_id].append(text)
        self.telegram.last_message_id += 1
        self.delivered += 1
        if self.crash_after == self.delivered:
            raise SimulatedCrashError
        return SendResult.sent(self.telegram.last_message_id)

    async def pin(self, chat_id: int, message_id: int) -> str | None:
        if self.behaviour.get(chat_id) == "no_pin":
            return "no_pin_rights"
        self.telegram.pinned[chat_id].append(message_id)
        return None


TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    """The service's notion of now, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026, Shanghai time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)
