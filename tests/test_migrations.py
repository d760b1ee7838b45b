"""A database file written by an older schema version migrates forward with its rows intact."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.matching.thresholds import Outcome
from bot.core.storage.connection import Database, migrations
from bot.core.usage.journal import FeedbackKind, Journal
from bot.core.usage.missed import mark_handled, missed_report
from bot.core.usage.period import Period
from tests.staff_helpers import ask, react

AT = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
# The migration of the staff tools (its number depends on the order features were merged in).
STAFF_VERSION = next(m.version for m in migrations() if m.name.endswith("_staff_review.sql"))


def tables(db: Database) -> set[str]:
    rows = db.connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')").fetchall()
    return {row[0] for row in rows}


def fill_version_1(path: Path) -> list[tuple[object, ...]]:
    """A file at schema version 1 with questions and feedback; returns its rows."""
    db = Database(path, target_version=1)
    assert db.version == 1
    journal = Journal(db)
    declined = ask(journal, "食堂在哪", Outcome.DECLINE, AT)
    answered = ask(journal, "要去多久", Outcome.ANSWER, AT, entry_id="duration")
    react(journal, FeedbackKind.DOWN, answered, "duration", AT)
    react(journal, FeedbackKind.UP, None, "duration", AT)
    assert declined < answered
    rows = snapshot_rows(db)
    db.close()
    return rows


def snapshot_rows(db: Database) -> list[tuple[object, ...]]:
    questions = db.connection.execute("SELECT * FROM questions ORDER BY id").fetchall()
    feedback = db.connection.execute("SELECT * FROM feedback ORDER BY id").fetchall()
    return [tuple(row) for row in [*questions, *feedback]]


def test_version_1_file_migrates_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "faqbot.sqlite3"
    rows = fill_version_1(path)
    old = Database(path, target_version=1)
    assert "missed_handled" not in tables(old)
    old.close()

    db = Database(path)
    assert db.version == migrations()[-1].version >= STAFF_VERSION
    assert snapshot_rows(db) == rows
    assert {"missed_handled", "knowledge_updates", "questions_outcome_created_at"} <= tables(db)
    # The migrated file works for the staff tools.
    period = Period(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))
    groups = missed_report(db, period)
    assert [(group.text, group.count) for group in groups] == [("要去多久", 1), ("食堂在哪", 1)]
    assert mark_handled(db, period, groups[0].key, by=1, at=datetime(2025, 3, 1, 12, tzinfo=UTC)) is not None
    assert [group.text for group in missed_report(db, period)] == ["食堂在哪"]
    db.close()


def test_a_failing_migration_leaves_the_old_version(tmp_path: Path) -> None:
    """Each migration runs in one transaction: a file where the staff step cannot apply stays before it."""
    path = tmp_path / "faqbot.sqlite3"
    rows = fill_version_1(path)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE missed_handled (x)")  # makes the staff migration fail halfway
    connection.commit()
    connection.close()
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        Database(path)
    db = Database(path, target_version=1)
    assert db.version == STAFF_VERSION - 1
    assert "questions_outcome_created_at" not in tables(db)  # rolled back with the failing step
    assert snapshot_rows(db) == rows
    db.close()
