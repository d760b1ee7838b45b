"""Sending a broadcast chat by chat, recording each outcome before the next send.

The Telegram layer supplies a :class:`Sender` that turns Telegram's answers and
errors into :class:`SendResult` values; everything else — the order, the
records, retries, marking chats inactive — happens here, without Telegram.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.announcements.broadcasts import MAX_ATTEMPTS, Broadcast, Delivery, DeliveryReport, PinState
from bot.core.announcements.ledger import Ledger
from bot.core.announcements.registry import ChatRegistry
from bot.core.storage.clock import utc_now

logger = logging.getLogger(__name__)


class SendStatus(enum.StrEnum):
    SENT = "sent"
    FAILED = "failed"  # permanent: this chat will not get the message
    RETRY = "retry"  # transient: try again later
    MIGRATED = "migrated"  # the group became a supergroup with another id


@dataclass(frozen=True)
class SendResult:
    """What became of one request to Telegram.

    Attributes:
        error: a reason code (see :mod:`bot.core.announcements.reasons`).
        detail: Telegram's own words, for the report.
        chat_gone: the bot can no longer write to this chat: mark it inactive.
        uncertain: the message may have arrived although the request failed (a timeout).
    """

    status: SendStatus
    message_id: int | None = None
    error: str = ""
    detail: str = ""
    chat_gone: bool = False
    uncertain: bool = False
    new_chat_id: int | None = None

    @classmethod
    def sent(cls, message_id: int) -> SendResult:
        return cls(SendStatus.SENT, message_id=message_id)

    @classmethod
    def failed(cls, error: str, detail: str = "", *, chat_gone: bool = False) -> SendResult:
        return cls(SendStatus.FAILED, error=error, detail=detail, chat_gone=chat_gone)

    @classmethod
    def retry(cls, error: str, detail: str = "", *, uncertain: bool = False) -> SendResult:
        return cls(SendStatus.RETRY, error=error, detail=detail, uncertain=uncertain)

    @classmethod
    def migrated(cls, new_chat_id: int) -> SendResult:
        return cls(SendStatus.MIGRATED, new_chat_id=new_chat_id)


class Sender(Protocol):
    """Talks to Telegram for the broadcaster."""

    async def send(self, chat_id: int, text: str, *, html: bool, started: Callable[[], None]) -> SendResult:
        """Send one message; never raises for an error Telegram reports.

        ``started`` is called the moment the request leaves for Telegram (after any wait
        for flood limits): from then on the message may arrive whatever happens to the bot.
        """

    async def pin(self, chat_id: int, message_id: int) -> str | None:
        """Pin a sent message; None when pinned, else a reason code."""


class Broadcaster:
    """Runs the pending deliveries of broadcasts, one message at a time.

    Only one task works on a broadcast at a time (a second call returns at once),
    and a delivery is claimed in the database before its request, so no two
    requests for the same (broadcast, chat) are ever in flight together.
    """

    def __init__(
        self,
        ledger: Ledger,
        registry: ChatRegistry,
        sender: Sender,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.ledger = ledger
        self.registry = registry
        self.sender = sender
        self.max_attempts = max_attempts
        self.clock = clock
        self._running: set[int] = set()

    async def deliver(self, broadcast_id: int) -> DeliveryReport | None:
        """Send what is pending for one broadcast; the report when it is complete, else None.

        A chat with a transient error is tried at most once per call, and again by a
        later call (the scheduler calls :meth:`resume` every few seconds) once its
        retry delay has passed: 30 s, 1 min, 2 min, 4 min, then it is given up.
        """
        if broadcast_id in self._running:
            return None
        self._running.add(broadcast_id)
        try:
            broadcast = self.ledger.broadcast_or_fail(broadcast_id)
            tried: set[int] = set()
            while (delivery := self.ledger.next_pending(broadcast_id, tried, self.clock())) is not None:
                tried.add(delivery.chat_id)
                await self._deliver_one(broadcast, delivery)
            for delivery in self.ledger.pending_pins(broadcast_id):
                await self._pin(delivery)
            if not self.ledger.finish_if_complete(broadcast_id, at=self.clock()):
                return None
            return self.ledger.report(broadcast_id)
        finally:
            self._running.discard(broadcast_id)

    async def resume(self) -> None:
        """Continue every unfinished broadcast (their reports are the ledger's :meth:`~Ledger.unreported`)."""
        for broadcast in self.ledger.unfinished():
            await self.deliver(broadcast.id)

    async def _deliver_one(self, broadcast: Broadcast, delivery: Delivery) -> None:
        chat_id = delivery.chat_id
        claimed = False

        def started() -> None:
            """The request is leaving: from now on a crash leaves the row 'sending', flagged on restart."""
            nonlocal claimed
            if not claimed:
                claimed = True
                self.ledger.claim(broadcast.id, chat_id, at=self.clock())

        try:
            result = await self.sender.send(chat_id, broadcast.text, html=broadcast.html, started=started)
        except Exception as error:  # a bug must not stop the broadcast; the chat is retried later
            logger.exception("sending broadcast %s to chat %s failed", broadcast.id, chat_id)
            result = SendResult.retry("internal", type(error).__name__, uncertain=claimed)
        started()  # every attempt counts, even one that failed before its request left
        where = f"Broadcast {broadcast.id} to chat {chat_id}"
        if result.status is SendStatus.SENT and result.message_id is not None:
            self.ledger.mark_sent(broadcast.id, chat_id, result.message_id, at=self.clock())
            logger.info("%s: sent (message %s)", where, result.message_id)
            if delivery.pin is PinState.PENDING:
                await self._pin(delivery, result.message_id)
        elif result.status is SendStatus.MIGRATED and result.new_chat_id is not None:
            self.ledger.release(broadcast.id, chat_id)
            self.registry.migrated(chat_id, result.new_chat_id, at=self.clock())
            logger.info("%s: the group moved to chat %s; it is sent there", where, result.new_chat_id)
        elif result.status is SendStatus.FAILED:
            self.ledger.mark_failed(broadcast.id, chat_id, result.error, result.detail)
            if result.chat_gone:
                self.registry.chat_gone(chat_id, result.error, at=self.clock())
            gone = "; the chat is marked inactive" if result.chat_gone else ""
            logger.warning("%s: failed (%s: %s)%s", where, result.error, result.detail, gone)
        else:
            again = self.ledger.mark_retry(
                broadcast.id,
                chat_id,
                result.error or "internal",
                result.detail,
                uncertain=result.uncertain,
                max_attempts=self.max_attempts,
            )
            outcome = "a retry is scheduled" if again else "given up after the last attempt"
            doubt = "; it may have arrived" if result.uncertain else ""
            logger.warning("%s: %s (%s: %s)%s", where, outcome, result.error or "internal", result.detail, doubt)

    async def _pin(self, delivery: Delivery, message_id: int | None = None) -> None:
        message_id = message_id or delivery.message_id
        if message_id is None:
            return
        try:
            error = await self.sender.pin(delivery.chat_id, message_id)
        except Exception:
            logger.exception("pinning message %s in chat %s failed", message_id, delivery.chat_id)
            error = "pin_failed"
        self.ledger.mark_pin(delivery.broadcast_id, delivery.chat_id, error)
