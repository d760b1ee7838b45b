"""``faqbot status``: is the bot alive, and what state is it in — from its database and heartbeat.

Read-only: the database is opened without migrating it, so a status check never
changes the file of a running (or an older) bot.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.operations.heartbeat import INTERVAL_SECONDS, Heartbeat, heartbeat_path, read_heartbeat
from bot.core.operations.runlock import holder

STUCK_SENDING = timedelta(minutes=5)  # a delivery "sending" for longer than this did not finish
ALIVE_SLACK = 3  # heartbeats missed before the bot counts as not responding


@dataclass(frozen=True)
class KnowledgeVersion:
    digest: str
    at: datetime
    source: str


@dataclass(frozen=True)
class Status:
    """Everything ``faqbot status`` reports."""

    checked_at: datetime
    database: Path
    database_bytes: int
    running_pid: int | None
    heartbeat: Heartbeat | None
    last_activity: datetime | None  # the newest time recorded in the journal (questions, feedback, chats)
    last_knowledge_update: KnowledgeVersion | None
    broadcasts_sending: int
    deliveries_pending: int
    deliveries_sending: int
    deliveries_stuck: int
    questions_today: int
    handoffs_open: int = 0  # questions handed to staff and not answered or closed yet

    @property
    def alive(self) -> bool:
        """The run lock is held and the heartbeat is recent."""
        if self.running_pid is None or self.heartbeat is None:
            return False
        return self.checked_at - self.heartbeat.alive_at <= timedelta(seconds=INTERVAL_SECONDS * ALIVE_SLACK)

    @property
    def last_update_at(self) -> datetime | None:
        """When the bot last handled an update: the heartbeat's, else the journal's newest record."""
        beat = self.heartbeat.last_update_at if self.heartbeat is not None else None
        times = [t for t in (beat, self.last_activity) if t is not None]
        return max(times) if times else None

    def idle_for(self) -> timedelta | None:
        at = self.last_update_at
        return None if at is None else self.checked_at - at


def _database_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _scalar(connection: sqlite3.Connection, sql: str, *params: object) -> str | int | None:
    try:
        row = connection.execute(sql, params).fetchone()
    except sqlite3.OperationalError:  # a table an older schema does not have yet
        return None
    return row[0] if row else None


def _count(connection: sqlite3.Connection, sql: str, *params: object) -> int:
    return int(_scalar(connection, sql, *params) or 0)


def read_status(database: Path, *, now: datetime | None = None) -> Status:
    """Collect the status of the bot whose database is ``database`` (which must exist)."""
    now = now or datetime.now(UTC)
    connection = sqlite3.connect(database.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        newest = [
            str(_scalar(connection, f"SELECT MAX({column}) FROM {table}") or "")  # noqa: S608 - fixed names
            for table, column in (
                ("questions", "created_at"),
                ("feedback", "created_at"),
                ("chats", "updated_at"),
                ("subscribers", "updated_at"),
            )
        ]
        last_activity = max((t for t in map(_time, newest) if t is not None), default=None)
        try:
            row = connection.execute(
                "SELECT digest, created_at, source FROM knowledge_updates WHERE status = 'loaded'"
                " ORDER BY created_at DESC, id DESC LIMIT 1"
            ).fetchone()
        except sqlite3.OperationalError:
            row = None
        version = KnowledgeVersion(row[0], datetime.fromisoformat(row[1]), row[2]) if row else None
        stuck_before = (now - STUCK_SENDING).isoformat(timespec="seconds")
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0).isoformat(timespec="seconds")
        counts = [
            _count(connection, sql, *params)
            for sql, params in (
                ("SELECT COUNT(*) FROM broadcasts WHERE state = 'sending'", ()),
                ("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'", ()),
                ("SELECT COUNT(*) FROM deliveries WHERE state = 'sending'", ()),
                (
                    "SELECT COUNT(*) FROM deliveries WHERE state = 'sending' AND COALESCE(attempted_at, created_at) < ?",
                    (stuck_before,),
                ),
                ("SELECT COUNT(*) FROM questions WHERE created_at >= ?", (day_start,)),
                ("SELECT COUNT(*) FROM handoffs WHERE state IN ('open', 'replied')", ()),
            )
        ]
    finally:
        connection.close()
    return Status(
        checked_at=now,
        database=database,
        database_bytes=_database_bytes(database),
        running_pid=holder(database),
        heartbeat=read_heartbeat(heartbeat_path(database)),
        last_activity=last_activity,
        last_knowledge_update=version,
        broadcasts_sending=counts[0],
        deliveries_pending=counts[1],
        deliveries_sending=counts[2],
        deliveries_stuck=counts[3],
        questions_today=counts[4],
        handoffs_open=counts[5],
    )


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def _when(moment: datetime, now: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC ({_ago(now - moment)})"


def format_status(status: Status) -> str:
    """The report as lines of ``name: value``, for a person or a log."""
    now, beat = status.checked_at, status.heartbeat
    if status.alive and beat is not None:
        bot = f"running (pid {status.running_pid}, {beat.mode}, since {_when(beat.started_at, now)})"
    elif status.running_pid is not None:
        alive = _when(beat.alive_at, now) if beat else "never"
        bot = f"NOT RESPONDING (pid {status.running_pid} holds the database; last heartbeat {alive})"
    else:
        bot = "not running"
    lines = [f"bot: {bot}"]
    if beat is not None and beat.last_update_at is not None:
        lines.append(
            f"last update: {beat.last_update_id} ({beat.last_update_kind}) at {_when(beat.last_update_at, now)};"
            f" {beat.updates_handled} handled since start"
        )
    elif status.last_activity is not None:
        lines.append(f"last update: none since start; last recorded activity {_when(status.last_activity, now)}")
    else:
        lines.append("last update: none recorded")
    if beat is not None and beat.faq_digest:
        lines.append(f"FAQ in force: {beat.faq_entries} entries, version {beat.faq_digest[:12]}")
    if (version := status.last_knowledge_update) is not None:
        lines.append(f"last FAQ change: version {version.digest[:12]} by {version.source} at {_when(version.at, now)}")
    lines.append(f"questions today (UTC): {status.questions_today}")
    lines.append(
        f"announcements: {status.broadcasts_sending} broadcasts sending, {status.deliveries_pending} deliveries"
        f" pending, {status.deliveries_sending} sending ({status.deliveries_stuck} stuck for over"
        f" {int(STUCK_SENDING.total_seconds() // 60)} min)"
    )
    lines.append(f"questions handed to staff, still open: {status.handoffs_open}")
    lines.append(f"database: {status.database} ({status.database_bytes / 1024:.0f} KB)")
    return "\n".join(lines)
