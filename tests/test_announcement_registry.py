"""The chat registry: groups through added / removed / kicked / migrated, and subscribers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.announcements.ledger import Ledger
from bot.core.announcements.model import Targets
from bot.core.announcements.registry import Audience, Change, ChatRegistry
from bot.core.storage.connection import Database

GROUP = -100


@pytest.fixture
def registry(tmp_path: Path) -> ChatRegistry:
    return ChatRegistry(Database(tmp_path / "bot.sqlite3"))


# (status, present) as Telegram reports the bot's membership
ADDED = ("member", True)
ADMIN = ("administrator", True)
LEFT = ("left", False)
KICKED = ("kicked", False)


@pytest.mark.parametrize(
    ("events", "changes", "active", "reason"),
    [
        pytest.param([ADDED], [Change.ADDED], True, "added", id="added"),
        pytest.param([ADDED, LEFT], [Change.ADDED, Change.REMOVED], False, "removed", id="removed"),
        pytest.param([ADDED, KICKED], [Change.ADDED, Change.REMOVED], False, "kicked", id="kicked"),
        pytest.param(
            [ADDED, KICKED, ADDED], [Change.ADDED, Change.REMOVED, Change.ADDED], True, "added", id="added again"
        ),
        pytest.param([ADDED, ADMIN], [Change.ADDED, Change.UNCHANGED], True, "added", id="promoted to admin"),
        pytest.param([ADDED, ADDED], [Change.ADDED, Change.UNCHANGED], True, "added", id="repeated update"),
        pytest.param(
            [ADDED, LEFT, KICKED],
            [Change.ADDED, Change.REMOVED, Change.UNCHANGED],
            False,
            "kicked",
            id="left then banned",
        ),
    ],
)
def test_group_transitions(
    registry: ChatRegistry, events: list[tuple[str, bool]], changes: list[Change], active: bool, reason: str
) -> None:
    seen = [
        registry.bot_status_changed(GROUP, "group", "学员群", status, present=present) for status, present in events
    ]
    assert seen == changes
    record = registry.chat(GROUP)
    assert record is not None
    assert (record.active, record.reason, record.bot_status) == (active, reason, events[-1][0])


def test_removal_of_an_unknown_group_records_nothing(registry: ChatRegistry) -> None:
    assert registry.bot_status_changed(GROUP, "group", "x", "left", present=False) is Change.UNCHANGED
    assert registry.chats() == []


def test_private_chats_are_not_groups(registry: ChatRegistry) -> None:
    with pytest.raises(ValueError, match="not a group"):
        registry.bot_status_changed(5, "private", "", "member", present=True)


@pytest.mark.parametrize("new_known_first", [False, True], ids=["old id only", "new id already seen"])
def test_migration_keeps_the_registration_under_the_new_id(registry: ChatRegistry, new_known_first: bool) -> None:
    registry.bot_status_changed(GROUP, "group", "学员群", "member", present=True)
    original = registry.chat(GROUP)
    assert original is not None
    if new_known_first:
        registry.bot_status_changed(-1001, "supergroup", "学员群", "member", present=True)
    record = registry.migrated(GROUP, -1001)
    assert registry.chat(GROUP) is None
    assert (record.chat_id, record.type, record.active, record.title) == (-1001, "supergroup", True, "学员群")
    assert record.registered_at == original.registered_at
    assert registry.audience(Targets.GROUPS) == [(-1001, Audience.GROUP)]
    again = registry.migrated(GROUP, -1001)  # both the old and the new group report the migration
    assert (again.chat_id, again.active, again.registered_at) == (-1001, True, original.registered_at)
    assert len(registry.chats()) == 1


def test_migration_of_an_unknown_group_registers_the_supergroup(registry: ChatRegistry) -> None:
    record = registry.migrated(GROUP, -1001, "新群")
    assert (record.chat_id, record.active, record.reason, record.title) == (-1001, True, "migrated", "新群")


def test_migration_moves_undelivered_messages(registry: ChatRegistry) -> None:
    registry.bot_status_changed(GROUP, "group", "学员群", "member", present=True)
    ledger = Ledger(registry.db, registry)
    broadcast = ledger.start(ledger.draft("hi").id)
    assert broadcast is not None
    registry.migrated(GROUP, -1001)
    assert [(d.chat_id, d.state) for d in ledger.deliveries(broadcast.id)] == [(-1001, "pending")]


@pytest.mark.parametrize(
    ("actions", "active", "reason", "results"),
    [
        pytest.param(["subscribe"], True, "subscribed", [True], id="subscribe"),
        pytest.param(["subscribe", "subscribe"], True, "subscribed", [True, False], id="subscribe twice"),
        pytest.param(["subscribe", "unsubscribe"], False, "unsubscribed", [True, True], id="unsubscribe"),
        pytest.param(["unsubscribe"], None, None, [False], id="unsubscribe unknown"),
        pytest.param(["subscribe", "blocked"], False, "blocked", [True, None], id="blocked the bot"),
        pytest.param(["subscribe", "blocked", "subscribe"], True, "subscribed", [True, None, True], id="back again"),
    ],
)
def test_subscribers(
    registry: ChatRegistry, actions: list[str], active: bool | None, reason: str | None, results: list[bool | None]
) -> None:
    seen: list[bool | None] = []
    for action in actions:
        if action == "subscribe":
            seen.append(registry.subscribe(7, "张三"))
        elif action == "unsubscribe":
            seen.append(registry.unsubscribe(7))
        else:
            registry.chat_gone(7, "forbidden")
            seen.append(None)
    assert seen == results
    record = registry.subscriber(7)
    assert ((record.active, record.reason) if record else (None, None)) == (active, reason)


def test_audience_by_targets(registry: ChatRegistry) -> None:
    registry.bot_status_changed(-1, "group", "a", "member", present=True)
    registry.bot_status_changed(-2, "supergroup", "b", "administrator", present=True)
    registry.bot_status_changed(-3, "group", "c", "member", present=True)
    registry.bot_status_changed(-3, "group", "c", "kicked", present=False)
    registry.subscribe(10)
    registry.subscribe(11)
    registry.unsubscribe(11)
    assert registry.audience(Targets.GROUPS) == [(-2, Audience.GROUP), (-1, Audience.GROUP)]
    assert registry.audience(Targets.SUBSCRIBERS) == [(10, Audience.SUBSCRIBER)]
    assert registry.audience_size(Targets.BOTH) == 3
    assert [(c.chat_id, c.active) for c in registry.chats()] == [(-1, True), (-2, True), (-3, False)]


def test_a_group_gone_during_a_broadcast_becomes_inactive(registry: ChatRegistry) -> None:
    registry.bot_status_changed(GROUP, "group", "学员群", "member", present=True)
    registry.chat_gone(GROUP, "forbidden")
    record = registry.chat(GROUP)
    assert record is not None
    assert (record.active, record.reason) == (False, "forbidden")
    assert "无权" in record.reason_label


def test_a_database_from_before_announcements_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = Database(path, target_version=1)
    old.connection.execute(
        "INSERT INTO feedback (created_at, chat_type, kind, entry_id) VALUES ('2026-01-01', 'private', 'up', 'a')"
    )
    old.close()
    registry = ChatRegistry(Database(path))
    assert registry.db.version >= 2
    assert registry.bot_status_changed(GROUP, "group", "学员群", "member", present=True) is Change.ADDED
    assert registry.db.connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("before", "chat_type", "new", "active"),
    [
        pytest.param(None, "group", True, True, id="unknown group registers"),
        pytest.param(None, "private", False, None, id="private chat is not a group"),
        pytest.param(KICKED, "group", False, False, id="a removed group stays removed"),
        pytest.param(ADDED, "supergroup", False, True, id="a known group is unchanged"),
    ],
)
def test_a_group_seen_for_the_first_time_registers(
    registry: ChatRegistry, before: tuple[str, bool] | None, chat_type: str, new: bool, active: bool | None
) -> None:
    if before is not None:
        registry.bot_status_changed(GROUP, "group", "学员群", before[0], present=True)
        registry.bot_status_changed(GROUP, "group", "学员群", before[0], present=before[1])
    assert registry.seen(GROUP, chat_type, "学员群") is new
    record = registry.chat(GROUP)
    assert (record.active if record else None) is active
    if new:
        assert record is not None
        assert record.reason == "seen"
