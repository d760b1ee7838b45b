"""Backups: the database and the knowledge folder in one dated archive, and putting them back.

The database is copied with SQLite's online backup API (a consistent snapshot even
while the bot writes, WAL included), never by copying the file.  The archive
(``faqbot-backup-YYYYMMDD-HHMMSS.tar.gz``) holds ``MANIFEST.json`` (time, schema
version, row counts, a SHA-256 of every file), ``database.sqlite3`` and
``knowledge/``.  A restore checks all of it before it touches anything, and moves
what it replaces aside instead of deleting it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bot.core.storage.connection import migrations

ARCHIVE_PREFIX = "faqbot-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
ARCHIVE_NAME = re.compile(r"^faqbot-backup-\d{8}-\d{6}(-\d+)?\.tar\.gz$")
ROOT = "faqbot-backup"
MANIFEST = "MANIFEST.json"
DATABASE = "database.sqlite3"
KNOWLEDGE = "knowledge"
FORMAT = 1


class BackupError(Exception):
    """A backup cannot be made or an archive cannot be restored; the message says why in one line."""


@dataclass(frozen=True)
class Manifest:
    """What an archive says about itself."""

    created_at: datetime
    schema_version: int
    rows: dict[str, int]  # table -> row count at the time of the backup
    files: dict[str, str]  # archive path (below the root folder) -> SHA-256

    @property
    def knowledge_files(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith(KNOWLEDGE + "/"))


def archive_name(moment: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{moment.astimezone(UTC):%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {
        table: int(connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])  # noqa: S608 - names from sqlite_master
        for table in tables
    }


def _knowledge_files(knowledge: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(knowledge.rglob("*")):
        relative = path.relative_to(knowledge)
        if path.is_file() and not path.is_symlink() and not any(part.startswith(".") for part in relative.parts):
            yield f"{KNOWLEDGE}/{relative.as_posix()}", path


def create_backup(source: sqlite3.Connection, knowledge: Path, destination: Path, *, now: datetime) -> Path:
    """Write one archive of the database behind ``source`` and the ``knowledge`` folder; return its path.

    Args:
        source: an open connection to the live database (the bot's own, or a fresh one).
        knowledge: the folder with faq.yaml and the other staff files.
        destination: a folder (the archive gets a dated name in it) or a ``.tar.gz`` file path.
        now: the time the archive is named after.
    """
    named = destination.name.endswith(ARCHIVE_SUFFIX)
    target = destination if named else _free_name(destination, archive_name(now))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".faqbot-backup-") as scratch:
        copy = Path(scratch) / DATABASE
        snapshot = sqlite3.connect(copy)
        try:
            source.backup(snapshot)  # the online backup API: one consistent snapshot
            snapshot.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            rows = _row_counts(snapshot)
            version = int(snapshot.execute("PRAGMA user_version").fetchone()[0])
        finally:
            snapshot.close()
        contents: dict[str, bytes] = {DATABASE: copy.read_bytes()}
        for name, path in _knowledge_files(knowledge):
            contents[name] = path.read_bytes()
        manifest = {
            "format": FORMAT,
            "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "schema_version": version,
            "rows": rows,
            "files": {name: _sha256(data) for name, data in contents.items()},
        }
        contents = {MANIFEST: json.dumps(manifest, ensure_ascii=False, indent=1).encode(), **contents}
        partial = Path(scratch) / target.name
        with tarfile.open(partial, "w:gz") as archive:
            for name, data in contents.items():
                info = tarfile.TarInfo(f"{ROOT}/{name}")
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))
        os.replace(partial, target)  # a reader never sees half an archive
    return target


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    counter = 1
    while target.exists():
        counter += 1
        target = folder / name.replace(ARCHIVE_SUFFIX, f"-{counter}{ARCHIVE_SUFFIX}")
    return target


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``folder``; return the deleted ones."""
    archives = sorted(path for path in folder.iterdir() if ARCHIVE_NAME.match(path.name))
    doomed = archives[:-keep] if keep > 0 else archives
    for path in doomed:
        path.unlink()
    return doomed


def read_archive(path: Path) -> tuple[Manifest, dict[str, bytes]]:
    """Open and check an archive: manifest, checksums, a sound database; return its contents.

    Raises:
        BackupError: the archive is not a faqbot backup, or it is damaged.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            contents: dict[str, bytes] = {}
            for member in archive.getmembers():
                parts = PurePosixPath(member.name).parts
                if not member.isfile():
                    continue
                if member.name.startswith("/") or ".." in parts or parts[0] != ROOT or len(parts) < 2:
                    raise BackupError(f"{path}: unexpected file {member.name!r} in the archive")
                extracted = archive.extractfile(member)
                assert extracted is not None
                contents["/".join(parts[1:])] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path}: not a readable backup archive ({error})") from None
    try:
        data = json.loads(contents.pop(MANIFEST))
        manifest = Manifest(
            created_at=datetime.fromisoformat(data["created_at"]),
            schema_version=int(data["schema_version"]),
            rows={str(key): int(value) for key, value in data["rows"].items()},
            files={str(key): str(value) for key, value in data["files"].items()},
        )
    except (KeyError, ValueError, TypeError, AttributeError):
        raise BackupError(f"{path}: no valid {MANIFEST}; is this a faqbot backup?") from None
    if set(contents) != set(manifest.files):
        missing = sorted(set(manifest.files) - set(contents)) or sorted(set(contents) - set(manifest.files))
        raise BackupError(f"{path}: the archive does not match its manifest ({', '.join(missing[:3])})")
    for name, digest in manifest.files.items():
        if _sha256(contents[name]) != digest:
            raise BackupError(f"{path}: {name} is damaged (its checksum does not match)")
    if DATABASE not in contents:
        raise BackupError(f"{path}: the archive has no database")
    latest = migrations()[-1].version
    if manifest.schema_version > latest:
        raise BackupError(
            f"{path}: the database has schema version {manifest.schema_version}, newer than this bot understands ({latest})"
        )
    _check_database(path, contents[DATABASE], manifest)
    return manifest, contents


def _check_database(path: Path, data: bytes, manifest: Manifest) -> None:
    with tempfile.TemporaryDirectory(prefix="faqbot-restore-") as scratch:
        copy = Path(scratch) / DATABASE
        copy.write_bytes(data)
        connection = sqlite3.connect(copy)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            rows = _row_counts(connection)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path}: the database in the archive is not usable ({error})") from None
        finally:
            connection.close()
    if verdict != "ok":
        raise BackupError(f"{path}: the database in the archive fails SQLite's integrity check ({verdict})")
    if rows != manifest.rows:
        raise BackupError(f"{path}: the database's rows do not match the manifest")


@dataclass(frozen=True)
class Restored:
    """What a restore put back and where it moved what was there before."""

    manifest: Manifest
    database: Path
    knowledge: Path
    moved_aside: tuple[Path, ...]


def restore_backup(archive: Path, database: Path, knowledge: Path, *, now: datetime) -> Restored:
    """Check ``archive`` and put its database at ``database`` and its knowledge at ``knowledge``.

    Existing files are not deleted: the database (with its -wal/-shm) and the knowledge
    folder are renamed to ``<name>.before-restore-<time>``.  The caller makes sure the
    bot is not running.

    Raises:
        BackupError: the archive is unusable; nothing was changed.
    """
    manifest, contents = read_archive(archive)
    stamp = f"before-restore-{now.astimezone(UTC):%Y%m%d-%H%M%S}"
    moved: list[Path] = []
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming_database = database.with_name(database.name + ".restoring")
    incoming_database.write_bytes(contents[DATABASE])
    incoming_knowledge = knowledge.with_name(knowledge.name + ".restoring")
    if incoming_knowledge.exists():
        shutil.rmtree(incoming_knowledge)
    for name in manifest.knowledge_files:
        target = incoming_knowledge / name.removeprefix(KNOWLEDGE + "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents[name])
    incoming_knowledge.mkdir(parents=True, exist_ok=True)
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        if path.exists():
            aside = path.with_name(f"{path.name}.{stamp}")
            os.replace(path, aside)
            moved.append(aside)
    if knowledge.exists() and any(knowledge.iterdir()):
        aside = knowledge.with_name(f"{knowledge.name}.{stamp}")
        os.replace(knowledge, aside)
        moved.append(aside)
    elif knowledge.exists():
        knowledge.rmdir()
    os.replace(incoming_database, database)
    os.replace(incoming_knowledge, knowledge)
    return Restored(manifest, database, knowledge, tuple(moved))
