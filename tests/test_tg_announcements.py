"""End-to-end: announcements through the real application — the chat registry, subscriptions, the job."""

from __future__ import annotations

import inspect
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from telegram import ChatMemberAdministrator, ChatMemberBanned, ChatMemberRestricted

from bot.config import StaffConfig
from bot.core.announcements.service import AnnouncementService
from bot.tg import texts as tg_texts
from bot.tg.announcements import texts as announce_texts
from bot.tg.announcements.handlers import JOB_NAME
from tests.kit.api import ApiCall, ApiError, FakeBotApi
from tests.kit.constants import ADMIN_ID, JSON, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text

GROUPS = (-101, -102, -103, -104, -105, -1001000000106)  # four groups, two supergroups … ids as Telegram gives
KICKED = -103


def member_fields(status: str, **values: Any) -> JSON:
    """The fields Telegram sends with a member of ``status`` (all rights off), e.g. for an administrator."""
    kind = {"administrator": ChatMemberAdministrator, "restricted": ChatMemberRestricted, "kicked": ChatMemberBanned}
    if status not in kind:
        return values
    parameters = inspect.signature(kind[status]).parameters.values()
    names = [p.name for p in parameters if p.name not in ("user", "api_kwargs")]
    return {name: 0 if name == "until_date" else False for name in names} | values


def membership(bot: Harness, chat: JSON, old: str, new: str, **values: Any) -> JSON:
    """A my_chat_member update: the bot's status in ``chat`` went from ``old`` to ``new``."""
    return bot.payloads.my_chat_member(chat, old, new, **member_fields(new, **values))


def service(bot: Harness) -> AnnouncementService:
    return bot.app.bot_data.announcements


async def add_bot_to(bot: Harness, chat_id: int, *, status: str = "administrator", title: str = "") -> list[ApiCall]:
    chat = bot.payloads.group_chat(chat_id, title or f"群{chat_id}")
    return await bot.send(membership(bot, chat, "left", status))


async def run_job(bot: Harness) -> list[ApiCall]:
    """Run the scheduler job once, as the JobQueue would; return the Bot API calls it made."""
    (job,) = bot.app.job_queue.get_jobs_by_name(JOB_NAME) if bot.app.job_queue else ()
    before = len(bot.api.calls)
    await job.run(bot.app)
    return bot.api.calls[before:]


def messages_to(calls: list[ApiCall], chat_id: int) -> list[str]:
    return [call.text for call in calls if call.method == "sendMessage" and call.chat_id == chat_id]


def deliveries(calls: list[ApiCall], text: str) -> Counter[int]:
    """How many copies of ``text`` each group and subscriber got (calls that succeeded; not the preview)."""
    return Counter(
        chat_id
        for call in calls
        if call.method == "sendMessage" and call.text == text and call.result is not None
        if (chat_id := call.chat_id) is not None and chat_id != ADMIN_ID
    )


def fail_for(api: FakeBotApi, method: str, chat_ids: set[int], code: int, description: str) -> None:
    """Make ``method`` fail for some chats only; the rest are answered as usual."""

    def answer(params: JSON) -> Any:
        if int(params["chat_id"]) in chat_ids:
            raise ApiError(code, description)
        return api.default(method, params, ApiCall(method, params))

    api.on(method, answer)


# -- the registry --------------------------------------------------------------------------------


async def test_groups_register_themselves_and_leave(bot: Harness) -> None:
    calls = await add_bot_to(bot, -101, title="先锋团一群")
    assert messages_to(calls, ADMIN_ID) == ["机器人已加入群“先锋团一群”（-101），以后的群组通知会发到这里。"]
    await add_bot_to(bot, -102, status="member")
    chat = bot.payloads.group_chat(-102, "群-102")
    calls = await bot.send(membership(bot, chat, "member", "kicked"))
    assert "机器人已离开群“群-102”（-102）" in messages_to(calls, ADMIN_ID)[0]
    chat = bot.payloads.group_chat(-101, "先锋团一群")
    assert await bot.send(membership(bot, chat, "member", "administrator")) == []  # promoted: no news
    registry = service(bot).registry
    assert [(c.chat_id, c.active, c.reason, c.bot_status) for c in registry.chats()] == [
        (-101, True, "added", "administrator"),
        (-102, False, "kicked", "kicked"),
    ]
    (listing,) = messages_to(await bot.ask("/groups", user=bot.payloads.user(ADMIN_ID)), ADMIN_ID)
    assert visible_text(listing).startswith("已登记的群组：2 个（可发送 1 个）；订阅者：0 人。")
    assert "✅ 先锋团一群（-101）：机器人已加入，管理员" in visible_text(listing)
    assert "⛔ 群-102（-102）：机器人已被踢出群" in visible_text(listing)


