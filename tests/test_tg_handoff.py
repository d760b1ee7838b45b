"""End-to-end: questions handed to staff and answers back, through the real application (no network)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ContactConfig, HandoffConfig
from bot.core.files.history import backups
from bot.core.handoffs import texts as handoff_texts
from bot.core.knowledge.reload import BACKUP_PREFIX
from bot.tg.handoffs.handlers import JOB_NAME
from tests.kit.api import ApiCall, ApiError
from tests.kit.constants import ADMIN_ID, BOT_USERNAME, GROUP_ID, JSON, OTHER_USER_ID, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text
from tests.staff_helpers import make_knowledge

STAFF_CHAT = -1009876543210
STAFF_MEMBER = 5005
DECLINED = "双百双招的干部要穿制服吗？"
SUGGESTING = ("干啥", "岗位", "先锋团")  # too little said to answer: "did you mean"


@pytest.fixture
async def own_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot with its own small knowledge folder (FAQ edits write there)."""
    config = make_config(tmp_path, knowledge=make_knowledge(tmp_path / "knowledge"))
    async with running(config) as harness:
        yield harness


def admin(bot: Harness, user_id: int = ADMIN_ID) -> JSON:
    return bot.payloads.user(user_id, first_name="管理员")


def sent_to(calls: list[ApiCall], chat_id: int) -> list[ApiCall]:
    return [call for call in calls if call.method == "sendMessage" and call.chat_id == chat_id]


def one_to(calls: list[ApiCall], chat_id: int) -> ApiCall:
    (call,) = sent_to(calls, chat_id)
    return call


def handoff_rows(bot: Harness) -> list[tuple[int, str, int | None]]:
    with sqlite3.connect(bot.config.database) as connection:
        return connection.execute("SELECT id, state, cadre_chat_id FROM handoffs ORDER BY id").fetchall()


async def hand_over(
    bot: Harness, message: ApiCall, user: JSON | None = None, *, label: str = "问工作人员", send: str = "发送"
) -> ApiCall:
    """Press «问工作人员» under ``message``, then «发送»; return the staff card sent to the admin."""
    confirm = one_to(await bot.press(message, label, user=user), USER_ID)
    assert "确认发送" in visible_text(confirm.text) or "確認發送" in visible_text(confirm.text)
    calls = await bot.press(confirm, send, user=user)
    (edited,) = [call for call in calls if call.method == "editMessageText"]
    assert "工作人员" in visible_text(edited.text) or "工作人員" in visible_text(edited.text)
    return one_to(calls, bot.config.staff_chat_id or ADMIN_ID)


async def staff_replies(bot: Harness, card: ApiCall, text: str, user: JSON | None = None) -> list[ApiCall]:
    chat = card.chat_id
    assert chat is not None
    who = user or admin(bot)
    place = bot.payloads.private_chat(chat) if chat > 0 else bot.payloads.group_chat(chat, "工作人员群")
    return await bot.send(bot.payloads.text(text, user=who, chat=place, reply_to=card.result))


async def test_decline_to_staff_and_the_reply_back(bot: Harness) -> None:
    declined = one_to(await bot.ask(DECLINED), USER_ID)
    card = await hand_over(bot, declined)

    shown = visible_text(card.text)
    assert DECLINED in shown
    assert "私聊" in shown and "没有答案" in shown
    assert card.button_labels == [handoff_texts.REPLY, handoff_texts.ADD, handoff_texts.DISMISS]
    assert handoff_rows(bot) == [(1, "open", USER_ID)]

    calls = await staff_replies(bot, card, "淮北今天晴，最高 12 度。")

    answer = visible_text(one_to(calls, USER_ID).text)
    assert answer.startswith("💬 工作人员回复了您的问题")
    assert DECLINED in answer and "淮北今天晴，最高 12 度。" in answer
    assert visible_text(one_to(calls, ADMIN_ID).text) == "✅ 答复已送达提问人（#1）。"
    assert handoff_rows(bot) == [(1, "answered", None)]  # the chat id is gone with the answer
    (refreshed,) = [call for call in calls if call.method == "editMessageText"]  # the card follows its state
    assert refreshed.params["message_id"] == card.result["message_id"]
    assert "（已答复）" in visible_text(refreshed.text)
    assert refreshed.button_labels == [handoff_texts.ADD]

    again = await staff_replies(bot, card, "补充一句")
    assert "已经答复过" in visible_text(one_to(again, ADMIN_ID).text)
    assert sent_to(again, USER_ID) == []


