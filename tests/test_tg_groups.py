"""End-to-end: the bot in groups (quiet, privacy-mode friendly) and in inline mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import GroupConfig
from bot.core.text import Script, convert
from tests.tgkit import (
    BOT_USERNAME,
    CONTACT,
    GROUP_ID,
    JSON,
    OTHER_USER_ID,
    ApiCall,
    Harness,
    make_config,
    running,
    visible_text,
    write_knowledge,
)

QUESTION = "要去多长时间？"


def group_replies(calls: list[ApiCall]) -> list[ApiCall]:
    return [call for call in calls if call.method == "sendMessage" and call.chat_id == GROUP_ID]


def in_group(bot: Harness, text: str, **kwargs: Any) -> JSON:
    return bot.payloads.text(text, chat=bot.payloads.group_chat(), **kwargs)


@pytest.mark.parametrize(
    "text",
    [
        QUESTION,
        "双百双招是什么？",
        "@SomeoneElse 要去多长时间？",
        "/ask@OtherBot 要去多长时间？",
        "/start",
        "/unknown_command",
        "大家好",
    ],
)
async def test_ordinary_group_chatter_gets_silence(bot: Harness, text: str) -> None:
    assert await bot.send(in_group(bot, text)) == []


@pytest.mark.parametrize(
    "text",
    [
        f"/ask {QUESTION}",
        f"/ask@{BOT_USERNAME} {QUESTION}",
        f"@{BOT_USERNAME} {QUESTION}",
        f"{QUESTION} @{BOT_USERNAME.lower()}",
    ],
)
async def test_ask_and_mentions_are_answered_quoting_the_asker(bot: Harness, text: str) -> None:
    payload = in_group(bot, text)
    (reply,) = group_replies(await bot.send(payload))

    assert "100天左右" in visible_text(reply.text)
    assert "📖 原文（第2段）" in visible_text(reply.text)
    assert reply.params["reply_parameters"]["message_id"] == payload["message"]["message_id"]
    assert reply.button_labels[:2] == ["👍 有帮助", "👎 没帮助"]
    more = reply.buttons[-1]
    assert more["url"] == f"https://t.me/{BOT_USERNAME}?start=faq_duration"


async def test_a_reply_to_the_bot_is_answered_but_not_a_reply_to_someone_else(bot: Harness) -> None:
    (answer,) = group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}")))

    follow_up = in_group(bot, "每年选派多少干部？", reply_to=answer.result)
    (reply,) = group_replies(await bot.send(follow_up))
    assert "100名左右" in visible_text(reply.text)

    someone = bot.payloads.message_dict(
        "随便说说", chat=bot.payloads.group_chat(), user=bot.payloads.user(OTHER_USER_ID)
    )
    assert await bot.send(in_group(bot, "每年选派多少干部？", reply_to=someone)) == []
    assert await bot.send(in_group(bot, "谢谢！", reply_to=answer.result)) == []  # thanks: nothing to answer


async def test_a_miss_in_a_group_is_one_short_line_without_a_menu(bot: Harness) -> None:
    (reply,) = group_replies(await bot.send(in_group(bot, "/ask 今天淮北的天气怎么样？")))

    text = visible_text(reply.text)
    assert "\n" not in text
    assert CONTACT in text
    (ask_staff,) = reply.buttons  # no menu; only the private link to ask staff
    assert ask_staff["url"].startswith(f"https://t.me/{BOT_USERNAME}?start=staff_")


async def test_an_empty_ask_gets_the_usage(bot: Harness) -> None:
    (reply,) = group_replies(await bot.send(in_group(bot, "/ask")))
    assert "/ask 要去多长时间" in visible_text(reply.text)
    (reply,) = group_replies(await bot.send(in_group(bot, f"@{BOT_USERNAME}")))
    assert "/ask" in visible_text(reply.text)


async def test_the_same_question_within_the_window_is_answered_once(bot: Harness) -> None:
    assert len(group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}")))) == 1
    same = in_group(bot, f"@{BOT_USERNAME} 要去多长时间", user=bot.payloads.user(OTHER_USER_ID))
    assert group_replies(await bot.send(same)) == []
    assert len(group_replies(await bot.send(in_group(bot, "/ask 每年选派多少干部？")))) == 1

    # Another group is another conversation.
    other_group = bot.payloads.group_chat(-1009999999999)
    calls = await bot.send(bot.payloads.text(f"/ask {QUESTION}", chat=other_group))
    assert [call.chat_id for call in calls if call.method == "sendMessage"] == [-1009999999999]


async def test_a_zero_window_answers_every_time(tmp_path: Path) -> None:
    config = make_config(tmp_path, group=GroupConfig(repeat_window_seconds=0, quote_question=False))
    async with running(config) as bot:
        for _ in range(2):
            (reply,) = group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}")))
            assert "reply_parameters" not in reply.params  # quoting turned off


async def test_group_help_and_faq_are_one_line(bot: Harness) -> None:
    (help_reply,) = group_replies(await bot.send(in_group(bot, f"/help@{BOT_USERNAME}")))
    assert f"@{BOT_USERNAME}" in visible_text(help_reply.text)
    (faq_reply,) = group_replies(await bot.send(in_group(bot, f"/faq@{BOT_USERNAME}")))
    assert f"https://t.me/{BOT_USERNAME}?start=faq" in visible_text(faq_reply.text)
    assert "reply_markup" not in faq_reply.params


TWIN_FAQ = """\
entries:
  - id: apple
    questions: [苹果多少钱一斤]
    answer: 苹果五元一斤。
  - id: banana
    questions: [香蕉多少钱一斤]
    answer: 香蕉三元一斤。
