"""SQLite storage: WAL, versioned schema, atomic transactions, the journal."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.conversation import Responder
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.storage.connection import Database, SchemaTooNewError, migrations
from bot.core.usage.journal import FeedbackKind, Journal
from bot.paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def responder() -> Responder:
    return Responder(KnowledgeHolder(Snapshot.load(PROJECT_ROOT / "knowledge")))


def test_new_file_is_created_in_wal_mode_at_the_latest_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "sub" / "bot.sqlite3")
    assert db.version == migrations()[-1].version
    assert db.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    Database(tmp_path / "bot.sqlite3").close()
    db = Database(tmp_path / "bot.sqlite3")
    assert db.migrate() == []


def test_migrations_are_numbered_without_gaps() -> None:
    assert [m.version for m in migrations()] == list(range(1, len(migrations()) + 1))


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 999")
    connection.close()
    with pytest.raises(SchemaTooNewError):
        Database(path)


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")

    def crash_before_commit() -> None:
        with db.transaction() as connection:
            connection.execute(
                "INSERT INTO feedback (created_at, chat_type, kind, entry_id)"
                " VALUES ('2026-01-01', 'private', 'up', 'a')"
            )
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        crash_before_commit()
    assert db.connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


def test_journal_records_survive_reopening(tmp_path: Path, responder: Responder) -> None:
    path = tmp_path / "bot.sqlite3"
    journal = Journal(Database(path))
    question_id = journal.record_question(responder.reply("要去多久"), "private")
    journal.record_feedback(FeedbackKind.DOWN, "private", "duration", question_id=question_id)
    journal.record_feedback(FeedbackKind.NONE_OF_THESE, "group", None, question_id=12345)
    journal.db.close()

    reopened = Database(path)
    record = Journal(reopened).question(question_id)
    assert record is not None
    assert (record.text, record.outcome, record.entry_id, record.chat_type) == (
        "要去多久",
        "answer",
        "duration",
        "private",
    )
    rows = reopened.connection.execute(
        "SELECT kind, entry_id, question_id, user_id FROM feedback ORDER BY id"
    ).fetchall()
    assert [tuple(row) for row in rows] == [
        ("down", "duration", question_id, None),
        ("none_of_these", None, None, None),
    ]


def test_database_files_are_private_even_under_umask_022(tmp_path: Path, responder: Responder) -> None:
    old_umask = os.umask(0o022)
    try:
        db = Database(tmp_path / "bot.sqlite3")
        Journal(db).record_question(responder.reply("要去多长时间？"), "private")
        files = sorted(tmp_path.glob("bot.sqlite3*"))
        assert [path.name for path in files] == ["bot.sqlite3", "bot.sqlite3-shm", "bot.sqlite3-wal"]
        assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == dict.fromkeys(
            [path.name for path in files], 0o600
        )
        db.close()
    finally:
        os.umask(old_umask)


def test_an_old_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    Database(path).close()
    path.chmod(0o644)
    Database(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_old_question_texts_are_forgotten_but_still_counted(tmp_path: Path, responder: Responder) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    journal = Journal(db)
    now = datetime(2026, 9, 1, tzinfo=UTC)
    for days_ago in (400, 181, 179, 1):
        journal.record_question(responder.reply("要去多长时间？"), "private", at=now - timedelta(days=days_ago))
    assert journal.forget_question_texts(now - timedelta(days=180)) == 2
    rows = db.connection.execute("SELECT text, normalized, entry_id FROM questions ORDER BY created_at").fetchall()
    assert [(row["text"], row["normalized"]) for row in rows[:2]] == [("", ""), ("", "")]
    assert all(row["text"] for row in rows[2:])
    assert [row["entry_id"] for row in rows] == ["duration"] * 4
    assert journal.forget_question_texts(now - timedelta(days=180)) == 0
    db.close()