async def test_none_of_these_to_staff(tmp_path: Path) -> None:
    config = make_config(tmp_path, staff_chat_id=STAFF_CHAT)
    async with running(config) as bot:
        for question in SUGGESTING:
            suggestions = one_to(await bot.ask(question), USER_ID)
            if any("都不是" in label for label in suggestions.button_labels):
                break
        else:
            pytest.fail(f"none of {SUGGESTING} gets suggestions")
        none_reply = one_to(await bot.press(suggestions, "都不是"), USER_ID)
        assert handoff_texts.ASK_STAFF in none_reply.button_labels

        card = await hand_over(bot, none_reply)

        assert card.chat_id == STAFF_CHAT
        assert "建议都不是" in visible_text(card.text)
        assert "给出了建议" in visible_text(card.text)
        # any member of the staff group may answer, admin or not
        calls = await staff_replies(bot, card, "主要是招商引资和招才引智。", user=bot.payloads.user(STAFF_MEMBER))
        assert "主要是招商引资和招才引智。" in visible_text(one_to(calls, USER_ID).text)
        assert "已送达" in visible_text(one_to(calls, STAFF_CHAT).text)


async def test_thumbs_down_to_staff_with_the_answer(bot: Harness) -> None:
    answer = one_to(await bot.ask("要去多长时间？"), USER_ID)
    calls = await bot.press(answer, "没帮助")
    (markup,) = [call for call in calls if call.method == "editMessageReplyMarkup"]
    assert handoff_texts.ASK_STAFF in [button["text"] for row in markup.keyboard for button in row]
    assert "👎 没帮助 1" in [button["text"] for row in markup.keyboard for button in row]  # the votes stay

    confirm = one_to(await bot.send(bot.payloads.callback(markup.button_data("问工作人员"), answer.result)), USER_ID)
    assert "连同机器人给您的回答" in visible_text(confirm.text)
    assert "100天" in visible_text(confirm.text)
    card = one_to(await bot.press(confirm, "发送"), ADMIN_ID)
    assert "不满意" in visible_text(card.text)
    assert "duration" in visible_text(card.text)

    calls = await staff_replies(bot, card, "具体出发日期另行通知。")
    assert "具体出发日期另行通知。" in visible_text(one_to(calls, USER_ID).text)


async def test_a_group_question_goes_to_staff_only_from_a_private_chat(bot: Harness) -> None:
    group = bot.payloads.group_chat()
    declined = one_to(await bot.ask(f"/ask {DECLINED}", chat=group), GROUP_ID)
    (button,) = declined.buttons
    assert "callback_data" not in button  # nothing is sent to staff from the group itself
    payload = button["url"].removeprefix(f"https://t.me/{BOT_USERNAME}?start=")
    assert payload.startswith("staff_")
    assert handoff_rows(bot) == []

    confirm = one_to(await bot.ask(f"/start {payload}"), USER_ID)  # the link opens a private chat
    assert DECLINED in visible_text(confirm.text)
    calls = await bot.press(confirm, "发送")
    card = one_to(calls, ADMIN_ID)
    assert "群聊" in visible_text(card.text)
    assert handoff_rows(bot) == [(1, "open", USER_ID)]

    cancelled = one_to(await bot.ask(f"/start {payload}", user=bot.payloads.user(OTHER_USER_ID)), OTHER_USER_ID)
    (edited,) = [c for c in await bot.press(cancelled, "取消") if c.method == "editMessageText"]
    assert visible_text(edited.text) == handoff_texts.CANCELLED
    assert len(handoff_rows(bot)) == 1

    answer = one_to(await bot.ask("/ask 要去多长时间？", chat=group), GROUP_ID)
    (markup,) = [call for call in await bot.press(answer, "没帮助") if call.method == "editMessageReplyMarkup"]
    link = next(button for button in markup.buttons if button["text"] == handoff_texts.ASK_STAFF)
    assert "callback_data" not in link
    confirm = one_to(await bot.ask("/start " + link["url"].split("start=")[1]), USER_ID)
    assert "连同机器人给您的回答" in visible_text(confirm.text)  # the answer the 👎 was about

    (refused,) = sent_to(await bot.ask("/ask_staff 住宿怎么安排？", chat=group), GROUP_ID)
    assert "请私聊我" in visible_text(refused.text)


