"""End-to-end: the bot in groups (quiet, privacy-mode friendly) and in inline mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import GroupConfig
from bot.core.matching.text import Script, convert
from bot.tg import texts as tg_texts
from bot.tg.formatting import truncate
from tests.kit.api import ApiCall
from tests.kit.constants import BOT_USERNAME, CONTACT, GROUP_ID, JSON, OTHER_USER_ID
from tests.kit.harness import Harness, make_config, running, write_knowledge
from tests.kit.html import visible_text
from tests.test_tg_announcements import membership

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
    assert reply.button_labels[:2] == [tg_texts.HELPFUL, tg_texts.NOT_HELPFUL]
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
    (reply,) = group_replies(await bot.send(in_group(bot, "/ask 双百双招的干部要穿制服吗？")))

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


async def test_a_second_asker_gets_a_pointer_and_a_repeat_by_the_same_person_silence(bot: Harness) -> None:
    (answer,) = group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}")))
    assert group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}"))) == []  # the same person again

    other = bot.payloads.user(OTHER_USER_ID, first_name="老李")
    same = in_group(bot, f"@{BOT_USERNAME} 要去多长时间", user=other)
    (pointer,) = group_replies(await bot.send(same))
    assert pointer.params["reply_parameters"]["message_id"] == answer.result["message_id"]  # a reply to the answer
    assert visible_text(pointer.text) == "老李，这个问题刚刚回答过，请看这条回复。"
    assert f'<a href="tg://user?id={OTHER_USER_ID}">' in pointer.text  # the second asker is notified
    assert "100天左右" not in pointer.text  # brief: not the answer again
    assert group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}", user=other))) == []  # and only once

    assert len(group_replies(await bot.send(in_group(bot, "/ask 每年选派多少干部？")))) == 1
    # Another group is another conversation.
    other_group = bot.payloads.group_chat(-1009999999999)
    calls = await bot.send(bot.payloads.text(f"/ask {QUESTION}", chat=other_group))
    assert [call.chat_id for call in calls if call.method == "sendMessage"] == [-1009999999999]


async def test_a_repeat_after_the_window_is_answered_in_full(bot: Harness) -> None:
    assert len(group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}")))) == 1
    for answer in bot.app.chat_data[GROUP_ID].recent_questions.values():
        answer.at -= bot.config.group.repeat_window_seconds  # the window has passed
    (again,) = group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}")))
    assert "100天左右" in visible_text(again.text)


async def test_a_zero_window_answers_every_time(tmp_path: Path) -> None:
    config = make_config(tmp_path, group=GroupConfig(repeat_window_seconds=0, quote_question=False))
    async with running(config) as bot:
        for _ in range(2):
            (reply,) = group_replies(await bot.send(in_group(bot, f"/ask {QUESTION}")))
            assert "reply_parameters" not in reply.params  # quoting turned off


@pytest.mark.parametrize("suffix", ["", f"@{BOT_USERNAME}"])
async def test_group_help_and_faq_are_one_line_bare_or_addressed(bot: Harness, suffix: str) -> None:
    (help_reply,) = group_replies(await bot.send(in_group(bot, f"/help{suffix}")))
    assert f"@{BOT_USERNAME}" in visible_text(help_reply.text)
    assert "/ask" in visible_text(help_reply.text)
    (faq_reply,) = group_replies(await bot.send(in_group(bot, f"/faq{suffix}")))
    assert f"https://t.me/{BOT_USERNAME}?start=faq" in visible_text(faq_reply.text)  # the menu opens in private
    assert "reply_markup" not in faq_reply.params


async def test_the_bot_greets_a_group_once_when_added(bot: Harness) -> None:
    group = bot.payloads.group_chat()
    calls = await bot.send(membership(bot, group, "left", "member"))
    (greeting,) = group_replies(calls)
    text = visible_text(greeting.text)
    assert "/ask" in text
    assert f"@{BOT_USERNAME}" in text
    assert "回复我的消息" in text
    assert len(text.splitlines()) == 1

    # Made an admin later, or restricted and lifted: no second greeting.
    assert group_replies(await bot.send(membership(bot, group, "member", "administrator"))) == []
    assert group_replies(await bot.send(membership(bot, group, "member", "kicked"))) == []
    # The chat registry of the announcements still saw the arrival.
    record = bot.app.bot_data.announcements.registry.chat(GROUP_ID)
    assert record is not None


async def test_a_greeting_the_group_refuses_is_only_logged(bot: Harness) -> None:
    bot.api.fail("sendMessage", 403, "Forbidden: bot is not a member of the supergroup chat")
    calls = await bot.send(membership(bot, bot.payloads.group_chat(), "left", "member"))
    assert len(group_replies(calls)) == 1  # tried once; the failure is logged, nothing raised


TWIN_FAQ = """\
entries:
  - id: apple
    questions: [苹果多少钱一斤]
    answer: 苹果五元一斤。
  - id: banana
    questions: [香蕉多少钱一斤]
    answer: 香蕉三元一斤。
