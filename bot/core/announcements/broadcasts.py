"""What the ledger records: broadcasts, their deliveries (one per chat) and how each went, read from table rows."""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.announcements.model import Targets
from bot.core.announcements.registry import Audience

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=30)  # after a transient error; doubled after each further one


def retry_delay(attempts: int) -> timedelta:
    """How long a delivery waits after its ``attempts``-th attempt ended in a transient error."""
    factor: int = 2 ** max(attempts - 1, 0)
    return RETRY_AFTER * factor


class BroadcastKind(enum.StrEnum):
    ADHOC = "adhoc"  # /announce
    SCHEDULED = "scheduled"  # an occurrence of announcements.yaml


class BroadcastState(enum.StrEnum):
    DRAFT = "draft"  # /announce preview, not confirmed
    CANCELLED = "cancelled"
    SENDING = "sending"  # deliveries exist; some may be pending
    DONE = "done"  # every delivery sent or failed, every pin tried


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class PinState(enum.StrEnum):
    NO = "no"
    PENDING = "pending"
    PINNED = "pinned"
    FAILED = "failed"


@dataclass(frozen=True)
class Broadcast:
    """One announcement sent (or to be sent) to many chats."""

    id: int
    kind: BroadcastKind
    text: str
    html: bool
    targets: Targets
    pin: bool
    state: BroadcastState
    created_at: datetime
    announcement_id: str | None = None
    occurrence_at: datetime | None = None
    created_by: int | None = None
    report_chat_id: int | None = None
    finished_at: datetime | None = None
    reported_at: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """One message of a broadcast to one chat."""

    broadcast_id: int
    chat_id: int
    audience: Audience
    state: DeliveryState
    pin: PinState
    attempts: int = 0
    message_id: int | None = None
    error: str | None = None
    detail: str | None = None
    uncertain: bool = False
    pin_error: str | None = None
    attempted_at: datetime | None = None

    def ready(self, now: datetime) -> bool:
        """Whether a pending delivery may be tried now (a transient error makes it wait a while)."""
        if self.error is None or self.attempted_at is None:
            return True
        return now >= self.attempted_at + retry_delay(self.attempts)


@dataclass(frozen=True)
class DeliveryReport:
    """How a broadcast went, for the admin who started it."""

    broadcast: Broadcast
    deliveries: tuple[Delivery, ...]

    def _with(self, state: DeliveryState) -> tuple[Delivery, ...]:
        return tuple(delivery for delivery in self.deliveries if delivery.state is state)

    @property
    def sent(self) -> tuple[Delivery, ...]:
        return self._with(DeliveryState.SENT)

    @property
    def failed(self) -> tuple[Delivery, ...]:
        return self._with(DeliveryState.FAILED)

    @property
    def unfinished(self) -> tuple[Delivery, ...]:
        return self._with(DeliveryState.PENDING) + self._with(DeliveryState.SENDING)

    @property
    def pin_failed(self) -> tuple[Delivery, ...]:
        return tuple(delivery for delivery in self.deliveries if delivery.pin is PinState.FAILED)

    @property
    def uncertain(self) -> tuple[Delivery, ...]:
        """Sent after an attempt whose outcome was unknown: these chats may have two copies."""
        return tuple(delivery for delivery in self.sent if delivery.uncertain)


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def broadcast_of(row: sqlite3.Row) -> Broadcast:
    return Broadcast(
        id=row["id"],
        kind=BroadcastKind(row["kind"]),
        text=row["text"],
        html=bool(row["html"]),
        targets=Targets(row["targets"]),
        pin=bool(row["pin"]),
        state=BroadcastState(row["state"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        announcement_id=row["announcement_id"],
        occurrence_at=parse_time(row["occurrence_at"]),
        created_by=row["created_by"],
        report_chat_id=row["report_chat_id"],
        finished_at=parse_time(row["finished_at"]),
        reported_at=parse_time(row["reported_at"]),
    )


def delivery_of(row: sqlite3.Row) -> Delivery:
    return Delivery(
        broadcast_id=row["broadcast_id"],
        chat_id=row["chat_id"],
        audience=Audience(row["audience"]),
        state=DeliveryState(row["state"]),
        pin=PinState(row["pin"]),
        attempts=row["attempts"],
        message_id=row["message_id"],
        error=row["error"],
        detail=row["detail"],
        uncertain=bool(row["uncertain"]),
        pin_error=row["pin_error"],
        attempted_at=parse_time(row["attempted_at"]),
    )
