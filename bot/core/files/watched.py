"""One pipeline for the files staff edit: notice a change, validate it, put it in force whole.

A :class:`WatchedFile` keeps the version of one staff file in force in step with
the disk, the same way for the FAQ and for the schedule:

- :meth:`~WatchedFile.poll` (the periodic job) is cheap: it compares modification
  times and sizes, and only when those moved does it read the files and compare
  their content hash with the version in force.  With ``settle`` a change is acted
  on once the files stayed the same for one poll, so a file caught halfway through
  being saved is not reported as broken.  The same rejected content is reported once.
- :meth:`~WatchedFile.reload` checks the files now (``/reload``, start-up).
- :meth:`~WatchedFile.install` takes the bytes of a file sent by chat: precheck,
  validation in a temporary copy beside the live file, backup to ``history/``,
  atomic replace, and the new version in force — all under the one lock.

A file with errors never replaces the version in force.  Subclasses say how their
file is validated (:meth:`~WatchedFile.check`), what its digest is and what a new
version changes.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

from bot.core.files.history import backup, keep_mode, sync_directory, write_temporary
from bot.core.files.problems import Problem
from bot.core.files.uploads import UploadLimits, precheck

T = TypeVar("T")

# (modification time in ns, size in bytes) of each watched file; None when it is missing.
Stamps = tuple[tuple[int, int] | None, ...]

HISTORY_FOLDER = "history"
MISSING = "missing"  # the digest of a file that is not there


class ReloadStatus(enum.StrEnum):
    LOADED = "loaded"  # the new version is in force
    UNCHANGED = "unchanged"  # the files hold the version already in force
    INVALID = "invalid"  # the files have errors; the old version stays in force


@dataclass(frozen=True)
class Changes:
    """What a new version changes: items (entries, announcements) by id in file order, and other parts by name."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # e.g. the FAQ's synonyms or article

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.parts)


def item_changes(old: dict[str, object], new: dict[str, object], parts: tuple[str, ...] = ()) -> Changes:
    """Items added, removed and changed between two versions (``id → comparable item``, in file order)."""
    return Changes(
        added=tuple(key for key in new if key not in old),
        removed=tuple(key for key in old if key not in new),
        changed=tuple(key for key, item in new.items() if key in old and old[key] != item),
        parts=parts,
    )


@dataclass(frozen=True)
class FileUpdate(Generic[T]):
    """The outcome of one look at a staff file, a reload or an upload.

    ``problems`` are the errors of a rejected file, or the warnings of an accepted one;
    ``current`` is the version in force afterwards, ``previous`` the one a load replaced.
    """

    status: ReloadStatus
    problems: tuple[Problem, ...] = ()
    changes: Changes = Changes()
    digest: str = ""
    backup: Path | None = None
    current: T | None = None
    previous: T | None = None

    @property
    def ok(self) -> bool:
        return self.status is not ReloadStatus.INVALID

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.warning)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.warning)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes; :data:`MISSING` when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return MISSING