"""


async def test_a_group_suggestion_has_buttons_and_a_press_answers_the_asker(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path / "knowledge", TWIN_FAQ)
    (knowledge / "calibration.yaml").write_text("answer: 60\nmargin: 10\nsure: 95\nsuggest: 5\n", encoding="utf-8")
    config = make_config(tmp_path, knowledge=knowledge)
    async with running(config) as bot:
        question = in_group(bot, "/ask 多少钱一斤")
        (suggestion,) = group_replies(await bot.send(question))
        text = visible_text(suggestion.text)
        assert "苹果多少钱一斤" in text or "香蕉多少钱一斤" in text  # the closest question, in the one line
        assert "\n" not in text
        assert sorted(suggestion.button_labels[:2]) == ["苹果多少钱一斤", "香蕉多少钱一斤"]
        assert suggestion.button_labels[-1] == "都不是"

        # Someone presses: the answer goes to the group, as a reply to the question it was for.
        calls = await bot.press(suggestion, "香蕉多少钱一斤", user=bot.payloads.user(OTHER_USER_ID))
        (answer,) = group_replies(calls)
        assert visible_text(answer.text) == "香蕉三元一斤。"
        assert answer.params["reply_parameters"]["message_id"] == question["message"]["message_id"]
        assert answer.button_labels[:2] == [tg_texts.HELPFUL, tg_texts.NOT_HELPFUL]
        # Its thumbs count: the bot recorded that answer as sent.
        vote = await bot.press(answer, "👍")
        assert vote[0].params["text"] == tg_texts.FEEDBACK_THANKS

        # "None of these" in a group: the line becomes a whole sentence, and the contact follows (no menu).
        calls = await bot.press(suggestion, "都不是")
        (edit,) = [call for call in calls if call.method == "editMessageText"]
        assert visible_text(edit.text) == tg_texts.SUGGEST_DISMISSED
        (contact,) = group_replies(calls)
        assert CONTACT in visible_text(contact.text)
        (ask_staff,) = contact.buttons  # no menu in a group: only the private link to ask staff
        assert ask_staff["url"].startswith(f"https://t.me/{BOT_USERNAME}?start=staff_")


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


@pytest.mark.parametrize("query", ["今天淮北的天气怎么样？", "asdfghjkl"])
async def test_inline_query_without_a_match_offers_nothing_but_the_bot(bot: Harness, query: str) -> None:
    (call,) = await bot.send(bot.payloads.inline_query(query))
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "inline"


@pytest.mark.parametrize("query", ["", "   "])
async def test_an_empty_inline_query_shows_the_most_asked_questions(bot: Harness, query: str) -> None:
    for _ in range(3):
        await bot.ask("每年选派多少干部？")
    await bot.ask("要去多长时间？")
    (call,) = await bot.send(bot.payloads.inline_query(query))
    results = call.params["results"]
    assert [result["id"] for result in results[:2]] == ["how_many", "duration"]  # most asked first
    assert len(results) == 5  # topped up from the FAQ
    assert len({result["id"] for result in results}) == 5
    knowledge = bot.app.bot_data.holder.snapshot.knowledge
    assert results[0]["title"] == knowledge["how_many"].questions[0]


async def test_an_empty_inline_query_on_a_new_bot_shows_the_first_questions(bot: Harness) -> None:
    (call,) = await bot.send(bot.payloads.inline_query(""))
    knowledge = bot.app.bot_data.holder.snapshot.knowledge
    assert [result["id"] for result in call.params["results"]] == [entry.id for entry in knowledge][:5]


async def test_inline_results_are_titled_with_the_main_question_and_the_answers_first_line(bot: Harness) -> None:
    (call,) = await bot.send(bot.payloads.inline_query("补贴有多少"))
    knowledge = bot.app.bot_data.holder.snapshot.knowledge
    assert call.params["results"], "a question about 补贴 finds the allowance entry"
    for result in call.params["results"]:
        entry = knowledge[result["id"]]
        assert result["title"] == entry.questions[0]
        first_line = entry.answer.replace("{contact}", CONTACT).strip().splitlines()[0]
        assert result["description"] == truncate(first_line, 100)
        assert visible_text(result["input_message_content"]["message_text"]).startswith("❓ " + entry.questions[0])


async def test_thumbs_under_an_inline_message_are_stored_once_per_person(bot: Harness) -> None:
    (call,) = await bot.send(bot.payloads.inline_query("要去多长时间？"))
    keyboard = call.params["results"][0]["reply_markup"]["inline_keyboard"]
    data = keyboard[0][0]["callback_data"]
    calls = await bot.send(bot.payloads.callback(data, None, inline_message_id="inline-1"))
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert calls[1].params["inline_message_id"] == "inline-1"
    assert calls[1].button_labels == [
        "👍 有帮助 1",
        tg_texts.NOT_HELPFUL,
        tg_texts.MORE_IN_PRIVATE,
    ]  # the buttons stay, with the count
    assert calls[1].buttons[-1]["url"] == f"https://t.me/{BOT_USERNAME}?start=faq_duration"
    again = await bot.send(bot.payloads.callback(data, None, inline_message_id="inline-1"))
    assert [c.method for c in again] == ["answerCallbackQuery"]
    other = await bot.send(
        bot.payloads.callback(data, None, inline_message_id="inline-1", user=bot.payloads.user(OTHER_USER_ID))
    )
    assert other[1].button_labels[0] == "👍 有帮助 2"
    rows = bot.app.bot_data.db.connection.execute("SELECT kind, entry_id, chat_type FROM feedback").fetchall()
    assert [tuple(row) for row in rows] == [("up", "duration", "inline")] * 2


async def test_an_inline_vote_for_an_entry_that_does_not_exist_is_refused(bot: Harness) -> None:
    calls = await bot.send(bot.payloads.callback("a:u:s:0:no_such_entry", None, inline_message_id="inline-1"))
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert bot.app.bot_data.db.connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


async def test_the_inline_button_opens_the_bot(bot: Harness) -> None:
    calls = await bot.ask("/start inline")
    assert "您好" in visible_text(calls[0].text)
