"""One running bot per database: ``faqbot run`` holds a lock file beside it for its whole life.

``faqbot restore`` refuses while the lock is held and ``faqbot status`` uses it to
tell whether the bot runs.  The lock is an ``flock`` on ``<database>.lock``, so it is
released by the kernel however the process ends; the file only carries the pid.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class AlreadyRunningError(Exception):
    """Another process holds the database's run lock."""

    def __init__(self, database: Path, pid: int | None) -> None:
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"the bot is already running on {database} ({who}); stop it first")
        self.pid = pid


class RunLock:
    """``with RunLock(database):`` — hold the database's run lock or raise :class:`AlreadyRunningError`."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunningError(self.database, holder(self.database)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()


def holder(database: Path) -> int | None:
    """The pid of the running bot on ``database``, or None when nobody holds the lock."""
    path = lock_path(database)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = path.read_text(encoding="ascii", errors="replace").strip()
            return int(text) if text.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