class WatchedFile(abc.ABC, Generic[T]):
    """A staff file's version in force, kept in step with the disk (thread-safe: one lock inside).

    Args:
        path: the file staff edit.
        settle: act on a change only once the files stayed the same for one poll.
        backup_prefix: the name of its copies in ``history/``.
    """

    def __init__(self, path: Path, *, settle: bool, backup_prefix: str) -> None:
        self.path = path
        self.settle = settle
        self.backup_prefix = backup_prefix
        self._lock = threading.RLock()
        self._seen: Stamps | None = None  # stamps of the files last dealt with
        self._pending: Stamps | None = None  # stamps seen once, waiting to settle
        self._rejected = ""  # digest of the last rejected content, reported once

    # -- what each kind of file says ------------------------------------------------------------
    @property
    @abc.abstractmethod
    def current(self) -> T:
        """The version in force."""

    @abc.abstractmethod
    def digest_of(self, version: T) -> str:
        """The content digest a version was read from."""

    @abc.abstractmethod
    def disk_digest(self) -> str:
        """The content digest of the files on disk now."""

    @abc.abstractmethod
    def check(self, path: Path, shown: str | None = None) -> tuple[T | None, list[Problem]]:
        """Validate a version of the file at ``path`` (the live one or a copy beside it); ``shown`` names it."""

    @abc.abstractmethod
    def put_in_force(self, version: T) -> T:
        """Make ``version`` the one in force (complete before anyone sees it); return the one it replaces."""

    @abc.abstractmethod
    def changes(self, old: T, new: T) -> Changes:
        """What ``new`` changes compared with ``old``."""

    @property
    def default_name(self) -> str:
        """How a file sent without a name is called in problems."""
        return self.path.name

    def watched(self) -> tuple[Path, ...]:
        """The file and the files read with it: a change to any of them means a reload."""
        return (self.path,)

    @property
    def history_dir(self) -> Path:
        return self.path.parent / HISTORY_FOLDER

    # -- the pipeline ---------------------------------------------------------------------------
    def stamps(self) -> Stamps:
        """Modification time and size of each watched file: the cheap change check."""
        result: list[tuple[int, int] | None] = []
        for path in self.watched():
            try:
                status = path.stat()
            except OSError:
                result.append(None)
            else:
                result.append((status.st_mtime_ns, status.st_size))
        return tuple(result)

    def poll(self) -> FileUpdate[T] | None:
        """The periodic check; None when there is nothing new to act on or report."""
        with self._lock:
            stamps = self.stamps()
            if stamps == self._seen:
                return None
            if self.settle and stamps != self._pending:
                self._pending = stamps
                return None
            result = self._reload(stamps)
            if result.status is ReloadStatus.UNCHANGED:
                return None
            if result.status is ReloadStatus.INVALID:
                if result.digest and result.digest == self._rejected:
                    return None
                self._rejected = result.digest
            return result

    def reload(self) -> FileUpdate[T]:
        """Check the files now, whether or not they look changed."""
        with self._lock:
            return self._reload(self.stamps())

    def install(self, raw: bytes, file_name: str | None, limits: UploadLimits, now: datetime) -> FileUpdate[T]:
        """Validate a file sent by chat and, if it is valid, make it the live file and the version in force.

        Returns:
            ``INVALID`` with the problems (nothing changed), ``UNCHANGED`` when the file is the
            one already in force, or ``LOADED`` with the changes and the backup.
        """
        shown = file_name or self.default_name
        if refused := precheck(raw, shown, limits.max_bytes):
            return FileUpdate(ReloadStatus.INVALID, tuple(refused))
        with self._lock:
            # Validated beside the live file, so what it refers to (the FAQ's article) is the live one's.
            temporary = write_temporary(self.path.parent, raw)
            try:
                version, found = self.check(temporary, shown)
                problems = tuple(found)
                if version is None:
                    return FileUpdate(ReloadStatus.INVALID, problems)
                digest = self.digest_of(version)
                if digest == self.digest_of(self.current) and self.path.is_file():
                    return FileUpdate(ReloadStatus.UNCHANGED, problems, digest=digest, current=self.current)
                saved = backup(self.path, self.history_dir, limits.history_keep, now, self.backup_prefix)
                keep_mode(temporary, self.path)
                os.replace(temporary, self.path)
                sync_directory(self.path.parent)
                self._seen = self._pending = self.stamps()
                return dataclasses.replace(self._load(version, problems, digest), backup=saved)
            finally:
                temporary.unlink(missing_ok=True)

    def edit(self, change: Callable[[str], str], limits: UploadLimits, now: datetime) -> FileUpdate[T]:
        """Change the live file's text and install the result exactly as an upload.

        The file is read, changed and installed under the lock, so a concurrent reload or
        upload cannot slip in between.  Errors of ``change`` and of reading propagate.
        """
        with self._lock:
            text = self.path.read_text(encoding="utf-8")
            return self.install(change(text).encode("utf-8"), self.default_name, limits, now)

    def _reload(self, stamps: Stamps) -> FileUpdate[T]:
        # The stamps are taken before the files are read: if they change while being
        # read, the next poll sees different stamps and looks again.
        self._seen = self._pending = stamps
        digest = self.disk_digest()
        if digest == self.digest_of(self.current):
            self._rejected = ""
            return FileUpdate(ReloadStatus.UNCHANGED, digest=digest, current=self.current)
        version, problems = self.check(self.path)
        if version is None:
            return FileUpdate(ReloadStatus.INVALID, tuple(problems), digest=digest)
        return self._load(version, tuple(problems), digest)

    def _load(self, version: T, problems: tuple[Problem, ...], digest: str) -> FileUpdate[T]:
        previous = self.put_in_force(version)
        self._rejected = ""
        return FileUpdate(
            ReloadStatus.LOADED, problems, self.changes(previous, version), digest, current=version, previous=previous
        )
