"""End-to-end: /announce through the real application — preview, options, confirm, exactly once."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import Config
from bot.tg.announcements import texts as announce_texts
from tests.kit.api import ApiCall, ApiError, FakeBotApi
from tests.kit.constants import ADMIN_ID, JSON, USER_ID
from tests.kit.harness import Harness, running
from tests.kit.html import visible_text
from tests.test_tg_announcements import GROUPS, KICKED, add_bot_to, deliveries, fail_for, messages_to, run_job, service


async def announce(bot: Harness, text: str, **kwargs: Any) -> tuple[ApiCall, ApiCall]:
    """Send ``/announce`` as the admin; the preview and the controls under it."""
    calls = await bot.ask(text, user=bot.payloads.user(ADMIN_ID), **kwargs)
    preview, controls = (call for call in calls if call.method == "sendMessage")
    return preview, controls


async def press(bot: Harness, controls: ApiCall, label: str) -> list[ApiCall]:
    return await bot.press(controls, label, user=bot.payloads.user(ADMIN_ID))


def edited_controls(calls: list[ApiCall]) -> ApiCall:
    (edit,) = [call for call in calls if call.method == "editMessageText"]
    return edit


async def test_announce_previews_and_sends_nothing_before_confirm(bot: Harness) -> None:
    for chat_id in GROUPS[:3]:
        await add_bot_to(bot, chat_id)
    added = len(bot.api.calls)  # the groups got the bot's greeting, nothing since
    text = "【通知】明天上午9:00开会，请准时参加。\n地点：市委党校 <三楼>"
    preview, controls = await announce(bot, f"/announce {text}")
    assert preview.text == text  # exactly as it will be sent …
    assert preview.params.get("parse_mode") is None  # … as plain text, like the broadcast
    shown = visible_text(controls.text)
    assert "发送给：所有群组（3 个聊天）\n在群组中置顶：否" in shown
    assert controls.button_labels == [
        "✅ 群组",
        "订阅者",
        "全部",
        "在群组中置顶：否",
        announce_texts.CONFIRM,
        announce_texts.CANCEL,
    ]
    assert all(call.chat_id == ADMIN_ID for call in bot.api.called("sendMessage")[-2:])
    assert not [call for call in bot.api.calls[added:] if call.chat_id in GROUPS and call.method == "sendMessage"]

    changed = edited_controls(await press(bot, controls, "在群组中置顶"))
    assert "在群组中置顶：是" in visible_text(changed.text)
    changed = edited_controls(await press(bot, changed, "全部"))
    assert "所有群组和订阅者（3 个聊天）" in visible_text(changed.text)
    assert changed.button_labels[:3] == ["群组", "订阅者", "✅ 全部"]

    calls = await press(bot, changed, "确认发送")
    assert deliveries(calls, text) == dict.fromkeys(GROUPS[:3], 1)
    assert {call.params["chat_id"] for call in calls if call.method == "pinChatMessage"} == set(GROUPS[:3])
    assert "已确认，正在发送给 3 个聊天" in visible_text(edited_controls(calls).text)
    (report,) = messages_to(calls, ADMIN_ID)
    assert visible_text(report) == "通知发送完毕：共 3 个聊天，送达 3 个，失败 0 个。"

    again = await press(bot, changed, "确认发送")  # a second press on the old keyboard
    assert [call.params.get("text") for call in again if call.method == "answerCallbackQuery"] == [
        announce_texts.DONE_ALREADY
    ]
    assert not [call for call in again if call.method == "sendMessage"]


async def test_cancel_sends_nothing(bot: Harness) -> None:
    await add_bot_to(bot, -101)
    added = len(bot.api.calls)  # the group got the bot's greeting, nothing since
    _, controls = await announce(bot, "/announce 取消测试")
    calls = await press(bot, controls, "取消")
    assert visible_text(edited_controls(calls).text) == "已取消，这条通知没有发送。"
    assert edited_controls(calls).keyboard == []
    assert await press(bot, controls, "确认发送") != []
    assert not [call for call in bot.api.calls[added:] if call.chat_id == -101 and call.method == "sendMessage"]


async def test_announce_keeps_formatting_and_can_announce_a_replied_message(bot: Harness) -> None:
    await add_bot_to(bot, -101)
    text = "/announce 请 务必 参加"
    bold = {"type": "bold", "offset": 12, "length": 2}
    command = {"type": "bot_command", "offset": 0, "length": 9}
    preview, controls = await announce(bot, text, entities=[command, bold])
    assert preview.text == "请 <b>务必</b> 参加"
    assert preview.params["parse_mode"] == "HTML"
    calls = await press(bot, controls, "确认发送")
    (sent,) = [call for call in calls if call.chat_id == -101 and call.method == "sendMessage"]
    assert (sent.text, sent.params["parse_mode"]) == ("请 <b>务必</b> 参加", "HTML")

    original = bot.payloads.message_dict("周五前交材料 & 表格", user=bot.payloads.user(ADMIN_ID))
    preview, _ = await announce(bot, "/announce", reply_to=original)
    assert (preview.text, preview.params.get("parse_mode")) == ("周五前交材料 & 表格", None)


async def test_announce_without_text_explains_how(bot: Harness) -> None:
    (usage,) = messages_to(await bot.ask("/announce", user=bot.payloads.user(ADMIN_ID)), ADMIN_ID)
    assert visible_text(usage).startswith("用法：/announce 通知内容")


async def test_broadcast_with_a_kicked_group_goes_on_and_reports_it(bot: Harness) -> None:
    for chat_id in GROUPS:
        await add_bot_to(bot, chat_id)
    await bot.ask("/subscribe")
    fail_for(bot.api, "sendMessage", {KICKED}, 403, "Forbidden: bot was kicked from the group chat")
    _, controls = await announce(bot, "/announce 全体通知")
    changed = edited_controls(await press(bot, controls, "全部"))
    calls = await press(bot, changed, "确认发送")
    assert deliveries(calls, "全体通知") == {chat_id: 1 for chat_id in (*GROUPS, USER_ID) if chat_id != KICKED}
    (report,) = messages_to(calls, ADMIN_ID)
    assert "共 7 个聊天，送达 6 个，失败 1 个" in visible_text(report)
    assert (
        "· 群“群-103”（-103）：机器人无权在这里发言（已被移出、被踢出或被屏蔽）（Forbidden: bot was kicked from the group chat）"
        in visible_text(report)
    )
    record = service(bot).registry.chat(KICKED)
    assert record is not None
    assert not record.active
    _, controls = await announce(bot, "/announce 下一条")
    assert "所有群组（5 个聊天）" in visible_text(controls.text)  # the kicked group is no longer a target


async def test_pin_without_rights_is_reported_and_the_message_counts(bot: Harness) -> None:
    await add_bot_to(bot, -101, status="member")
    await add_bot_to(bot, -102)
    fail_for(
        bot.api, "pinChatMessage", {-101}, 400, "Bad Request: not enough rights to manage pinned messages in the chat"
    )
    _, controls = await announce(bot, "/announce 置顶通知")
    changed = edited_controls(await press(bot, controls, "在群组中置顶"))
    calls = await press(bot, changed, "确认发送")
    assert deliveries(calls, "置顶通知") == {-101: 1, -102: 1}
    pins = [call for call in calls if call.method == "pinChatMessage"]
    assert [call.params["disable_notification"] for call in pins] == [True, True]
    (report,) = messages_to(calls, ADMIN_ID)
    assert "送达 2 个，失败 0 个" in visible_text(report)
    assert "已送达但没能置顶：\n· 群“群-101”（-101）：没有置顶权限" in visible_text(report)


async def test_flood_control_is_waited_out_by_the_rate_limiter(bot: Harness) -> None:
    await add_bot_to(bot, -101)
    attempts = []

    def flooded_once(params: JSON) -> Any:
        attempts.append(params["chat_id"])
        if len(attempts) == 1:
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)  # the limiter waits 1.1 s
        return bot.api.default("sendMessage", params, ApiCall("sendMessage", params))

    _, controls = await announce(bot, "/announce 限流测试")
    bot.api.on("sendMessage", flooded_once)
    calls = await press(bot, controls, "确认发送")
    assert deliveries(calls, "限流测试") == {-101: 1}
    assert attempts[:2] == [-101, -101]


async def test_a_delivery_that_may_have_arrived_is_not_repeated_by_the_rate_limiter(bot: Harness) -> None:
    await add_bot_to(bot, -101)
    attempts = []

    def bad_gateway(params: JSON) -> Any:
        attempts.append(params["chat_id"])
        raise ApiError(502, "Bad Gateway")

    _, controls = await announce(bot, "/announce 网关故障")
    bot.api.on("sendMessage", bad_gateway)
    await press(bot, controls, "确认发送")
    assert attempts.count(-101) == 1  # the ledger retries it later, and knows it may be a duplicate


# -- crash and restart ----------------------------------------------------------------------------


class ProcessDiedError(BaseException):
    """The bot's process is killed here (nothing catches a BaseException that is not an Exception)."""


