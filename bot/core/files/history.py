"""Writing staff files safely: atomic replacement, and dated copies in ``history/``.

A file is written to a temporary file in its own folder (same file system), flushed
and fsynced, then renamed over the target (``os.replace`` is atomic on one file
system), so a crash at any moment leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one."""
    temporary = write_temporary(path.parent, data)
    try:
        keep_mode(temporary, path)
        os.replace(temporary, path)
        sync_directory(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def backup(path: Path, history_dir: Path, keep: int, now: datetime, prefix: str) -> Path | None:
    """Copy ``path`` to ``history_dir`` with a timestamp; keep the newest ``keep`` copies of that ``prefix``."""
    if not path.is_file():
        return None
    history_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    # Copies made within the same second are numbered after the newest one (even if older ones were pruned).
    same_second = [
        _backup_order(found, prefix)[1]
        for found in backups(history_dir, prefix)
        if _backup_order(found, prefix)[0] == stamp
    ]
    counter = max(same_second, default=0) + 1
    suffix = f"-{counter}" if counter > 1 else ""
    target = history_dir / f"{prefix}{stamp}{suffix}{path.suffix}"
    write_atomically(target, path.read_bytes())
    shutil.copystat(path, target)
    prune_history(history_dir, keep, prefix)
    return target


def backups(history_dir: Path, prefix: str) -> list[Path]:
    """The backups in ``history_dir`` (of the FAQ, or of the file ``prefix`` names), oldest first."""
    if not history_dir.is_dir():
        return []
    found = [path for path in history_dir.iterdir() if path.name.startswith(prefix) and path.is_file()]
    return sorted(found, key=lambda path: _backup_order(path, prefix))


def prune_history(history_dir: Path, keep: int, prefix: str) -> list[Path]:
    """Delete all but the newest ``keep`` backups; return those deleted."""
    found = backups(history_dir, prefix)
    doomed = found[: max(len(found) - max(keep, 1), 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def write_temporary(folder: Path, data: bytes) -> Path:
    """A flushed and fsynced temporary file in ``folder`` (same file system as the target)."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".upload-", suffix=".yaml.tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def keep_mode(temporary: Path, target: Path) -> None:
    """Give ``temporary`` the permissions of the file it replaces (a new file: 0644), not mkstemp's 0600."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    temporary.chmod(mode)


def sync_directory(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _backup_order(path: Path, prefix: str) -> tuple[str, int]:
    """Backups sort by their timestamp, then by the counter of same-second copies."""
    stem = path.name.removeprefix(prefix).split(".", 1)[0]
    parts = stem.split("-")
    counter = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
    return "-".join(parts[:2]), counter
