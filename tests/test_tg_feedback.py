"""End-to-end: 👍/👎 are per person and only count on answers the bot sent; forged presses count nothing."""

from __future__ import annotations

import sqlite3

import pytest

from bot.core.storage.clock import utc_now
from bot.core.usage.period import Period
from bot.core.usage.stats import collect_stats
from bot.tg import texts as tg_texts
from tests.kit.api import ApiCall
from tests.kit.constants import GROUP_ID, OTHER_USER_ID, USER_ID
from tests.kit.harness import Harness


def feedback_count(bot: Harness) -> int:
    return int(bot.app.bot_data.db.connection.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])


def answer_in(calls: list[ApiCall], chat_id: int) -> ApiCall:
    (answer,) = [call for call in calls if call.method == "sendMessage" and call.chat_id == chat_id]
    return answer


async def test_votes_in_a_group_are_per_person_and_the_buttons_stay(bot: Harness) -> None:
    group = bot.payloads.group_chat()
    answer = answer_in(await bot.send(bot.payloads.text("/ask 要去多长时间？", chat=group)), GROUP_ID)
    first, second = bot.payloads.user(USER_ID), bot.payloads.user(OTHER_USER_ID)

    edit = (await bot.press(answer, "👍", user=first))[1]
    assert edit.button_labels[:2] == ["👍 有帮助 1", tg_texts.NOT_HELPFUL]
    assert edit.buttons[-1]["url"].endswith("?start=faq_duration")  # the other buttons are untouched
    assert [call.method for call in await bot.press(answer, "👍", user=first)] == ["answerCallbackQuery"]
    edit = (await bot.press(answer, "👍", user=second))[1]  # the buttons are still there for the next person
    assert edit.button_labels[:2] == ["👍 有帮助 2", tg_texts.NOT_HELPFUL]
    edit = (await bot.press(answer, "👎", user=first))[1]  # a change of mind moves the vote
    assert edit.button_labels[:2] == ["👍 有帮助 1", "👎 没帮助 1"]
    assert feedback_count(bot) == 2


@pytest.mark.parametrize(
    "data",
    [
        "a:u:s:1:how_many",  # another entry than the message answers
        "a:d:s:1:what_is",
        "a:n:s:1",  # "none of these" under an answer
    ],
)
async def test_forged_feedback_on_an_answer_counts_nothing(bot: Harness, data: str) -> None:
    answer = answer_in(await bot.ask("要去多长时间？"), USER_ID)
    calls = await bot.send(bot.payloads.callback(data, answer.result))
    assert [call.method for call in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == tg_texts.BUTTON_EXPIRED
    assert feedback_count(bot) == 0


async def test_forged_numbers_are_replaced_by_the_sent_answers_question(bot: Harness) -> None:
    answer = answer_in(await bot.ask("要去多长时间？"), USER_ID)
    await bot.send(bot.payloads.callback("a:u:s:999:duration", answer.result))
    rows = bot.app.bot_data.db.connection.execute("SELECT kind, entry_id, question_id FROM feedback").fetchall()
    assert [tuple(row) for row in rows] == [("up", "duration", 1)]


async def test_feedback_on_messages_the_bot_did_not_send_as_answers_counts_nothing(bot: Harness) -> None:
    menu = answer_in(await bot.ask("/faq"), USER_ID)
    someone = bot.payloads.message_dict("随便", chat=bot.payloads.group_chat())
    for data, message in [
        ("a:u:s:0:duration", menu.result),  # the menu carries no thumbs
        ("a:u:s:0:duration", someone),  # not even the bot's message
        ("a:u:s:0:duration", None),  # no message and no inline message
        ("a:n:s:0", menu.result),
    ]:
        calls = await bot.send(bot.payloads.callback(data, message))
        assert [call.method for call in calls] == ["answerCallbackQuery"], data
    assert feedback_count(bot) == 0


async def test_forged_presses_do_not_inflate_stats(bot: Harness) -> None:
    answer = answer_in(await bot.ask("要去多长时间？"), USER_ID)
    for index in range(20):
        user = bot.payloads.user(USER_ID + 100 + index)
        await bot.send(bot.payloads.callback(f"a:u:s:{index}:how_many", answer.result, user=user))
    await bot.press(answer, "👍")
    stats = collect_stats(bot.app.bot_data.db, Period.last_days(1, utc_now()))
    assert (stats.thumbs_up, stats.thumbs_down) == (1, 0)


@pytest.mark.parametrize("data", ["zz:1", "x", "s:unknown", ""])
async def test_callback_data_of_no_feature_gets_an_answer_and_nothing_else(bot: Harness, data: str) -> None:
    answer = answer_in(await bot.ask("要去多长时间？"), USER_ID)
    calls = await bot.send(bot.payloads.callback(data, answer.result))
    assert [call.method for call in calls] == ["answerCallbackQuery"]  # the button stops spinning
    assert feedback_count(bot) == 0


async def test_a_vote_the_database_cannot_store_is_still_thanked(bot: Harness) -> None:
    answer = answer_in(await bot.ask("要去多长时间？"), USER_ID)
    bot.app.bot_data.db.connection.execute("DROP TABLE votes")
    calls = await bot.press(answer, "👍")
    assert [call.method for call in calls] == ["answerCallbackQuery"]
    assert calls[0].params["text"] == tg_texts.FEEDBACK_THANKS
    with pytest.raises(sqlite3.OperationalError):
        bot.app.bot_data.db.connection.execute("SELECT * FROM votes")
