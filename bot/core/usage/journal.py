"""The record of questions asked and reactions to replies (tables of migration 1), and of knowledge updates (2).

Staff reports (missed questions, statistics) read what this module writes.  No
user identity is stored unless the caller passes one (config ``staff.store_user_ids``).
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.core.conversation import Reply
from bot.core.files.watched import ReloadStatus
from bot.core.knowledge.reload import FaqUpdate
from bot.core.storage.clock import iso, utc_now
from bot.core.storage.connection import Database


class FeedbackKind(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    NONE_OF_THESE = "none_of_these"


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    created_at: datetime
    chat_type: str
    text: str
    normalized: str
    outcome: str
    entry_id: str | None
    score: float


def insert_feedback(
    connection: sqlite3.Connection,
    kind: FeedbackKind,
    chat_type: str,
    entry_id: str | None,
    *,
    question_id: int | None,
    user_id: int | None,
    at: datetime,
) -> int:
    """One feedback row, inside the caller's transaction (a question id that does not exist is dropped)."""
    if question_id is not None:
        found = connection.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone()
        question_id = question_id if found is not None else None
    cursor = connection.execute(
        "INSERT INTO feedback (created_at, chat_type, kind, entry_id, question_id, user_id) VALUES (?, ?, ?, ?, ?, ?)",
        (iso(at), chat_type, kind.value, entry_id, question_id, user_id),
    )
    return int(cursor.lastrowid or 0)


class Journal:
    """Writes and reads the question and feedback records."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record_question(
        self, reply: Reply, chat_type: str, *, user_id: int | None = None, at: datetime | None = None
    ) -> int:
        """Store one asked question and what the bot did; return its record id."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO questions (created_at, chat_type, text, normalized, outcome, entry_id, score, user_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    iso(at or utc_now()),
                    chat_type,
                    reply.query,
                    reply.normalized,
                    reply.outcome.value,
                    reply.entry_id,
                    reply.score,
                    user_id,
                ),
            )
            return int(cursor.lastrowid or 0)

    def record_feedback(
        self,
        kind: FeedbackKind,
        chat_type: str,
        entry_id: str | None,
        *,
        question_id: int | None = None,
        user_id: int | None = None,
        at: datetime | None = None,
    ) -> int:
        """Store a 👍, 👎 or "none of these" press; return its record id."""
        with self.db.transaction() as connection:
            return insert_feedback(
                connection, kind, chat_type, entry_id, question_id=question_id, user_id=user_id, at=at or utc_now()
            )

    def forget_question_texts(self, before: datetime) -> int:
        """Blank the text of the questions asked before ``before`` (their counts stay for /stats); how many."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE questions SET text = '', normalized = '' WHERE created_at < ? AND (text != '' OR normalized != '')",
                (iso(before),),
            )
            return cursor.rowcount

    def _question_exists(self, question_id: int) -> bool:
        row = self.db.connection.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone()
        return row is not None

    def question(self, question_id: int) -> QuestionRecord | None:
        row = self.db.connection.execute("SELECT * FROM questions WHERE id = ?", (question_id,)).fetchone()
        if row is None:
            return None
        return QuestionRecord(
            id=row["id"],
            created_at=datetime.fromisoformat(row["created_at"]),
            chat_type=row["chat_type"],
            text=row["text"],
            normalized=row["normalized"],
            outcome=row["outcome"],
            entry_id=row["entry_id"],
            score=row["score"],
        )

    def most_asked(self, limit: int, *, since: datetime) -> list[str]:
        """The ids of the entries answered most often since ``since``, most asked first."""
        rows = self.db.connection.execute(
            "SELECT entry_id, COUNT(*) AS n FROM questions"
            " WHERE outcome = 'answer' AND entry_id IS NOT NULL AND created_at >= ?"
            " GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
            (iso(since), limit),
        ).fetchall()
        return [str(row["entry_id"]) for row in rows]


def record_knowledge_update(
    db: Database, source: str, result: FaqUpdate, *, user_id: int | None = None, at: datetime | None = None
) -> None:
    """Store a loaded or refused version of the knowledge (``source``: watch, reload or upload)."""
    if result.status is ReloadStatus.UNCHANGED:
        return
    changes = result.changes
    with db.transaction() as connection:
        connection.execute(
            "INSERT INTO knowledge_updates (created_at, source, status, digest, added, removed, changed, problems, user_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                iso(at or utc_now()),
                source,
                result.status.value,
                result.digest,
                len(changes.added),
                len(changes.removed),
                len(changes.changed),
                len(result.errors),
                user_id,
            ),
        )