"""


async def test_a_group_suggestion_is_one_line(tmp_path: Path) -> None:
    config = make_config(tmp_path, knowledge=write_knowledge(tmp_path / "knowledge", TWIN_FAQ))
    async with running(config) as bot:
        (reply,) = group_replies(await bot.send(in_group(bot, "/ask 苹果香蕉多少钱一斤")))
    text = visible_text(reply.text)
    assert "苹果多少钱一斤" in text or "香蕉多少钱一斤" in text  # the closest question, in the one line
    assert "\n" not in text
    assert "reply_markup" not in reply.params


async def test_traditional_in_a_group(bot: Harness) -> None:
    (reply,) = group_replies(await bot.send(in_group(bot, "/ask 要去多長時間？")))
    everything = reply.text + "".join(reply.button_labels)
    assert "👍 有幫助" in reply.button_labels
    assert convert(everything, Script.TRADITIONAL) == everything


async def test_group_questions_are_journaled_with_their_chat_type(bot: Harness) -> None:
    await bot.send(in_group(bot, f"/ask {QUESTION}"))
    record = bot.app.bot_data.journal.question(1)
    assert record is not None
    assert (record.chat_type, record.outcome, record.entry_id) == ("supergroup", "answer", "duration")


# -- inline mode ----------------------------------------------------------------------------------


async def test_inline_query_offers_up_to_five_answers(bot: Harness) -> None:
    (call,) = await bot.send(bot.payloads.inline_query("双百双招"))

    assert call.method == "answerInlineQuery"
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert len({result["id"] for result in results}) == len(results)
    first = results[0]
    assert first["type"] == "article"
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "📖 原文" in visible_text(content["message_text"])
    assert call.params["button"]["start_parameter"] == "inline"


async def test_inline_query_with_an_exact_question_puts_it_first(bot: Harness) -> None:
    (call,) = await bot.send(bot.payloads.inline_query("要去多长时间？"))
    first = call.params["results"][0]
    assert first["id"] == "duration"
    assert "100天左右" in visible_text(first["input_message_content"]["message_text"])


async def test_inline_query_in_traditional(bot: Harness) -> None:
    (call,) = await bot.send(bot.payloads.inline_query("要去多長時間"))
    text = call.params["results"][0]["input_message_content"]["message_text"]
    assert convert(text, Script.TRADITIONAL) == text


@pytest.mark.parametrize("query", ["", "   ", "今天淮北的天气怎么样？", "asdfghjkl"])
async def test_inline_query_without_a_match_offers_nothing_but_the_bot(bot: Harness, query: str) -> None:
    (call,) = await bot.send(bot.payloads.inline_query(query))
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "inline"


async def test_thumbs_under_an_inline_message_are_stored(bot: Harness) -> None:
    (call,) = await bot.send(bot.payloads.inline_query("要去多长时间？"))
    keyboard = call.params["results"][0]["reply_markup"]["inline_keyboard"]
    data = keyboard[0][0]["callback_data"]
    calls = await bot.send(bot.payloads.callback(data, None, inline_message_id="inline-1"))
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert calls[1].params["inline_message_id"] == "inline-1"
    assert [button.get("url") for button in calls[1].buttons] == [f"https://t.me/{BOT_USERNAME}?start=faq_duration"]
    rows = bot.app.bot_data.db.connection.execute("SELECT kind, entry_id, chat_type FROM feedback").fetchall()
    assert [tuple(row) for row in rows] == [("up", "duration", "inline")]


async def test_the_inline_button_opens_the_bot(bot: Harness) -> None:
    calls = await bot.ask("/start inline")
    assert "您好" in visible_text(calls[0].text)
