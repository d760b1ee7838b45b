"""Files sent by staff in a chat: which staff file each is, and what is refused before it is read."""

from __future__ import annotations

import dataclasses
import enum

from bot.core.files.locations import FAQ_FILE
from bot.core.files.problems import InvalidFileError, Problem
from bot.core.files.yamlfile import parse_yaml

YAML_SUFFIXES = (".yaml", ".yml")


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