def dies_on_send(api: FakeBotApi, chat_id: int) -> None:
    def answer(params: JSON) -> Any:
        if int(params["chat_id"]) == chat_id:
            raise ProcessDiedError
        return api.default("sendMessage", params, ApiCall("sendMessage", params))

    api.on("sendMessage", answer)


async def test_crash_mid_broadcast_then_restart_gives_each_chat_exactly_one_copy(config: Config) -> None:
    async with running(config) as first:
        for chat_id in GROUPS:
            await add_bot_to(first, chat_id)
        _, controls = await announce(first, "/announce 不重不漏")
        dies_on_send(first.api, GROUPS[3])
        with pytest.raises(ProcessDiedError):
            await press(first, controls, "确认发送")
        before = deliveries(first.api.calls, "不重不漏")
    assert before == {-1001000000106: 1, -105: 1}  # sent in chat id order, then died sending to -104

    async with running(config) as second:  # a new process, the same database file
        calls = await run_job(second)
    after = deliveries(calls, "不重不漏")
    assert before + after == dict.fromkeys(GROUPS, 1)
    (report,) = messages_to(calls, ADMIN_ID)
    assert "共 6 个聊天，送达 6 个，失败 0 个" in visible_text(report)
    assert "可能收到了两份：\n· 群“群-104”（-104）" in visible_text(report)  # the one in flight at the crash


# -- the schedule ---------------------------------------------------------------------------------
