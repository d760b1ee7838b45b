"""SQLite storage: one database file, WAL journal, a schema that migrates itself forward.

Migrations are the numbered ``migrations/NNNN_name.sql`` files of this package,
applied in order inside one transaction each; ``PRAGMA user_version`` records the
last one applied.  Feature modules (feedback, question log, chat registry,
deliveries) each own their tables and take a :class:`Database`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    """One schema step."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with the package, oldest first."""
    found = []
    for item in resources.files(__package__).joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(item.name)
        if match:
            found.append(Migration(int(match.group(1)), item.name, item.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1, 2, 3 … without gaps, found {versions}")
    return found


class SchemaTooNewError(Exception):
    """The database was written by a newer version of the bot."""


class Database:
    """An open database connection whose schema is up to date.

    Every write goes through ``with db.transaction():`` so it is committed whole
    or not at all; with WAL and ``synchronous=FULL`` a committed record survives a
    crash of the process at any later point.
    """

    def __init__(self, path: Path | str, *, target_version: int | None = None) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _private_file(self.path)
        self.connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, detect_types=0)
        self.connection.row_factory = sqlite3.Row
        try:
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=FULL")
            self.connection.execute("PRAGMA foreign_keys=ON")
            self.connection.execute("PRAGMA busy_timeout=5000")
            self.migrate(target_version)
        except BaseException:
            self.connection.close()  # not a database, or a failed migration (rolled back): do not leak it
            raise

    @property
    def version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, target_version: int | None = None) -> list[Migration]:
        """Apply the migrations the file has not seen yet; return those applied.

        Args:
            target_version: stop at this version (tests use it to build an old file).
        """
        available = migrations()
        latest = available[-1].version if available else 0
        if self.version > latest:
            raise SchemaTooNewError(
                f"database schema version {self.version} is newer than this bot understands ({latest})"
            )
        applied = []
        for migration in available:
            if migration.version <= self.version:
                continue
            if target_version is not None and migration.version > target_version:
                break
            with self.transaction():
                for statement in _statements(migration.sql):
                    self.connection.execute(statement)
                self.connection.execute(f"PRAGMA user_version = {migration.version}")
            applied.append(migration)
        return applied

    def transaction(self) -> _Transaction:
        """A context manager: BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error."""
        return _Transaction(self.connection)

    def close(self) -> None:
        self.connection.close()


def _private_file(path: Path) -> None:
    """Create the database file readable by its owner only (it holds questions and chat ids); tighten an old one.

    SQLite gives its -wal and -shm files the mode of the database file.
    """
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


class _Transaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        self.connection.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (``sqlite3.complete_statement`` decides where one ends)."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
