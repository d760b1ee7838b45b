"""End-to-end: announcements through the real application — registry, /announce, schedule, exactly once."""

from __future__ import annotations

import inspect
import shutil
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import ChatMemberAdministrator, ChatMemberBanned, ChatMemberRestricted

from bot.config import Config, StaffConfig
from bot.core.announcements.service import AnnouncementService
from bot.tg.announcements.handlers import JOB_NAME
from tests.announcement_fakes import Clock, at
from tests.kit.api import ApiCall, ApiError, FakeBotApi
from tests.kit.constants import ADMIN_ID, JSON, SHIPPED_KNOWLEDGE, USER_ID
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
    assert messages_to(await bot.ask("/subscribe"), USER_ID) == [
        "已订阅：以后的通知会发到这里。发送 /unsubscribe 可以随时退订。"
    ]
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
    assert messages_to(calls, USER_ID) == ["抱歉，这个命令只供管理员使用。"]
    assert service(bot).ledger.unfinished() == []


# -- /announce ------------------------------------------------------------------------------------


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
    assert controls.button_labels == ["✅ 群组", "订阅者", "全部", "在群组中置顶：否", "✅ 确认发送", "✖️ 取消"]
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
        "这条通知已经确认或取消过了。"
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

SCHEDULE = """\
announcements:
  - id: meeting
    text: 动员会明早九点开始
    at: 2026-03-02 09:00
    targets: both
    pin: true
  - id: morning
    text: 早上好，请报平安
    at: 2026-03-02 08:00
    repeat: cron
    cron: "0 8 * * 1-5"
    targets: subscribers
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, folder, ignore=shutil.ignore_patterns("source"))
    (folder / "announcements.yaml").write_text(SCHEDULE, encoding="utf-8")
    return folder


@asynccontextmanager
async def scheduled_bot(tmp_path: Path, knowledge: Path, now: datetime) -> AsyncIterator[tuple[Harness, Clock]]:
    clock = Clock(now)
    async with running(make_config(tmp_path, knowledge=knowledge)) as harness:
        service(harness).clock = clock
        yield harness, clock


async def setup_audience(bot: Harness) -> None:
    await add_bot_to(bot, -101)
    await add_bot_to(bot, -102)
    await bot.ask("/subscribe")


async def test_a_scheduled_announcement_fires_once(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 58)) as (bot, clock):
        await setup_audience(bot)
        assert deliveries(await run_job(bot), "动员会明早九点开始") == {}
        sent: Counter[int] = Counter()
        reports = []
        for minute in range(59, 63):  # the job runs every few seconds; here once a minute around 09:00
            clock.now = at(2, 8) + timedelta(minutes=minute)
            calls = await run_job(bot)
            sent += deliveries(calls, "动员会明早九点开始")
            reports += messages_to(calls, ADMIN_ID)
        assert sent == {-101: 1, -102: 1, USER_ID: 1}
        assert [visible_text(r) for r in reports] == [
            "定时通知“meeting”（2026-03-02 09:00）发送完毕：共 3 个聊天，送达 3 个，失败 0 个。"
        ]
        assert {call.params["chat_id"] for call in bot.api.called("pinChatMessage")} == {-101, -102}


async def test_a_repeating_announcement_fires_on_each_occurrence(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 0)) as (bot, clock):  # Monday 2 March
        await setup_audience(bot)
        await run_job(bot)
        received = []
        for day in range(2, 10):
            for hour, minute in ((7, 59), (8, 0), (8, 1), (12, 0)):
                clock.now = at(day, hour, minute)
                received += messages_to(await run_job(bot), USER_ID)
        assert received.count("早上好，请报平安") == 6  # Monday to Friday, then Monday again


@pytest.mark.parametrize(
    ("back_at", "sent", "notice"),
    [
        pytest.param(
            at(2, 9, 40),
            1,
            "原定 2026-03-02 09:00 发送，因机器人当时没有运行，现在补发（晚了 40 分钟）",
            id="within grace",
        ),
        pytest.param(at(2, 10, 5), 0, "“meeting”错过了 1 次（2026-03-02 09:00）", id="beyond grace"),
    ],
)
async def test_grace_period_after_downtime(
    tmp_path: Path, knowledge: Path, back_at: datetime, sent: int, notice: str
) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 30)) as (bot, _):
        await setup_audience(bot)
        await run_job(bot)
    # the bot is down from 08:30 …
    async with scheduled_bot(tmp_path, knowledge, back_at) as (bot, _):
        calls = await run_job(bot)
        assert deliveries(calls, "动员会明早九点开始") == ({-101: sent, -102: sent, USER_ID: sent} if sent else {})
        assert any(notice in visible_text(text) for text in messages_to(calls, ADMIN_ID))


async def test_a_bad_file_is_refused_and_the_old_schedule_keeps_running(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 50)) as (bot, clock):
        await setup_audience(bot)
        await run_job(bot)
        (knowledge / "announcements.yaml").write_text(
            SCHEDULE.replace("at: 2026-03-02 09:00", "at: 2026-03-02").replace("targets: both", "target: both"),
            encoding="utf-8",
        )
        clock.now = at(2, 8, 55)
        (notice,) = messages_to(await run_job(bot), ADMIN_ID)
        shown = visible_text(notice)
        assert shown.startswith("通知安排文件有错误，没有采用，继续按原来的安排发送（2 条定时通知）。")
        assert "announcements.yaml:4:9: 通知“meeting”的 at 只有日期，缺少时间" in shown
        assert "announcements.yaml:5:5: 通知“meeting”有一个不认识的键“target”：是不是想写 targets？" in shown
        clock.now = at(2, 9)
        calls = await run_job(bot)
        assert deliveries(calls, "动员会明早九点开始") == {-101: 1, -102: 1, USER_ID: 1}

        (knowledge / "announcements.yaml").write_text(SCHEDULE.replace("动员会", "总结会"), encoding="utf-8")
        clock.now = at(2, 9, 1)
        # "meeting" (09:00) is within the grace period: not called over, which a late start would contradict.
        (changed,) = (visible_text(text) for text in messages_to(await run_job(bot), ADMIN_ID))
        assert changed == "通知安排文件已更新：现在共有 2 条定时通知。发送 /schedule 查看。"

        (knowledge / "announcements.yaml").write_text(SCHEDULE.replace("动员会", "表彰会"), encoding="utf-8")
        clock.now = at(2, 10, 1)
        changed, warning = (visible_text(text) for text in messages_to(await run_job(bot), ADMIN_ID))
        assert changed == "通知安排文件已更新：现在共有 2 条定时通知。发送 /schedule 查看。"
        assert "提醒：通知“meeting”的发送时间已经过去，它不会再发送。" in warning


async def test_schedule_lists_what_is_coming(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 30)) as (bot, _):
        (listing,) = messages_to(await bot.ask("/schedule", user=bot.payloads.user(ADMIN_ID)), ADMIN_ID)
        lines = visible_text(listing).splitlines()
        assert lines[:4] == [
            "接下来要发送的定时通知：",
            "· 2026-03-02 09:00  “meeting” → 所有群组和订阅者，置顶",
            "· 2026-03-03 08:00  “morning” → 订阅者",
            "· 2026-03-04 08:00  “morning” → 订阅者",
        ]
        assert "· “morning”：按 cron “0 8 * * 1-5”（自 2026-03-02 08:00 起），早上好，请报平安" in lines


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
