"""End-to-end: follow-up questions, small talk and the two kinds of decline through the real application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.core import texts
from tests.kit.api import ApiCall
from tests.kit.constants import BOT_USERNAME, CONTACT, GROUP_ID, JSON, OTHER_USER_ID, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text


def texts_to(calls: list[ApiCall], chat_id: int) -> list[str]:
    return [visible_text(call.text) for call in calls if call.method == "sendMessage" and call.chat_id == chat_id]


def answer_of(bot: Harness, entry_id: str) -> str:
    """The first sentence of an entry's answer, as the bot sends it."""
    return bot.app.bot_data.responder.reply_for_entry(entry_id).text.split("。")[0]


def in_group(bot: Harness, text: str, user_id: int = USER_ID, **kwargs: Any) -> JSON:
    return bot.payloads.text(text, chat=bot.payloads.group_chat(), user=bot.payloads.user(user_id), **kwargs)


async def test_a_private_follow_up_is_answered_in_the_context_of_the_last_answer(bot: Harness) -> None:
    assert "王程俊" in texts_to(await bot.ask("王程俊是谁"), USER_ID)[0]
    (follow_up,) = texts_to(await bot.ask("他去的哪里？"), USER_ID)
    assert answer_of(bot, "wang_chengjun") in follow_up


async def test_thanks_in_between_keeps_the_context_and_gets_a_friendly_line(bot: Harness) -> None:
    await bot.ask("王程俊是谁")
    (thanks,) = texts_to(await bot.ask("谢谢！"), USER_ID)
    assert thanks == texts.SMALL_TALK
    assert answer_of(bot, "wang_chengjun") in texts_to(await bot.ask("他去的哪里？"), USER_ID)[0]


async def test_the_context_expires(tmp_path: Path) -> None:
    async with running(make_config(tmp_path, conversation_minutes=0.0)) as bot:
        await bot.ask("王程俊是谁")
        (alone,) = texts_to(await bot.ask("他去的哪里？"), USER_ID)
        assert answer_of(bot, "wang_chengjun") not in alone  # read alone: "did you mean"


async def test_group_members_do_not_share_a_context(bot: Harness) -> None:
    await bot.send(in_group(bot, f"@{BOT_USERNAME} 王程俊是谁"))
    (others,) = texts_to(await bot.send(in_group(bot, f"@{BOT_USERNAME} 他去的哪里？", OTHER_USER_ID)), GROUP_ID)
    (own,) = texts_to(await bot.send(in_group(bot, f"@{BOT_USERNAME} 他去的哪里？")), GROUP_ID)
    assert answer_of(bot, "wang_chengjun") in own
    assert answer_of(bot, "wang_chengjun") not in others


async def test_a_reply_to_an_answer_carries_that_answers_context(bot: Harness) -> None:
    (answer,) = [
        call
        for call in await bot.send(in_group(bot, "/ask 王程俊是谁"))
        if call.method == "sendMessage" and call.chat_id == GROUP_ID
    ]
    # Another member replies to the bot's answer: the reply continues that answer's conversation.
    (reply,) = texts_to(await bot.send(in_group(bot, "他去的哪里？", OTHER_USER_ID, reply_to=answer.result)), GROUP_ID)
    assert answer_of(bot, "wang_chengjun") in reply


async def test_banter_in_a_group_gets_silence(bot: Harness) -> None:
    (answer,) = [
        call
        for call in await bot.send(in_group(bot, "/ask 每年选派多少干部？"))
        if call.method == "sendMessage" and call.chat_id == GROUP_ID
    ]
    banter = in_group(bot, "哈哈，100个人，咱们市里真舍得", OTHER_USER_ID, reply_to=answer.result)
    assert await bot.send(banter) == []


async def test_off_topic_and_uncovered_questions_get_their_own_wording(bot: Harness) -> None:
    (off_topic,) = texts_to(await bot.ask("推荐一部好看的电影吧"), USER_ID)
    assert off_topic == texts.UNRELATED.replace("{contact}", CONTACT)
    (uncovered,) = texts_to(await bot.ask("双百双招的干部要穿制服吗？"), USER_ID)
    assert uncovered == texts.UNCOVERED.replace("{contact}", CONTACT)
    assert "我不能乱说" not in off_topic + uncovered