async def test_ask_staff_directly_with_a_limit(tmp_path: Path) -> None:
    config = make_config(tmp_path, handoffs=HandoffConfig(max_open_per_user=2))
    async with running(config) as bot:
        usage = one_to(await bot.ask("/ask_staff"), USER_ID)
        assert "/ask_staff 生活补助怎么发放" in visible_text(usage.text)
        usage = one_to(await bot.ask("/feedback"), USER_ID)  # what cadres try first
        assert "/ask_staff 生活补助怎么发放" in visible_text(usage.text)
        for number in (1, 2):
            calls = await bot.ask(f"/ask_staff 第{number}个问题：补助怎么发？")
            assert f"编号 {number}" in visible_text(one_to(calls, USER_ID).text)
            assert "直接问工作人员" in visible_text(one_to(calls, ADMIN_ID).text)
        calls = await bot.ask("/ask_staff 第3个问题")
        assert "已有 2 个问题在等工作人员回复" in visible_text(one_to(calls, USER_ID).text)
        assert sent_to(calls, ADMIN_ID) == []

        listing = visible_text(one_to(await bot.ask("/handoffs", user=admin(bot)), ADMIN_ID).text)
        assert listing.index("#1") < listing.index("#2")  # oldest first
        refused = one_to(await bot.ask("/handoffs"), USER_ID)
        assert "只有工作人员" in visible_text(refused.text)


