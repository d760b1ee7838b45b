"""The chats announcements go to: the groups the bot is in, and the private chats that subscribed.

A group registers itself when the bot is added (Telegram's ``my_chat_member``
update) and becomes inactive, not forgotten, when the bot is removed or kicked.
A group upgraded to a supergroup keeps its registration under the new id, and
deliveries not yet made move with it.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.core.announcements import reasons
from bot.core.announcements.model import Targets
from bot.core.storage.clock import iso, utc_now
from bot.core.storage.connection import Database

GROUP_TYPES = ("group", "supergroup")


class Audience(enum.StrEnum):
    GROUP = "group"
    SUBSCRIBER = "subscriber"


class Change(enum.StrEnum):
    """What an update did to the registry."""

    ADDED = "added"  # registered, or active again
    REMOVED = "removed"  # now inactive
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ChatRecord:
    """One group in the registry."""

    chat_id: int
    type: str
    title: str
    active: bool
    reason: str
    bot_status: str
    registered_at: datetime
    updated_at: datetime

    @property
    def reason_label(self) -> str:
        return reasons.label(self.reason)


@dataclass(frozen=True)
class SubscriberRecord:
    """One private chat that subscribed (or did once)."""

    chat_id: int
    name: str
    active: bool
    reason: str
    subscribed_at: datetime
    updated_at: datetime


def _chat(row: sqlite3.Row) -> ChatRecord:
    return ChatRecord(
        chat_id=row["chat_id"],
        type=row["type"],
        title=row["title"],
        active=bool(row["active"]),
        reason=row["reason"],
        bot_status=row["bot_status"],
        registered_at=datetime.fromisoformat(row["registered_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _subscriber(row: sqlite3.Row) -> SubscriberRecord:
    return SubscriberRecord(
        chat_id=row["chat_id"],
        name=row["name"],
        active=bool(row["active"]),
        reason=row["reason"],
        subscribed_at=datetime.fromisoformat(row["subscribed_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


class ChatRegistry:
    """Reads and writes the ``chats`` and ``subscribers`` tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- groups ---------------------------------------------------------------------
    def bot_status_changed(
        self, chat_id: int, chat_type: str, title: str, status: str, *, present: bool, at: datetime | None = None
    ) -> Change:
        """Record the bot's new status in a group (from ``my_chat_member``).

        Args:
            status: Telegram's member status of the bot (member, administrator, restricted, left, kicked).
            present: whether the bot is now in the group.
        """
        if chat_type not in GROUP_TYPES:
            raise ValueError(f"not a group: {chat_type}")
        now = iso(at or utc_now())
        with self.db.transaction() as connection:
            row = connection.execute("SELECT * FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
            if row is None and not present:
                return Change.UNCHANGED
            if row is None:
                connection.execute(
                    "INSERT INTO chats (chat_id, type, title, active, reason, bot_status, registered_at, updated_at)"
                    " VALUES (?, ?, ?, 1, 'added', ?, ?, ?)",
                    (chat_id, chat_type, title, status, now, now),
                )
                return Change.ADDED
            was_active = bool(row["active"])
            reason = row["reason"] if present == was_active else "added"
            if not present:
                reason = "kicked" if status == "kicked" else "removed"
            connection.execute(
                "UPDATE chats SET type = ?, title = ?, active = ?, reason = ?, bot_status = ?, updated_at = ?"
                " WHERE chat_id = ?",
                (chat_type, title or row["title"], int(present), reason, status, now, chat_id),
            )
        if present == was_active:
            return Change.UNCHANGED
        return Change.ADDED if present else Change.REMOVED

    def seen(self, chat_id: int, chat_type: str, title: str, *, at: datetime | None = None) -> bool:
        """A message from a group the registry does not know (the bot was added before it kept one):
        register it; True when it was new.  Known groups are left as they are."""
        if chat_type not in GROUP_TYPES or self.chat(chat_id) is not None:  # the common case: no write
            return False
        now = iso(at or utc_now())
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO chats (chat_id, type, title, active, reason, bot_status, registered_at, updated_at)"
                " VALUES (?, ?, ?, 1, 'seen', 'member', ?, ?) ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, chat_type, title, now, now),
            )
        return cursor.rowcount > 0

    def migrated(self, old_id: int, new_id: int, title: str = "", *, at: datetime | None = None) -> ChatRecord:
        """A group became a supergroup: keep its registration (and undelivered deliveries) under ``new_id``."""
        now = iso(at or utc_now())
        with self.db.transaction() as connection:
            old = connection.execute("SELECT * FROM chats WHERE chat_id = ?", (old_id,)).fetchone()
            new = connection.execute("SELECT * FROM chats WHERE chat_id = ?", (new_id,)).fetchone()
            registered = old["registered_at"] if old is not None else now
            if new is None:
                connection.execute(
                    "INSERT INTO chats (chat_id, type, title, active, reason, bot_status, registered_at, updated_at)"
                    " VALUES (?, 'supergroup', ?, 1, 'migrated', ?, ?, ?)",
                    (
                        new_id,
                        title or (old["title"] if old else ""),
                        old["bot_status"] if old else "member",
                        registered,
                        now,
                    ),
                )
            else:
                connection.execute(
                    "UPDATE chats SET type = 'supergroup', title = ?, active = 1, reason = 'migrated',"
                    " registered_at = MIN(registered_at, ?), updated_at = ? WHERE chat_id = ?",
                    (title or new["title"], registered, now, new_id),
                )
            connection.execute("DELETE FROM chats WHERE chat_id = ?", (old_id,))
            connection.execute(
                "UPDATE deliveries SET chat_id = ? WHERE chat_id = ? AND state = 'pending' AND NOT EXISTS"
                " (SELECT 1 FROM deliveries AS other WHERE other.broadcast_id = deliveries.broadcast_id"
                " AND other.chat_id = ?)",
                (new_id, old_id, new_id),
            )
            connection.execute(  # the new id already had its own delivery of that broadcast
                "UPDATE deliveries SET state = 'failed', error = 'migrated' WHERE chat_id = ? AND state = 'pending'",
                (old_id,),
            )
            row = connection.execute("SELECT * FROM chats WHERE chat_id = ?", (new_id,)).fetchone()
        return _chat(row)

    def chat_gone(self, chat_id: int, reason: str, *, at: datetime | None = None) -> None:
        """Sending failed for good (e.g. Forbidden): the group or subscriber becomes inactive."""
        now = iso(at or utc_now())
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE chats SET active = 0, reason = ?, updated_at = ? WHERE chat_id = ? AND active = 1",
                (reason, now, chat_id),
            )
            connection.execute(
                "UPDATE subscribers SET active = 0, reason = ?, updated_at = ? WHERE chat_id = ? AND active = 1",
                ("blocked" if reason == "forbidden" else reason, now, chat_id),
            )

    def chat(self, chat_id: int) -> ChatRecord | None:
        row = self.db.connection.execute("SELECT * FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return _chat(row) if row is not None else None

    def chats(self) -> list[ChatRecord]:
        """Every registered group, active ones first, then by title."""
        rows = self.db.connection.execute("SELECT * FROM chats ORDER BY active DESC, title, chat_id").fetchall()
        return [_chat(row) for row in rows]

    # -- subscribers ----------------------------------------------------------------
    def subscribe(self, chat_id: int, name: str = "", *, at: datetime | None = None) -> bool:
        """Subscribe a private chat; False when it already was."""
        now = iso(at or utc_now())
        with self.db.transaction() as connection:
            row = connection.execute("SELECT active FROM subscribers WHERE chat_id = ?", (chat_id,)).fetchone()
            if row is not None and row["active"]:
                return False
            connection.execute(
                "INSERT INTO subscribers (chat_id, name, active, reason, subscribed_at, updated_at)"
                " VALUES (?, ?, 1, 'subscribed', ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
                " name = excluded.name, active = 1, reason = 'subscribed', subscribed_at = excluded.subscribed_at,"
                " updated_at = excluded.updated_at",
                (chat_id, name, now, now),
            )
        return True

    def unsubscribe(self, chat_id: int, *, reason: str = "unsubscribed", at: datetime | None = None) -> bool:
        """Unsubscribe a private chat; False when it was not subscribed."""
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "UPDATE subscribers SET active = 0, reason = ?, updated_at = ? WHERE chat_id = ? AND active = 1",
                (reason, iso(at or utc_now()), chat_id),
            )
        return cursor.rowcount > 0

    def subscriber(self, chat_id: int) -> SubscriberRecord | None:
        row = self.db.connection.execute("SELECT * FROM subscribers WHERE chat_id = ?", (chat_id,)).fetchone()
        return _subscriber(row) if row is not None else None

    def subscribers(self, *, active_only: bool = True) -> list[SubscriberRecord]:
        where = " WHERE active = 1" if active_only else ""
        rows = self.db.connection.execute(f"SELECT * FROM subscribers{where} ORDER BY chat_id").fetchall()  # noqa: S608
        return [_subscriber(row) for row in rows]

    # -- who receives what ----------------------------------------------------------
    def audience(self, targets: Targets) -> list[tuple[int, Audience]]:
        """The active chats an announcement to ``targets`` goes to; a chat appears once."""
        found: dict[int, Audience] = {}
        connection = self.db.connection
        if targets.groups:
            for row in connection.execute("SELECT chat_id FROM chats WHERE active = 1 ORDER BY chat_id"):
                found[row["chat_id"]] = Audience.GROUP
        if targets.subscribers:
            for row in connection.execute("SELECT chat_id FROM subscribers WHERE active = 1 ORDER BY chat_id"):
                found.setdefault(row["chat_id"], Audience.SUBSCRIBER)
        return list(found.items())

    def audience_size(self, targets: Targets) -> int:
        return len(self.audience(targets))
