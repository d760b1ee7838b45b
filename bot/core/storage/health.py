"""The database file's health: opened with care at start, watched while the bot runs.

At start, a file that is not a SQLite database (overwritten, truncated, another
program's file) is moved aside under a dated name and a new database is started,
so a supervisor does not restart the bot in a loop; the admins are told, and the
moved file is kept for whoever restores a backup.  While running, the file being
deleted or replaced (a new inode at the path) is noticed: the bot keeps writing to
the file it opened, which is no longer the one at the path, so every record from
then on would be lost at the next start.
"""

from __future__ import annotations

import enum
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.core.storage.connection import Database

logger = logging.getLogger(__name__)

_SIDE_FILES = ("-wal", "-shm")


class Start(enum.StrEnum):
    OPENED = "opened"  # the existing database
    CREATED = "created"  # there was none: a new, empty one
    REPLACED = "replaced"  # the file was not a database: moved aside, a new one started


@dataclass(frozen=True)
class Opened:
    db: Database
    start: Start
    moved_to: Path | None = None


def open_database(path: Path, now: datetime) -> Opened:
    """Open (or create) the database at ``path``; move aside a file that is not one.

    Raises:
        sqlite3.Error, OSError: the database cannot be opened for another reason (permissions, …).
        SchemaTooNewError: it was written by a newer version of the bot.
    """
    existed = path.is_file() and path.stat().st_size > 0
    try:
        return Opened(Database(path), Start.OPENED if existed else Start.CREATED)
    except sqlite3.DatabaseError as error:
        damaged = "not a database" in str(error) or "malformed" in str(error)
        if not existed or not damaged:
            raise
        moved_to = path.with_name(f"{path.name}.broken-{now:%Y%m%d-%H%M%S}")
        for suffix in ("", *_SIDE_FILES):
            source = path.with_name(path.name + suffix)
            if source.exists():
                source.rename(moved_to.with_name(moved_to.name + suffix))
        logger.error(
            "The database %s is not a SQLite database (%s): moved it to %s, started a new one", path, error, moved_to
        )
        return Opened(Database(path), Start.REPLACED, moved_to)


class FileState(enum.StrEnum):
    OK = "ok"
    GONE = "gone"
    REPLACED = "replaced"


class FileWatch:
    """Tells whether the file at a path is still the one that was opened there."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity = self._current()

    def _current(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino

    def state(self) -> FileState:
        current = self._current()
        if current is None:
            return FileState.GONE
        return FileState.OK if current == self._identity else FileState.REPLACED
