"""The one clock of stored times: UTC now, and the ISO 8601 form every table stores."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with seconds, the form stored in every table."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
