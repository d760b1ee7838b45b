"""The hand-off records (tables of migration 4): a cadre's question for staff and staff's reply.

Life of a hand-off::

    open ──staff reply──▶ replied ──delivered / cannot be delivered──▶ answered
      │                      (reply_state: pending → sending → delivered | failed)
      ├──«不需要回复»──▶ closed
      └──retention period over──▶ expired

The cadre's chat id is the only personal datum and lives only while the hand-off is
``open`` or ``replied``; every move to ``answered``, ``closed`` or ``expired`` sets it to
NULL in the same statement.  A staff reply is stored before it is sent and claimed
(``pending`` → ``sending``) in its own transaction, as announcements are, so it is sent
once even if the process dies at any point; a restart turns ``sending`` back into
``pending`` with ``reply_uncertain`` set (the one window where Telegram may have got it).
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.storage.clock import iso
from bot.core.storage.connection import Database

MAX_ATTEMPTS = 5
RETRY_DELAYS = (30, 60, 120, 240)  # seconds before the 2nd, 3rd, … attempt


class Kind(enum.StrEnum):
    """Why the cadre asked staff."""

    DECLINE = "decline"  # the bot had no answer
    NONE_OF_THESE = "none_of_these"  # none of the suggestions was it
    DOWN = "down"  # 👎 on an answer
    DIRECT = "direct"  # /ask_staff


class State(enum.StrEnum):
    OPEN = "open"
    REPLIED = "replied"
    ANSWERED = "answered"
    CLOSED = "closed"
    EXPIRED = "expired"


WAITING = (State.OPEN, State.REPLIED)  # the cadre's chat id is kept only in these states


class ReplyState(enum.StrEnum):
    """How far a staff reply is on its way to the cadre."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Purpose(enum.StrEnum):
    """What a bot message in a staff chat is about."""

    CARD = "card"
    REPLY = "reply"  # "reply to this message with your answer"
    ENTRY_ID = "entry_id"  # "reply with another id for the new entry"


@dataclass(frozen=True)
class Handoff:
    """One question handed to staff."""

    id: int
    created_at: datetime
    state: State
    kind: Kind
    chat_type: str
    question: str
    bot_said: str
    entry_id: str | None
    script: str
    question_id: int | None
    cadre_chat_id: int | None
    reminded_at: datetime | None
    proposed_id: str | None
    reply_text: str | None
    reply_chat_id: int | None
    reply_message_id: int | None
    reply_state: ReplyState | None
    reply_attempts: int
    reply_error: str | None
    reply_uncertain: bool

    @property
    def waiting(self) -> bool:
        return self.state in WAITING


@dataclass(frozen=True)
class NewHandoff:
    """What the cadre side knows when a question is handed over."""

    kind: Kind
    chat_type: str
    question: str
    cadre_chat_id: int
    bot_said: str = ""
    entry_id: str | None = None
    script: str = "simplified"
    question_id: int | None = None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _handoff(row: sqlite3.Row) -> Handoff:
    created = _time(row["created_at"])
    assert created is not None
    return Handoff(
        id=row["id"],
        created_at=created,
        state=State(row["state"]),
        kind=Kind(row["kind"]),
        chat_type=row["chat_type"],
        question=row["question"],
        bot_said=row["bot_said"],
        entry_id=row["entry_id"],
        script=row["script"],
        question_id=row["question_id"],
        cadre_chat_id=row["cadre_chat_id"],
        reminded_at=_time(row["reminded_at"]),
        proposed_id=row["proposed_id"],
        reply_text=row["reply_text"],
        reply_chat_id=row["reply_chat_id"],
        reply_message_id=row["reply_message_id"],
        reply_state=ReplyState(row["reply_state"]) if row["reply_state"] is not None else None,
        reply_attempts=row["reply_attempts"],
        reply_error=row["reply_error"],
        reply_uncertain=bool(row["reply_uncertain"]),
    )