async def test_a_restricted_bot_that_is_still_member_stays_registered(bot: Harness) -> None:
    chat = bot.payloads.group_chat(-101, "群")
    await bot.send(membership(bot, chat, "left", "restricted", is_member=True))
    record = service(bot).registry.chat(-101)
    assert record is not None
    assert record.active


async def test_migration_to_a_supergroup_keeps_the_registration(bot: Harness) -> None:
    await add_bot_to(bot, -101, title="学员群")
    old_chat = bot.payloads.group_chat(-101, "学员群")
    new_chat = bot.payloads.group_chat(-1001000000101, "学员群")
    await bot.send(
        bot.payloads.update(message=bot.payloads.message_dict(chat=old_chat, migrate_to_chat_id=new_chat["id"]))
    )
    await bot.send(
        bot.payloads.update(message=bot.payloads.message_dict(chat=new_chat, migrate_from_chat_id=old_chat["id"]))
    )
    registry = service(bot).registry
    assert registry.chat(-101) is None
    record = registry.chat(-1001000000101)
    assert record is not None
    assert (record.active, record.type, record.title) == (True, "supergroup", "学员群")


async def test_subscribe_and_unsubscribe_in_private(bot: Harness) -> None:
    assert messages_to(await bot.ask("/subscribe"), USER_ID) == [announce_texts.SUBSCRIBED]
    assert "已经订阅" in messages_to(await bot.ask("/subscribe"), USER_ID)[0]
    assert "已退订" in messages_to(await bot.ask("/unsubscribe"), USER_ID)[0]
    assert "没有订阅" in messages_to(await bot.ask("/unsubscribe"), USER_ID)[0]
    await bot.ask("/subscribe")
    record = service(bot).registry.subscriber(USER_ID)
    assert record is not None
    assert (record.active, record.name) == (True, "")  # only the id is needed (staff.store_user_ids is off)


async def test_a_subscriber_s_name_is_kept_only_when_staff_record_who_is_who(tmp_path: Path) -> None:
    config = make_config(tmp_path, staff=StaffConfig(store_user_ids=True))
    async with running(config) as bot:
        await bot.ask("/subscribe")
        record = service(bot).registry.subscriber(USER_ID)
        assert record is not None
        assert record.name == "小王"


async def test_a_subscription_that_cannot_be_saved_is_said_plainly(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(service(bot).registry, "subscribe", disk_full)
    monkeypatch.setattr(service(bot).registry, "unsubscribe", disk_full)
    for command in ("/subscribe", "/unsubscribe"):
        (reply,) = messages_to(await bot.ask(command), USER_ID)
        assert "无法保存您的设置" in reply
        assert "没有生效" in reply


async def test_a_user_who_blocks_the_bot_is_unsubscribed(bot: Harness) -> None:
    await bot.ask("/subscribe")
    await bot.send(
        bot.payloads.my_chat_member(
            bot.payloads.private_chat(), "member", "kicked", user=bot.payloads.user(), **member_fields("kicked")
        )
    )
    record = service(bot).registry.subscriber(USER_ID)
    assert record is not None
    assert (record.active, record.reason) == (False, "blocked")


async def test_subscribe_in_a_group_does_nothing(bot: Harness) -> None:
    assert await bot.ask("/subscribe", chat=bot.payloads.group_chat()) == []


@pytest.mark.parametrize("command", ["/announce 你好", "/groups", "/schedule"])
async def test_staff_commands_are_refused_to_others(bot: Harness, command: str) -> None:
    await add_bot_to(bot, -101)
    calls = await bot.ask(command)
    assert messages_to(calls, USER_ID) == [tg_texts.ADMIN_ONLY]
    assert service(bot).ledger.unfinished() == []


# -- /announce ------------------------------------------------------------------------------------


async def test_the_job_is_scheduled_and_the_rate_limiter_is_in_place(bot: Harness) -> None:
    from bot.tg.ratelimit import RateLimiter

    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    assert job.callback.__name__ == "scheduler_job"
    assert isinstance(bot.app.bot.rate_limiter, RateLimiter)


async def test_a_group_from_before_the_registry_registers_with_its_first_message(bot: Harness) -> None:
    group = bot.payloads.group_chat(-107, "老群")
    calls = await bot.ask("/ask 要去多长时间？", chat=group)
    assert messages_to(calls, -107)  # answered as usual …
    record = service(bot).registry.chat(-107)  # … and registered
    assert record is not None
    assert (record.active, record.reason) == (True, "seen")


async def test_a_delivery_is_marked_started_only_as_its_request_leaves(bot: Harness) -> None:
    from bot.tg.announcements.sender import TelegramSender

    calls_before_start: list[int] = []
    result = await TelegramSender(bot.app.bot).send(
        -101, "通知", html=False, started=lambda: calls_before_start.append(len(bot.api.calls))
    )
    assert result.message_id is not None
    (index,) = calls_before_start
    assert [call.method for call in bot.api.calls[index:]] == ["sendMessage"]
