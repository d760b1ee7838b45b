"""Hand-offs without Telegram: handing a question over, taking staff's reply, sending it back once.

The Telegram layer supplies a :class:`ReplySender`; the order of events, the limits,
the retention and the exactly-once bookkeeping are decided here (see
:mod:`bot.core.handoffs.store` for the states).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.announcements.delivery import SendResult, SendStatus
from bot.core.handoffs.store import Handoff, HandoffStore, NewHandoff, ReplyState, State
from bot.core.storage.clock import utc_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """From the config's ``handoffs`` section."""

    max_open_per_user: int = 5
    remind_after: timedelta = timedelta(hours=24)
    retention: timedelta = timedelta(days=30)


class Refusal(enum.StrEnum):
    TOO_MANY = "too_many"  # the cadre has max_open_per_user questions waiting
    ALREADY_SENT = "already_sent"  # this question is already with staff
    EMPTY = "empty"


@dataclass(frozen=True)
class HandOver:
    """The result of handing a question over: the new hand-off, or why not."""

    handoff: Handoff | None = None
    refusal: Refusal | None = None


class ReplyTaken(enum.StrEnum):
    TAKEN = "taken"  # stored; now being sent
    EMPTY = "empty"
    NOT_OPEN = "not_open"  # already answered, closed or expired


@dataclass(frozen=True)
class Delivered:
    """What became of one staff reply, for the staff member who sent it."""

    handoff: Handoff
    ok: bool
    error: str = ""


class ReplySender(Protocol):
    """Sends staff's reply to the cadre."""

    async def send_reply(self, handoff: Handoff) -> SendResult:
        """Send ``handoff.reply_text`` to ``handoff.cadre_chat_id``; never raises for a Telegram error."""


class HandoffService:
    """The core of hand-offs over a :class:`HandoffStore`."""

    def __init__(
        self,
        store: HandoffStore,
        sender: ReplySender,
        limits: Limits = Limits(),
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.sender = sender
        self.limits = limits
        self.clock = clock
        self._running: set[int] = set()

    def start(self) -> int:
        """Call once before handling updates: requests in flight at the last stop go back to pending."""
        recovered = self.store.recover()
        if recovered:
            logger.warning("%d staff repl(ies) were being sent when the bot stopped; sending again", recovered)
        return recovered

    def hand_over(self, new: NewHandoff) -> HandOver:
        """Store a cadre's question for staff, unless it is a repeat or one too many."""
        if not new.question.strip():
            return HandOver(refusal=Refusal.EMPTY)
        if new.question_id is not None and self.store.open_for_question(new.cadre_chat_id, new.question_id):
            return HandOver(refusal=Refusal.ALREADY_SENT)
        if self.store.open_count(new.cadre_chat_id) >= self.limits.max_open_per_user:
            logger.info("Refused a hand-off: %d questions already open", self.limits.max_open_per_user)
            return HandOver(refusal=Refusal.TOO_MANY)
        return HandOver(handoff=self.store.create(new, self.clock()))

    def take_reply(self, handoff_id: int, text: str, chat_id: int, message_id: int, by: int | None) -> ReplyTaken:
        """Store staff's reply (committed before anything is sent)."""
        if not text.strip():
            return ReplyTaken.EMPTY
        if not self.store.set_reply(handoff_id, text.strip(), chat_id, message_id, by):
            return ReplyTaken.NOT_OPEN
        return ReplyTaken.TAKEN

    async def deliver(self, handoff_id: int) -> Delivered | None:
        """Send one pending reply; its outcome, or None when it is not due (or a retry comes later)."""
        if handoff_id in self._running:
            return None
        self._running.add(handoff_id)
        try:
            return await self._deliver(handoff_id)
        finally:
            self._running.discard(handoff_id)

    async def _deliver(self, handoff_id: int) -> Delivered | None:
        handoff = self.store.get(handoff_id)
        if handoff is None or handoff.reply_state is not ReplyState.PENDING:
            return None
        if handoff.cadre_chat_id is None:  # cannot happen while replied; be safe
            self.store.claim_reply(handoff_id)
            self.store.reply_failed(handoff_id, "expired", self.clock())
            return self._outcome(handoff_id)
        if not self.store.claim_reply(handoff_id):
            return None
        try:
            result = await self.sender.send_reply(handoff)
        except Exception as error:  # a bug must not lose the reply: it is tried again later
            logger.exception("Sending the reply of hand-off %s failed", handoff_id)
            result = SendResult.retry("internal", type(error).__name__, uncertain=True)
        now = self.clock()
        if result.status is SendStatus.SENT:
            self.store.reply_delivered(handoff_id, now)
        elif result.status is SendStatus.RETRY:
            if self.store.reply_retry(handoff_id, result.error or "internal", now, uncertain=result.uncertain):
                return None
        else:  # FAILED, or MIGRATED (a private chat never migrates)
            self.store.reply_failed(handoff_id, result.error or "bad_request", now)
        return self._outcome(handoff_id)

    def _outcome(self, handoff_id: int) -> Delivered:
        handoff = self.store.get(handoff_id)
        assert handoff is not None
        return Delivered(handoff, handoff.reply_state is ReplyState.DELIVERED, handoff.reply_error or "")

    async def resume(self) -> list[Delivered]:
        """Send every reply that is due (after a restart, or a retry delay); their outcomes."""
        outcomes = []
        for handoff in self.store.pending_replies(self.clock()):
            if (outcome := await self.deliver(handoff.id)) is not None:
                outcomes.append(outcome)
        return outcomes

    def close(self, handoff_id: int, by: int | None) -> bool:
        return self.store.close(handoff_id, by, self.clock())

    def due_reminders(self) -> list[Handoff]:
        """Open hand-offs older than the reminder time, each returned once (marked reminded)."""
        now = self.clock()
        due = self.store.due_reminders(now - self.limits.remind_after)
        for handoff in due:
            self.store.mark_reminded(handoff.id, now)
        return due

    def expire(self) -> int:
        """Forget the chat of hand-offs older than the retention period."""
        now = self.clock()
        count = self.store.expire(now - self.limits.retention, now)
        if count:
            logger.info("Deleted the cadre chat of %d hand-off(s) past the retention period", count)
        return count

    def waiting(self) -> list[Handoff]:
        return self.store.waiting()

    def is_open(self, handoff_id: int) -> bool:
        handoff = self.store.get(handoff_id)
        return handoff is not None and handoff.state is State.OPEN