class HandoffStore:
    """Reads and writes hand-offs; every change is one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading ---------------------------------------------------------------------------------

    def get(self, handoff_id: int) -> Handoff | None:
        row = self.db.connection.execute("SELECT * FROM handoffs WHERE id = ?", (handoff_id,)).fetchone()
        return _handoff(row) if row is not None else None

    def waiting(self) -> list[Handoff]:
        """Every hand-off still waiting for staff or for its reply to arrive, oldest first."""
        rows = self.db.connection.execute(
            "SELECT * FROM handoffs WHERE state IN ('open', 'replied') ORDER BY created_at, id"
        ).fetchall()
        return [_handoff(row) for row in rows]

    def open_count(self, cadre_chat_id: int) -> int:
        row = self.db.connection.execute(
            "SELECT COUNT(*) FROM handoffs WHERE cadre_chat_id = ? AND state IN ('open', 'replied')",
            (cadre_chat_id,),
        ).fetchone()
        return int(row[0])

    def open_for_question(self, cadre_chat_id: int, question_id: int) -> Handoff | None:
        row = self.db.connection.execute(
            "SELECT * FROM handoffs WHERE cadre_chat_id = ? AND question_id = ? AND state IN ('open', 'replied')",
            (cadre_chat_id, question_id),
        ).fetchone()
        return _handoff(row) if row is not None else None

    def by_message(self, chat_id: int, message_id: int) -> tuple[Handoff, Purpose] | None:
        """The hand-off a bot message in a staff chat is about."""
        row = self.db.connection.execute(
            "SELECT handoff_id, purpose FROM handoff_messages WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        ).fetchone()
        if row is None:
            return None
        handoff = self.get(row["handoff_id"])
        return (handoff, Purpose(row["purpose"])) if handoff is not None else None

    def messages(self, handoff_id: int, purpose: Purpose = Purpose.CARD) -> list[tuple[int, int]]:
        """(chat id, message id) of the bot's messages about a hand-off."""
        rows = self.db.connection.execute(
            "SELECT chat_id, message_id FROM handoff_messages WHERE handoff_id = ? AND purpose = ? ORDER BY rowid",
            (handoff_id, purpose.value),
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def pending_replies(self, now: datetime) -> list[Handoff]:
        """Replies waiting to be sent whose retry time has come."""
        rows = self.db.connection.execute(
            "SELECT * FROM handoffs WHERE reply_state = 'pending' AND (reply_retry_at IS NULL OR reply_retry_at <= ?)"
            " ORDER BY id",
            (iso(now),),
        ).fetchall()
        return [_handoff(row) for row in rows]

    def due_reminders(self, before: datetime) -> list[Handoff]:
        """Open hand-offs created before ``before`` that staff were not reminded of yet."""
        rows = self.db.connection.execute(
            "SELECT * FROM handoffs WHERE state = 'open' AND reminded_at IS NULL AND created_at < ? ORDER BY id",
            (iso(before),),
        ).fetchall()
        return [_handoff(row) for row in rows]

    # -- writing ---------------------------------------------------------------------------------

    def create(self, new: NewHandoff, at: datetime) -> Handoff:
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO handoffs (created_at, kind, chat_type, question, bot_said, entry_id, script,"
                " question_id, cadre_chat_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    iso(at),
                    new.kind.value,
                    new.chat_type,
                    new.question,
                    new.bot_said,
                    new.entry_id,
                    new.script,
                    new.question_id,
                    new.cadre_chat_id,
                ),
            )
            handoff_id = int(cursor.lastrowid or 0)
        handoff = self.get(handoff_id)
        assert handoff is not None
        return handoff

    def add_message(self, handoff_id: int, chat_id: int, message_id: int, purpose: Purpose) -> None:
        with self.db.transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO handoff_messages (chat_id, message_id, handoff_id, purpose) VALUES (?, ?, ?, ?)",
                (chat_id, message_id, handoff_id, purpose.value),
            )

    def set_reply(self, handoff_id: int, text: str, chat_id: int, message_id: int, by: int | None) -> bool:
        """Store staff's reply for sending; False if the hand-off is no longer open (or it is a repeat)."""
        try:
            with self.db.transaction() as connection:
                cursor = connection.execute(
                    "UPDATE handoffs SET state = 'replied', reply_text = ?, reply_chat_id = ?, reply_message_id = ?,"
                    " reply_state = 'pending', closed_by = ? WHERE id = ? AND state = 'open'",
                    (text, chat_id, message_id, by, handoff_id),
                )
                return cursor.rowcount == 1
        except sqlite3.IntegrityError:  # this very message was already taken as a reply
            return False

    def set_answer_text(self, handoff_id: int, text: str) -> None:
        """Keep staff's answer after the reply was delivered (it is the answer of a new FAQ entry)."""
        with self.db.transaction() as connection:
            connection.execute("UPDATE handoffs SET reply_text = ? WHERE id = ?", (text, handoff_id))

    def claim_reply(self, handoff_id: int) -> bool:
        """``pending`` → ``sending``, committed before the request; False if another task has it."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE handoffs SET reply_state = 'sending', reply_attempts = reply_attempts + 1"
                " WHERE id = ? AND reply_state = 'pending'",
                (handoff_id,),
            )
            return cursor.rowcount == 1

    def reply_delivered(self, handoff_id: int, at: datetime) -> None:
        self._finish_reply(handoff_id, ReplyState.DELIVERED, None, at)

    def reply_failed(self, handoff_id: int, error: str, at: datetime) -> None:
        self._finish_reply(handoff_id, ReplyState.FAILED, error, at)

    def _finish_reply(self, handoff_id: int, reply_state: ReplyState, error: str | None, at: datetime) -> None:
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE handoffs SET state = 'answered', reply_state = ?, reply_error = ?, closed_at = ?,"
                " cadre_chat_id = NULL WHERE id = ? AND reply_state = 'sending'",
                (reply_state, error, iso(at), handoff_id),
            )

    def reply_retry(self, handoff_id: int, error: str, at: datetime, *, uncertain: bool) -> bool:
        """Back to ``pending`` after a transient error; False (and failed) once the attempts are used up."""
        handoff = self.get(handoff_id)
        if handoff is None:
            return False
        if handoff.reply_attempts >= MAX_ATTEMPTS:
            self.reply_failed(handoff_id, error, at)
            return False
        delay = RETRY_DELAYS[min(handoff.reply_attempts, len(RETRY_DELAYS)) - 1]
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE handoffs SET reply_state = 'pending', reply_error = ?, reply_retry_at = ?,"
                " reply_uncertain = reply_uncertain OR ? WHERE id = ? AND reply_state = 'sending'",
                (error, iso(at + timedelta(seconds=delay)), int(uncertain), handoff_id),
            )
        return True

    def recover(self) -> int:
        """On start: replies whose request was in flight go back to ``pending``, flagged uncertain."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE handoffs SET reply_state = 'pending', reply_uncertain = 1, reply_retry_at = NULL"
                " WHERE reply_state = 'sending'"
            )
            return cursor.rowcount

    def close(self, handoff_id: int, by: int | None, at: datetime) -> bool:
        """«不需要回复»: closed, the cadre's chat id deleted; False if it was not open."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE handoffs SET state = 'closed', closed_at = ?, closed_by = ?, cadre_chat_id = NULL"
                " WHERE id = ? AND state = 'open'",
                (iso(at), by, handoff_id),
            )
            return cursor.rowcount == 1

    def mark_reminded(self, handoff_id: int, at: datetime) -> None:
        with self.db.transaction() as connection:
            connection.execute("UPDATE handoffs SET reminded_at = ? WHERE id = ?", (iso(at), handoff_id))

    def set_proposed_id(self, handoff_id: int, entry_id: str) -> None:
        with self.db.transaction() as connection:
            connection.execute("UPDATE handoffs SET proposed_id = ? WHERE id = ?", (entry_id, handoff_id))

    def expire(self, before: datetime, at: datetime) -> int:
        """Hand-offs older than the retention period lose the cadre's chat id; return how many."""
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE handoffs SET reply_state = 'failed', reply_error = 'expired'"
                " WHERE reply_state IN ('pending', 'sending') AND created_at < ?",
                (iso(before),),
            )
            cursor = connection.execute(
                "UPDATE handoffs SET state = CASE WHEN state IN ('open', 'replied') THEN 'expired' ELSE state END,"
                " closed_at = COALESCE(closed_at, ?), cadre_chat_id = NULL"
                " WHERE cadre_chat_id IS NOT NULL AND created_at < ?",
                (iso(at), iso(before)),
            )
            return cursor.rowcount
