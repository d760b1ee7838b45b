"""Install a staff file sent by chat (the FAQ, or the schedule): validate, back up, replace atomically, reload.

The upload is written to a temporary file in the knowledge folder and validated
there, so its passages are checked against the article beside the live file.  Only
a valid file is installed: the current one is copied to ``history/`` first, then
the temporary file is renamed over it (``os.replace`` is atomic on one file
system), so a crash at any moment leaves either the old file or the new one.
The schedule (``announcements.yaml``) goes through the same precheck, backup and
atomic write (:mod:`bot.core.announcements.upload`); :func:`upload_kind` tells the
two apart by their content, then by their name.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import os
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path

from bot.core.files.problems import InvalidFileError, Problem
from bot.core.files.yamlfile import parse_yaml
from bot.core.knowledge.model import FAQ_FILE, check_faq
from bot.core.knowledge.reload import KnowledgeReloader, ReloadResult, ReloadStatus

YAML_SUFFIXES = (".yaml", ".yml")
BACKUP_PREFIX = "faq-"


class UploadKind(enum.StrEnum):
    """Which staff file a sent file is."""

    FAQ = "faq"
    SCHEDULE = "schedule"


@dataclasses.dataclass(frozen=True)
class UploadLimits:
    """Limits from the config (``staff.max_upload_kb``, ``staff.history_keep``)."""

    max_bytes: int = 256 * 1024
    history_keep: int = 20


def is_yaml_name(file_name: str | None) -> bool:
    return bool(file_name) and str(file_name).lower().endswith(YAML_SUFFIXES)


def upload_kind(raw: bytes, file_name: str | None) -> UploadKind:
    """The schedule when the file's top level is ``announcements:`` (or, unreadable, when its name says so).

    Anything else is taken as the FAQ, whose checks then name what is wrong.
    """
    try:
        data = parse_yaml(raw, file_name or FAQ_FILE)
    except InvalidFileError:
        data = None
    if isinstance(data, dict):
        if "announcements" in data and "entries" not in data:
            return UploadKind.SCHEDULE
        if "entries" in data or "synonyms" in data:
            return UploadKind.FAQ
    stem = (file_name or "").lower()
    return UploadKind.SCHEDULE if stem.startswith(("announcement", "通知")) else UploadKind.FAQ


def refuse_early(file_name: str | None, size: int, max_bytes: int) -> list[Problem]:
    """Refusals decided by the name and size alone (before downloading a sent file)."""
    shown = file_name or FAQ_FILE
    if file_name and not is_yaml_name(file_name):
        message = "只能接收 .yaml 文本文件（faq.yaml 或 announcements.yaml）。请把文件直接作为文件发送，不要转成 Word 或 PDF。"
        return [Problem(shown, 1, 1, message)]
    if size > max_bytes:
        message = (
            f"文件太大（{(size + 1023) // 1024} KB，上限 {max_bytes // 1024} KB）。"
            "faq.yaml 和 announcements.yaml 通常只有几十 KB：请确认发送的是正确的文件。"
        )
        return [Problem(shown, 1, 1, message)]
    return []


def precheck(raw: bytes, file_name: str | None, max_bytes: int) -> list[Problem]:
    """Refuse what is plainly not an FAQ file before touching the disk."""
    shown = file_name or FAQ_FILE
    if problems := refuse_early(file_name, len(raw), max_bytes):
        return problems
    if not raw.strip():
        return [Problem(shown, 1, 1, "文件是空的。请发送完整的 faq.yaml 或 announcements.yaml。")]
    try:
        parse_yaml(raw, shown)  # UTF-8 text, no binary content, YAML syntax
    except InvalidFileError as error:
        return error.problems
    return []


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one."""
    temporary = _write_temporary(path.parent, data)
    try:
        _keep_mode(temporary, path)
        os.replace(temporary, path)
        _sync_directory(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def backup(path: Path, history_dir: Path, keep: int, now: datetime, prefix: str = BACKUP_PREFIX) -> Path | None:
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


def backups(history_dir: Path, prefix: str = BACKUP_PREFIX) -> list[Path]:
    """The backups in ``history_dir`` (of the FAQ, or of the file ``prefix`` names), oldest first."""
    if not history_dir.is_dir():
        return []
    found = [path for path in history_dir.iterdir() if path.name.startswith(prefix) and path.is_file()]
    return sorted(found, key=lambda path: _backup_order(path, prefix))


def prune_history(history_dir: Path, keep: int, prefix: str = BACKUP_PREFIX) -> list[Path]:
    """Delete all but the newest ``keep`` backups; return those deleted."""
    found = backups(history_dir, prefix)
    doomed = found[: max(len(found) - max(keep, 1), 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def install_upload(
    reloader: KnowledgeReloader, raw: bytes, file_name: str | None, limits: UploadLimits, now: datetime
) -> ReloadResult:
    """Validate an uploaded FAQ file and, if it is valid, make it the live one.

    Returns:
        ``INVALID`` with the problems (nothing changed), ``UNCHANGED`` when the file
        is the one already serving, or ``LOADED`` with the change summary and the backup.
    """
    shown = file_name or FAQ_FILE
    problems = precheck(raw, file_name, limits.max_bytes)
    if problems:
        return ReloadResult(ReloadStatus.INVALID, problems=tuple(problems))
    faq_path = reloader.faq_path
    with reloader.exclusive():
        temporary = _write_temporary(faq_path.parent, raw)
        try:
            knowledge, problems = check_faq(temporary)
            problems = [dataclasses.replace(problem, path=shown) for problem in problems]
            if knowledge is None:
                return ReloadResult(ReloadStatus.INVALID, problems=tuple(problems))
            if knowledge.digest == reloader.holder.snapshot.knowledge.digest and faq_path.is_file():
                return ReloadResult(ReloadStatus.UNCHANGED, problems=tuple(problems), digest=knowledge.digest)
            saved = backup(faq_path, reloader.history_dir, limits.history_keep, now)
            _keep_mode(temporary, faq_path)
            os.replace(temporary, faq_path)
            _sync_directory(faq_path.parent)
            result = reloader.adopt(dataclasses.replace(knowledge, source=faq_path), tuple(problems))
            return dataclasses.replace(result, backup=saved)
        finally:
            temporary.unlink(missing_ok=True)


def _write_temporary(folder: Path, data: bytes) -> Path:
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


def _keep_mode(temporary: Path, target: Path) -> None:
    """Give ``temporary`` the permissions of the file it replaces (a new file: 0644), not mkstemp's 0600."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    temporary.chmod(mode)


def _sync_directory(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _backup_order(path: Path, prefix: str = BACKUP_PREFIX) -> tuple[str, int]:
    """Backups sort by their timestamp, then by the counter of same-second copies."""
    stem = path.name.removeprefix(prefix).split(".", 1)[0]
    parts = stem.split("-")
    counter = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
    return "-".join(parts[:2]), counter