async def test_a_non_admin_cannot_answer_close_or_add(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    card = await hand_over(bot, one_to(await bot.ask(DECLINED), USER_ID))
    stranger = bot.payloads.user(OTHER_USER_ID)
    for label in ("回复", "加入问答库", handoff_texts.DISMISS):
        with caplog.at_level(logging.WARNING, logger="bot.tg.handoffs.staff"):
            calls = await bot.press(card, label, user=stranger)
        (alert,) = [call for call in calls if call.method == "answerCallbackQuery"]
        assert alert.params["text"] == handoff_texts.NOT_STAFF
        assert [call.method for call in calls] == ["answerCallbackQuery"]
    assert any("non-staff user 3003" in record.getMessage() for record in caplog.records)
    assert handoff_rows(bot) == [(1, "open", USER_ID)]


async def test_no_reply_needed_closes_and_forgets(bot: Harness) -> None:
    card = await hand_over(bot, one_to(await bot.ask(DECLINED), USER_ID))
    calls = await bot.press(card, handoff_texts.DISMISS, user=admin(bot))
    assert "已关闭" in next(c for c in calls if c.method == "answerCallbackQuery").params["text"]
    assert handoff_rows(bot) == [(1, "closed", None)]
    (refreshed,) = [call for call in calls if call.method == "editMessageText"]
    assert "（已关闭）" in visible_text(refreshed.text)
    late = await staff_replies(bot, card, "晚到的答复")
    assert sent_to(late, USER_ID) == []


async def test_the_reply_button_prompts_and_a_blocked_cadre_is_reported(bot: Harness) -> None:
    card = await hand_over(bot, one_to(await bot.ask(DECLINED), USER_ID))
    prompt = one_to(await bot.press(card, "回复", user=admin(bot)), ADMIN_ID)
    assert prompt.params["reply_markup"]["force_reply"] is True

    def blocked(params: JSON) -> JSON:
        if int(params["chat_id"]) == USER_ID:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return bot.api.new_message(params, ApiCall("sendMessage", params))

    bot.api.on("sendMessage", blocked)
    calls = await staff_replies(bot, prompt, "答复")
    report = visible_text(next(call for call in calls if call.chat_id == ADMIN_ID).text)
    assert report.startswith("❌ 答复没能送达提问人（#1）")
    assert "屏蔽" in report
    assert handoff_rows(bot) == [(1, "answered", None)]


async def test_open_handoffs_survive_a_restart_and_a_reply_is_sent_once(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    async with running(config) as bot:
        card = await hand_over(bot, one_to(await bot.ask(DECLINED), USER_ID))
        second = await hand_over(bot, one_to(await bot.ask("双百双招期间要穿正装吗？"), USER_ID))
        # staff's reply to the second one is committed, then the bot dies before sending it
        store = bot.app.bot_data.handoffs.store
        assert store.set_reply(2, "七点。", ADMIN_ID, 99999, by=ADMIN_ID)
        assert store.claim_reply(2)

    async with running(config) as bot:
        assert handoff_rows(bot) == [(1, "open", USER_ID), (2, "replied", USER_ID)]
        job_queue = bot.app.job_queue
        assert job_queue is not None
        (job,) = job_queue.get_jobs_by_name(JOB_NAME)
        before = len(bot.api.calls)
        await job.run(bot.app)
        calls = bot.api.calls[before:]
        assert "七点。" in visible_text(one_to(calls, USER_ID).text)
        assert "可能收到了两次" in visible_text(one_to(calls, ADMIN_ID).text)
        before = len(bot.api.calls)
        await job.run(bot.app)
        assert sent_to(bot.api.calls[before:], USER_ID) == []  # once

        calls = await staff_replies(bot, card, "晴。")  # the card from before the restart still works
        assert "晴。" in visible_text(one_to(calls, USER_ID).text)
        assert handoff_rows(bot) == [(1, "answered", None), (2, "answered", None)]
        assert second.chat_id == ADMIN_ID


async def test_staff_are_reminded_once_of_an_old_question(bot: Harness) -> None:
    await hand_over(bot, one_to(await bot.ask(DECLINED), USER_ID))
    service = bot.app.bot_data.handoffs
    real_clock = service.clock
    service.clock = lambda: real_clock() + timedelta(hours=25)
    job_queue = bot.app.job_queue
    assert job_queue is not None
    (job,) = job_queue.get_jobs_by_name(JOB_NAME)
    before = len(bot.api.calls)
    await job.run(bot.app)
    await job.run(bot.app)
    reminder = one_to(bot.api.calls[before:], ADMIN_ID)
    assert visible_text(reminder.text).startswith("⏰ 这个问题已经等了 25 小时")
    assert DECLINED in visible_text(reminder.text)


async def test_contact_shows_what_the_config_gives(tmp_path: Path) -> None:
    details = ContactConfig(name="干部一科 张老师", phone="0561-1234567", office="市行政中心312室")
    async with running(make_config(tmp_path, contact_details=details)) as bot:
        text = visible_text(one_to(await bot.ask("/contact"), USER_ID).text)
        assert text.splitlines()[1:4] == ["联系人：干部一科 张老师", "电话：0561-1234567", "地点：市行政中心312室"]
        assert "/ask_staff" in text
    async with running(make_config(tmp_path)) as bot:
        text = visible_text(one_to(await bot.ask("/contact"), USER_ID).text)
        assert bot.config.contact in text


# -- into the FAQ ------------------------------------------------------------------------------


async def test_add_as_phrasing_changes_the_faq_and_the_bot_answers_it(own_bot: Harness) -> None:
    bot, question = own_bot, "出去待几个月"
    declined = one_to(await bot.ask(question), USER_ID)
    assert handoff_texts.ASK_STAFF in declined.button_labels
    card = await hand_over(bot, declined)

    choose = one_to(await bot.press(card, "加入问答库", user=admin(bot)), ADMIN_ID)
    assert "（duration）" in " ".join(choose.button_labels)
    assert choose.button_labels[-1] == handoff_texts.NEW_ENTRY
    calls = await bot.press(choose, "（duration）", user=admin(bot))

    summary = visible_text(one_to(calls, ADMIN_ID).text)
    assert summary.startswith(f"已把“{question}”加为条目“duration”的问法。")
    assert "修改 1 条：duration" in summary
    assert "原来的文件已备份为 history/" in summary
    faq = (bot.config.knowledge / "faq.yaml").read_text(encoding="utf-8")
    assert f'      - "{question}"\n' in faq
    assert len(backups(bot.config.knowledge / "history", BACKUP_PREFIX)) == 1
    with sqlite3.connect(bot.config.database) as connection:
        updates = connection.execute("SELECT source, status, changed, user_id FROM knowledge_updates").fetchall()
    assert updates == [("upload", "loaded", 1, ADMIN_ID)]  # recorded like an upload
    answered = visible_text(one_to(await bot.ask(question), USER_ID).text)
    assert answered.startswith("每次学习锻炼100天左右。")


async def test_a_new_entry_from_the_staff_reply_with_an_edited_id(own_bot: Harness) -> None:
    bot, question = own_bot, "出发前要体检吗"
    card = await hand_over(bot, one_to(await bot.ask(question), USER_ID))
    choose = one_to(await bot.press(card, "加入问答库", user=admin(bot)), ADMIN_ID)
    calls = await bot.press(choose, "新条目", user=admin(bot))
    (alert,) = [call for call in calls if call.method == "answerCallbackQuery"]
    assert "请先回复这个问题" in alert.params["text"]  # no answer yet

    await staff_replies(bot, card, "需要，请在出发前一周到市人民医院体检。")
    proposal = one_to(await bot.press(choose, "新条目", user=admin(bot)), ADMIN_ID)
    assert "id：staff_q1" in visible_text(proposal.text)
    bad = one_to(await staff_replies(bot, proposal, "体检"), ADMIN_ID)
    assert "不能作条目 id" in visible_text(bad.text)
    taken = one_to(await staff_replies(bot, proposal, "duration"), ADMIN_ID)
    assert "已经有条目“duration”" in visible_text(taken.text)
    renamed = one_to(await staff_replies(bot, proposal, "health_check"), ADMIN_ID)
    assert "id：health_check" in visible_text(renamed.text)

    summary = visible_text(one_to(await bot.press(renamed, "新建条目", user=admin(bot)), ADMIN_ID).text)
    assert summary.startswith("已新建条目“health_check”。")
    assert "新增 1 条：health_check" in summary
    answered = visible_text(one_to(await bot.ask(question), USER_ID).text)
    assert answered.startswith("需要，请在出发前一周到市人民医院体检。")


async def test_a_bad_new_entry_is_refused_and_nothing_is_lost(own_bot: Harness) -> None:
    bot = own_bot
    before = (bot.config.knowledge / "faq.yaml").read_bytes()
    card = await hand_over(bot, one_to(await bot.ask("出发前要体检吗"), USER_ID))
    await staff_replies(bot, card, "请联系{负责人}。")  # an unknown placeholder: the FAQ check refuses it
    choose = one_to(await bot.press(card, "加入问答库", user=admin(bot)), ADMIN_ID)
    proposal = one_to(await bot.press(choose, "新条目", user=admin(bot)), ADMIN_ID)
    summary = visible_text(one_to(await bot.press(proposal, "新建条目", user=admin(bot)), ADMIN_ID).text)
    assert summary.startswith("问答库文件有 1 处错误，没有更新")
    assert (bot.config.knowledge / "faq.yaml").read_bytes() == before
    assert backups(bot.config.knowledge / "history", BACKUP_PREFIX) == []


async def test_a_long_reply_comes_in_parts_in_the_cadres_script(bot: Harness) -> None:
    declined = one_to(await bot.ask("雙百雙招期間要穿正裝嗎？"), USER_ID)  # traditional script
    assert "🙋 問工作人員" in declined.button_labels
    card = await hand_over(bot, declined, label="問工作人員", send="發送")
    long_reply = "\n\n".join(f"第{number}段：" + "详细说明。" * 60 for number in range(1, 16))

    calls = await staff_replies(bot, card, long_reply)

    parts = sent_to(calls, USER_ID)
    assert len(parts) >= 2
    assert visible_text(parts[0].text).startswith("💬 工作人員回覆了您的問題")
    assert all(len(part.text) <= 4096 for part in parts)
    assert "第15段" in visible_text(parts[-1].text)
    assert visible_text(one_to(calls, ADMIN_ID).text) == "✅ 答复已送达提问人（#1）。"
