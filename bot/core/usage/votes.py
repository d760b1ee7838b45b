"""Sent replies and per-person votes on them (tables of migration 5).

A 👍/👎 or "none of these" press is a claim about a message: "this answer (entry X)
helped me".  It is accepted only for a message the bot recorded as sent with that
entry — callback data can be forged by any client, the message a press comes from
cannot — and each person's vote on a message counts once (pressing the other thumb
changes it).  Every accepted vote is one row of the ``feedback`` table that the staff
reports count.  Voters are kept as a one-way digest, never as a user id.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.core.matching.thresholds import Outcome
from bot.core.storage.clock import iso, utc_now
from bot.core.storage.connection import Database
from bot.core.usage.journal import FeedbackKind, insert_feedback

INLINE_KEY_PREFIX = "inline:"


def message_key(chat_id: int, message_id: int) -> str:
    """The key of a message in a chat."""
    return f"{chat_id}:{message_id}"


def inline_key(inline_message_id: str) -> str:
    """The key of a message sent in inline mode (the bot never learns its chat)."""
    return INLINE_KEY_PREFIX + inline_message_id


@dataclass(frozen=True)
class SentReply:
    """A reply with buttons the bot sent."""

    outcome: Outcome
    entry_id: str | None
    question_id: int | None


class VoteOutcome(enum.Enum):
    COUNTED = "counted"  # a first vote of this person on this message
    CHANGED = "changed"  # this person's earlier vote now says the opposite
    REPEATED = "repeated"  # the same vote again: nothing changes
    REFUSED = "refused"  # not a message the bot sent with that entry (forged or stale data)


@dataclass(frozen=True)
class Tally:
    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class VoteResult:
    outcome: VoteOutcome
    tally: Tally
    question_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome in {VoteOutcome.COUNTED, VoteOutcome.CHANGED}


def _voter(key: str, user_id: int) -> str:
    return hashlib.blake2b(f"{key}/{user_id}".encode(), digest_size=12).hexdigest()


class Ballots:
    """Records sent replies and the votes cast on them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def remember(
        self, key: str, outcome: Outcome, entry_id: str | None, question_id: int | None, *, at: datetime | None = None
    ) -> None:
        """Record that the message ``key`` carries an answer of ``entry_id`` (or suggestions)."""
        if outcome not in {Outcome.ANSWER, Outcome.SUGGEST}:
            raise ValueError(f"only answers and suggestions carry vote buttons, not {outcome.value}")
        with self.db.transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO sent_replies (message_key, outcome, entry_id, question_id, sent_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, outcome.value, entry_id, question_id or None, iso(at or utc_now())),
            )

    def sent(self, key: str) -> SentReply | None:
        row = self.db.connection.execute("SELECT * FROM sent_replies WHERE message_key = ?", (key,)).fetchone()
        if row is None:
            return None
        return SentReply(Outcome(row["outcome"]), row["entry_id"], row["question_id"])

    def tally(self, key: str) -> Tally:
        counts = dict(
            self.db.connection.execute(
                "SELECT kind, COUNT(*) FROM votes WHERE message_key = ? GROUP BY kind", (key,)
            ).fetchall()
        )
        return Tally(up=counts.get(FeedbackKind.UP.value, 0), down=counts.get(FeedbackKind.DOWN.value, 0))

    def vote(
        self,
        key: str,
        user_id: int,
        kind: FeedbackKind,
        entry_id: str | None,
        chat_type: str,
        *,
        stored_user_id: int | None = None,
        unrecorded: bool = False,
        at: datetime | None = None,
    ) -> VoteResult:
        """Count ``user_id``'s press of ``kind`` on message ``key``.

        Args:
            entry_id: the entry the button names (👍/👎); it must be the one the message answers.
            unrecorded: accept a message with no sent record (inline mode, whose messages the bot
                never sees sent; the caller checks that the entry exists).
            stored_user_id: the user id to put in the feedback row (None unless the config says so).
        """
        at = at or utc_now()
        sent = self.sent(key)
        if not self._valid(sent, kind, entry_id, unrecorded=unrecorded and key.startswith(INLINE_KEY_PREFIX)):
            return VoteResult(VoteOutcome.REFUSED, self.tally(key))
        question_id = sent.question_id if sent is not None else None
        if kind is FeedbackKind.NONE_OF_THESE and sent is not None:
            entry_id = sent.entry_id
        voter = _voter(key, user_id)
        with self.db.transaction() as connection:
            row = connection.execute(
                "SELECT kind, feedback_id FROM votes WHERE message_key = ? AND voter = ?", (key, voter)
            ).fetchone()
            if row is None:
                feedback_id = insert_feedback(
                    connection, kind, chat_type, entry_id, question_id=question_id, user_id=stored_user_id, at=at
                )
                connection.execute(
                    "INSERT INTO votes (message_key, voter, kind, feedback_id, voted_at) VALUES (?, ?, ?, ?, ?)",
                    (key, voter, kind.value, feedback_id, iso(at)),
                )
                outcome = VoteOutcome.COUNTED
            elif row["kind"] == kind.value:
                outcome = VoteOutcome.REPEATED
            else:
                connection.execute("UPDATE feedback SET kind = ? WHERE id = ?", (kind.value, row["feedback_id"]))
                connection.execute(
                    "UPDATE votes SET kind = ?, voted_at = ? WHERE message_key = ? AND voter = ?",
                    (kind.value, iso(at), key, voter),
                )
                outcome = VoteOutcome.CHANGED
        return VoteResult(outcome, self.tally(key), question_id)

    @staticmethod
    def _valid(sent: SentReply | None, kind: FeedbackKind, entry_id: str | None, *, unrecorded: bool) -> bool:
        if sent is None:
            return unrecorded and kind is not FeedbackKind.NONE_OF_THESE and bool(entry_id)
        if kind is FeedbackKind.NONE_OF_THESE:
            return sent.outcome is Outcome.SUGGEST
        return sent.outcome is Outcome.ANSWER and sent.entry_id == entry_id
