"""The record of every broadcast and every (broadcast, chat) delivery — what makes delivery exactly-once.

How a broadcast runs:

1. It is created with one ``pending`` delivery per target chat, all in one
   transaction (:meth:`Ledger.start` for ``/announce``, :meth:`Ledger.start_due`
   for the schedule; an occurrence becomes a broadcast at most once, by a UNIQUE key).
2. Per chat: the delivery is claimed (``pending`` → ``sending``, committed), the
   message is sent, and the outcome is committed at once in its own
   transaction: ``sent`` with the message id, ``failed`` with a reason, or back
   to ``pending`` for a transient error.
3. On start, :meth:`Ledger.recover` turns every ``sending`` row back into
   ``pending`` and every unfinished broadcast is resumed.

The one window Telegram leaves open: it has no idempotency key, so if the process
dies after Telegram accepted a message but before ``sent`` was committed, the row
is still ``sending`` and the message is sent again on start.  The window is one
request per running broadcast (messages are sent one at a time, and the outcome
is written before the next one starts); it fails towards a rare duplicate,
never a silent skip, and such rows are flagged ``uncertain`` and counted in the
delivery report.  A request that times out is treated the same way.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.announcements.broadcasts import (
    MAX_ATTEMPTS,
    Broadcast,
    Delivery,
    DeliveryReport,
    DeliveryState,
    PinState,
    broadcast_of,
    delivery_of,
)
from bot.core.announcements.model import Schedule, Targets
from bot.core.announcements.occurrences import Occurrence, Plan, plan
from bot.core.announcements.registry import Audience, ChatRegistry
from bot.core.storage.clock import iso, utc_now
from bot.core.storage.connection import Database


@dataclass(frozen=True)
class Tick:
    """What one look at the schedule did."""

    plan: Plan
    started: tuple[tuple[Occurrence, int], ...] = ()  # each occurrence sent, with its new broadcast id
    since: datetime | None = None


class Ledger:
    """Reads and writes the ``broadcasts``, ``deliveries`` and ``scheduler_state`` tables."""

    def __init__(self, db: Database, registry: ChatRegistry | None = None) -> None:
        self.db = db
        self.registry = registry or ChatRegistry(db)
        self._planned_digest: str | None = None  # the schedule whose look was last written

    # -- creating broadcasts ---------------------------------------------------------
    def draft(
        self,
        text: str,
        targets: Targets = Targets.GROUPS,
        *,
        pin: bool = False,
        html: bool = False,
        created_by: int | None = None,
        report_chat_id: int | None = None,
        at: datetime | None = None,
    ) -> Broadcast:
        """An ad-hoc announcement awaiting confirmation; nothing is sent before :meth:`start`."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO broadcasts (kind, text, html, targets, pin, state, created_by, report_chat_id, created_at)"
                " VALUES ('adhoc', ?, ?, ?, ?, 'draft', ?, ?, ?)",
                (text, int(html), targets.value, int(pin), created_by, report_chat_id, iso(at or utc_now())),
            )
            broadcast_id = int(cursor.lastrowid or 0)
        return self.broadcast_or_fail(broadcast_id)

    def update_draft(self, broadcast_id: int, *, targets: Targets | None = None, pin: bool | None = None) -> Broadcast:
        """Change the options of a draft; a broadcast that is no longer a draft is returned unchanged."""
        with self.db.transaction() as connection:
            if targets is not None:
                connection.execute(
                    "UPDATE broadcasts SET targets = ? WHERE id = ? AND state = 'draft'", (targets.value, broadcast_id)
                )
            if pin is not None:
                connection.execute(
                    "UPDATE broadcasts SET pin = ? WHERE id = ? AND state = 'draft'", (int(pin), broadcast_id)
                )
        return self.broadcast_or_fail(broadcast_id)

    def cancel(self, broadcast_id: int) -> bool:
        """Cancel a draft; False when it was not a draft any more (already sent or cancelled)."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE broadcasts SET state = 'cancelled' WHERE id = ? AND state = 'draft'", (broadcast_id,)
            )
        return cursor.rowcount > 0

    def start(self, broadcast_id: int, *, at: datetime | None = None) -> Broadcast | None:
        """Confirm a draft: create its deliveries; None when it was not a draft (a second Confirm press)."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE broadcasts SET state = 'sending', started_at = ? WHERE id = ? AND state = 'draft'",
                (iso(at or utc_now()), broadcast_id),
            )
            if cursor.rowcount == 0:
                return None
            row = connection.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
            self._create_deliveries(connection, broadcast_of(row), at)
        return self.broadcast_or_fail(broadcast_id)

    def start_due(self, schedule: Schedule, now: datetime, grace: timedelta) -> Tick:
        """Look at the schedule up to ``now``: start a broadcast for every occurrence to send.

        Broadcasts, deliveries and the new ``checked_until`` are committed together,
        so a crash leaves either all of them or none.  Nothing is written when nothing
        fell due and the schedule is the one planned last time (a tick every few seconds
        would otherwise write every few seconds, and fail every few seconds on a full disk):
        the stored ``checked_until`` then still tells what a restart must look at.
        """
        since = self.checked_until()
        if since is not None and schedule.digest == self._planned_digest:
            verdict = plan(schedule, since, now, grace)
            if not verdict.to_send and not verdict.missed:
                return Tick(verdict, (), since)
        with self.db.transaction() as connection:
            row = connection.execute("SELECT checked_until FROM scheduler_state WHERE id = 1").fetchone()
            since = datetime.fromisoformat(row["checked_until"]) if row else None
            verdict = plan(schedule, since or now, now, grace)
            started = []
            for occurrence in verdict.to_send:
                broadcast_id = self._start_occurrence(connection, occurrence, now)
                if broadcast_id is not None:
                    started.append((occurrence, broadcast_id))
            checked = max(since, now) if since is not None else now
            connection.execute(
                "INSERT INTO scheduler_state (id, checked_until) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET checked_until = excluded.checked_until",
                (iso(checked),),
            )
        self._planned_digest = schedule.digest
        return Tick(verdict, tuple(started), since)

    def checked_until(self) -> datetime | None:
        row = self.db.connection.execute("SELECT checked_until FROM scheduler_state WHERE id = 1").fetchone()
        return datetime.fromisoformat(row["checked_until"]) if row else None

    def _start_occurrence(self, connection: sqlite3.Connection, occurrence: Occurrence, now: datetime) -> int | None:
        announcement = occurrence.announcement
        cursor = connection.execute(
            "INSERT INTO broadcasts (kind, announcement_id, occurrence_at, text, targets, pin, state,"
            " created_at, started_at) VALUES ('scheduled', ?, ?, ?, ?, ?, 'sending', ?, ?)"
            " ON CONFLICT (announcement_id, occurrence_at) DO NOTHING",
            (
                announcement.id,
                iso(occurrence.at),
                announcement.text,
                announcement.targets.value,
                int(announcement.pin),
                iso(now),
                iso(now),
            ),
        )
        if cursor.rowcount == 0:
            return None
        broadcast_id = int(cursor.lastrowid or 0)
        row = connection.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
        self._create_deliveries(connection, broadcast_of(row), now)
        return broadcast_id

    def _create_deliveries(self, connection: sqlite3.Connection, broadcast: Broadcast, at: datetime | None) -> None:
        created = iso(at or utc_now())
        rows = [
            (
                broadcast.id,
                chat_id,
                audience.value,
                PinState.PENDING.value if broadcast.pin and audience is Audience.GROUP else PinState.NO.value,
                created,
            )
            for chat_id, audience in self.registry.audience(broadcast.targets)
        ]
        connection.executemany(
            "INSERT INTO deliveries (broadcast_id, chat_id, audience, state, pin, created_at)"
            " VALUES (?, ?, ?, 'pending', ?, ?)",
            rows,
        )
        if not rows:
            connection.execute(
                "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ?", (created, broadcast.id)
            )

    # -- delivering -------------------------------------------------------------------
    def recover(self) -> int:
        """On start: requests that were in flight when the process stopped go back to pending.

        Their outcome is unknown, so they are flagged ``uncertain`` (the resend may be a
        second copy).  Returns how many there were.
        """
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE deliveries SET state = 'pending', uncertain = 1 WHERE state = 'sending'"
            )
        return cursor.rowcount

    def claim(self, broadcast_id: int, chat_id: int, *, at: datetime | None = None) -> bool:
        """Mark a pending delivery as in flight, just before its request; False if it is not pending."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, attempted_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'pending'",
                (iso(at or utc_now()), broadcast_id, chat_id),
            )
        return cursor.rowcount > 0

    def mark_sent(self, broadcast_id: int, chat_id: int, message_id: int, *, at: datetime | None = None) -> None:
        """Telegram accepted the message: record it at once."""
        self._finish_delivery(
            "UPDATE deliveries SET state = 'sent', message_id = ?, error = NULL, detail = NULL, sent_at = ?"
            " WHERE broadcast_id = ? AND chat_id = ?",
            (message_id, iso(at or utc_now()), broadcast_id, chat_id),
        )

    def mark_failed(self, broadcast_id: int, chat_id: int, error: str, detail: str = "") -> None:
        """The chat will not get this message (a permanent error)."""
        self._finish_delivery(
            "UPDATE deliveries SET state = 'failed', error = ?, detail = ?,"
            " pin = CASE pin WHEN 'pending' THEN 'no' ELSE pin END WHERE broadcast_id = ? AND chat_id = ?",
            (error, detail, broadcast_id, chat_id),
        )

    def mark_retry(
        self,
        broadcast_id: int,
        chat_id: int,
        error: str,
        detail: str = "",
        *,
        uncertain: bool = False,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> bool:
        """A transient error: back to pending, or failed after ``max_attempts``; True when it will be retried."""
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE deliveries SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END,"
                " pin = CASE WHEN attempts >= ? AND pin = 'pending' THEN 'no' ELSE pin END,"
                " error = ?, detail = ?, uncertain = uncertain OR ? WHERE broadcast_id = ? AND chat_id = ?",
                (max_attempts, max_attempts, error, detail, int(uncertain), broadcast_id, chat_id),
            )
            row = connection.execute(
                "SELECT state FROM deliveries WHERE broadcast_id = ? AND chat_id = ?", (broadcast_id, chat_id)
            ).fetchone()
        return row is not None and row["state"] == DeliveryState.PENDING

    def release(self, broadcast_id: int, chat_id: int) -> None:
        """Back to pending without counting the attempt (the chat moved to a new id)."""
        self._finish_delivery(
            "UPDATE deliveries SET state = 'pending', attempts = MAX(attempts - 1, 0)"
            " WHERE broadcast_id = ? AND chat_id = ? AND state = 'sending'",
            (broadcast_id, chat_id),
        )

    def mark_pin(self, broadcast_id: int, chat_id: int, error: str | None) -> None:
        """Record the outcome of pinning a sent message (``error`` None: pinned)."""
        self._finish_delivery(
            "UPDATE deliveries SET pin = ?, pin_error = ? WHERE broadcast_id = ? AND chat_id = ?",
            ("failed" if error else "pinned", error, broadcast_id, chat_id),
        )

    def _finish_delivery(self, sql: str, parameters: tuple[object, ...]) -> None:
        with self.db.transaction() as connection:
            connection.execute(sql, parameters)

    def next_pending(self, broadcast_id: int, skip: set[int], now: datetime | None = None) -> Delivery | None:
        """The next delivery to send, in chat order, leaving out the chats in ``skip`` and those
        waiting after a transient error (see :func:`retry_delay`)."""
        now = now or utc_now()
        rows = self.db.connection.execute(
            "SELECT * FROM deliveries WHERE broadcast_id = ? AND state = 'pending' ORDER BY chat_id",
            (broadcast_id,),
        )
        for row in rows:
            delivery = delivery_of(row)
            if delivery.chat_id not in skip and delivery.ready(now):
                return delivery
        return None

    def pending_pins(self, broadcast_id: int) -> list[Delivery]:
        """Sent messages still to be pinned (pinning again is harmless, so this is simply retried)."""
        rows = self.db.connection.execute(
            "SELECT * FROM deliveries WHERE broadcast_id = ? AND state = 'sent' AND pin = 'pending' ORDER BY chat_id",
            (broadcast_id,),
        ).fetchall()
        return [delivery_of(row) for row in rows]

    def finish_if_complete(self, broadcast_id: int, *, at: datetime | None = None) -> bool:
        """Mark the broadcast done when no delivery or pin is left; True when it is (now or before)."""
        with self.db.transaction() as connection:
            left = connection.execute(
                "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?"
                " AND (state IN ('pending', 'sending') OR (state = 'sent' AND pin = 'pending'))",
                (broadcast_id,),
            ).fetchone()[0]
            if left:
                return False
            connection.execute(
                "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ? AND state = 'sending'",
                (iso(at or utc_now()), broadcast_id),
            )
        return True

    def mark_reported(self, broadcast_id: int, *, at: datetime | None = None) -> None:
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE broadcasts SET reported_at = ? WHERE id = ?", (iso(at or utc_now()), broadcast_id)
            )

    # -- reading ----------------------------------------------------------------------
    def broadcast(self, broadcast_id: int) -> Broadcast | None:
        row = self.db.connection.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
        return broadcast_of(row) if row is not None else None

    def broadcast_or_fail(self, broadcast_id: int) -> Broadcast:
        broadcast = self.broadcast(broadcast_id)
        if broadcast is None:
            raise KeyError(broadcast_id)
        return broadcast

    def deliveries(self, broadcast_id: int) -> list[Delivery]:
        rows = self.db.connection.execute(
            "SELECT * FROM deliveries WHERE broadcast_id = ? ORDER BY chat_id", (broadcast_id,)
        ).fetchall()
        return [delivery_of(row) for row in rows]

    def unfinished(self) -> list[Broadcast]:
        """Broadcasts whose deliveries are not all done, oldest first."""
        rows = self.db.connection.execute("SELECT * FROM broadcasts WHERE state = 'sending' ORDER BY id").fetchall()
        return [broadcast_of(row) for row in rows]

    def unreported(self) -> list[Broadcast]:
        """Finished broadcasts whose delivery report was not sent yet, oldest first."""
        rows = self.db.connection.execute(
            "SELECT * FROM broadcasts WHERE state = 'done' AND reported_at IS NULL ORDER BY id"
        ).fetchall()
        return [broadcast_of(row) for row in rows]

    def report(self, broadcast_id: int) -> DeliveryReport:
        return DeliveryReport(self.broadcast_or_fail(broadcast_id), tuple(self.deliveries(broadcast_id)))
