"""The running bot's heartbeat: a small JSON file beside the database, rewritten every half minute.

It says what the database does not: the last update the bot handled (of any kind,
``/start`` included), when the process last was alive, and the FAQ version it
serves.  Written atomically (a temporary file renamed over the old one), so a
reader never sees half a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

INTERVAL_SECONDS = 30.0


def heartbeat_path(database: Path) -> Path:
    return database.with_name(database.name + ".heartbeat.json")


@dataclass(frozen=True)
class Heartbeat:
    """What the bot last wrote about itself; times are aware datetimes (UTC)."""

    pid: int
    mode: str  # polling or webhook
    started_at: datetime
    alive_at: datetime
    updates_handled: int = 0
    last_update_id: int | None = None
    last_update_kind: str | None = None
    last_update_at: datetime | None = None
    faq_digest: str = ""
    faq_entries: int = 0


def write_heartbeat(path: Path, beat: Heartbeat) -> None:
    data = {
        key: value.isoformat(timespec="seconds") if isinstance(value, datetime) else value
        for key, value in asdict(beat).items()
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_heartbeat(path: Path) -> Heartbeat | None:
    """The last heartbeat, or None when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("started_at", "alive_at", "last_update_at"):
            if data.get(key) is not None:
                data[key] = datetime.fromisoformat(data[key])
        return Heartbeat(**data)
    except (OSError, ValueError, TypeError):
        return None


class UpdateTracker:
    """In the running bot: counts the updates handled and remembers the last one."""

    def __init__(self, *, pid: int, mode: str, started_at: datetime) -> None:
        self.pid, self.mode, self.started_at = pid, mode, started_at
        self.handled = 0
        self.last: tuple[int, str, datetime] | None = None

    def note(self, update_id: int, kind: str, at: datetime) -> None:
        self.handled += 1
        self.last = (update_id, kind, at)

    def beat(self, now: datetime, *, faq_digest: str, faq_entries: int) -> Heartbeat:
        update_id, kind, at = self.last if self.last is not None else (None, None, None)
        return Heartbeat(
            pid=self.pid,
            mode=self.mode,
            started_at=self.started_at,
            alive_at=now,
            updates_handled=self.handled,
            last_update_id=update_id,
            last_update_kind=kind,
            last_update_at=at,
            faq_digest=faq_digest,
            faq_entries=faq_entries,
        )


UNREACHABLE_FAILURES = 3  # failed update fetches …
UNREACHABLE_WINDOW_SECONDS = 300.0  # … within this long mean "unreachable", not a blip
UNREACHABLE_REPEAT_SECONDS = 1800.0  # say it again at most this often


class UnreachableTracker:
    """Decides when failed Bot API calls stop being a blip and deserve one clear warning."""

    def __init__(self) -> None:
        self.failures: list[float] = []
        self.warned_at = float("-inf")

    def failed(self, monotonic_now: float) -> bool:
        """Note one failure; True when the warning is due now."""
        self.failures = [t for t in self.failures if monotonic_now - t <= UNREACHABLE_WINDOW_SECONDS]
        self.failures.append(monotonic_now)
        if len(self.failures) < UNREACHABLE_FAILURES or monotonic_now - self.warned_at < UNREACHABLE_REPEAT_SECONDS:
            return False
        self.warned_at = monotonic_now
        return True

    def succeeded(self) -> None:
        self.failures.clear()
