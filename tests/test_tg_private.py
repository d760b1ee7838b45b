"""End-to-end: questions in a private chat through the real application (no network)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Config, StaffConfig
from bot.core import texts
from bot.core.handoffs import texts as handoff_texts
from bot.core.matching.text import Script, convert
from bot.tg import texts as tg_texts
from bot.tg.formatting import MAX_MESSAGE_LENGTH, telegram_length
from tests.kit.api import ApiCall
from tests.kit.constants import CONTACT, USER_ID
from tests.kit.harness import Harness, make_config, running, write_knowledge
from tests.kit.html import visible_text

FRUIT_FAQ = """\
entries:
  - id: apple_price
    topic: 水果
    questions:
      - 苹果多少钱一斤
      - 苹果的价格是多少
    answer: 苹果五元一斤。
  - id: banana_price
    topic: 水果
    questions:
      - 香蕉多少钱一斤
      - 香蕉的价格是多少
    answer: "香蕉三元一斤 & 不讲价，<b>真的</b>。"
"""
AMBIGUOUS = "多少钱一斤"  # equally close to both entries: "did you mean"
# The toy FAQ pins its own limits, as `faqbot calibrate` would write them, so that
# these tests follow the bot's handling of each outcome, not the engine's defaults.
FRUIT_CALIBRATION = "answer: 60\nmargin: 10\nsure: 95\nsuggest: 5\n"


def feedback_rows(db_path: Path) -> list[tuple[str, str | None, int | None]]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT kind, entry_id, question_id FROM feedback ORDER BY id").fetchall()


def question_rows(db_path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT chat_type, outcome, entry_id FROM questions ORDER BY id").fetchall()


def only_message(calls: list[ApiCall]) -> ApiCall:
    messages = [call for call in calls if call.method == "sendMessage"]
    assert len(messages) == 1, [call.method for call in calls]
    return messages[0]


@pytest.fixture
async def fruit_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    knowledge = write_knowledge(tmp_path / "knowledge", FRUIT_FAQ)
    (knowledge / "calibration.yaml").write_text(FRUIT_CALIBRATION, encoding="utf-8")
    config = make_config(tmp_path, knowledge=knowledge)
    async with running(config) as harness:
        yield harness


async def test_an_answer_has_the_passage_with_its_paragraph_and_buttons(bot: Harness) -> None:
    message = only_message(await bot.ask("双百双招是什么？"))

    assert message.chat_id == USER_ID
    assert message.params["parse_mode"] == "HTML"
    text = visible_text(message.text)
    assert text.startswith("“双百双招”是安徽省淮北市")
    assert "📖 原文（第2段）" in text
    assert "<blockquote>聚焦加快推动“五群十链”" in message.text  # the whole of p2
    labels = message.button_labels
    assert labels[-2:] == [tg_texts.HELPFUL, tg_texts.NOT_HELPFUL]
    assert "🔗 为什么要搞双百双招" in labels  # a related question
    assert "reply_parameters" not in message.params  # private answers do not quote
    assert question_rows(bot.config.database) == [("private", "answer", "what_is")]


async def test_a_related_question_button_answers_it(bot: Harness) -> None:
    answer = only_message(await bot.ask("双百双招是什么？"))
    calls = await bot.press(answer, "为什么要搞双百双招")

    assert [call.method for call in calls] == ["answerCallbackQuery", "sendMessage"]
    assert "📖 原文" in visible_text(calls[1].text)


async def test_thumbs_are_stored_once_and_stay_with_the_count(bot: Harness) -> None:
    answer = only_message(await bot.ask("双百双招是什么？"))
    calls = await bot.press(answer, "👍")

    assert calls[0].method == "answerCallbackQuery"
    assert calls[0].params["text"] == tg_texts.FEEDBACK_THANKS
    edit = calls[1]
    assert edit.method == "editMessageReplyMarkup"
    assert edit.button_labels[-2:] == ["👍 有帮助 1", tg_texts.NOT_HELPFUL]
    assert "🔗 为什么要搞双百双招" in edit.button_labels  # related questions stay
    assert feedback_rows(bot.config.database) == [("up", "what_is", 1)]

    again = await bot.press(answer, "👍")  # the same person again: counted once
    assert [call.method for call in again] == ["answerCallbackQuery"]
    assert again[0].params["text"] == tg_texts.FEEDBACK_REPEATED
    assert feedback_rows(bot.config.database) == [("up", "what_is", 1)]

    await bot.press(only_message(await bot.ask("要去多长时间？")), "👎")
    assert feedback_rows(bot.config.database)[-1] == ("down", "duration", 2)


async def test_changing_a_vote_changes_the_one_record(bot: Harness) -> None:
    answer = only_message(await bot.ask("双百双招是什么？"))
    await bot.press(answer, "👍")
    edit = (await bot.press(answer, "👎"))[1]
    assert edit.button_labels[-3:] == [
        tg_texts.HELPFUL,
        "👎 没帮助 1",
        handoff_texts.ASK_STAFF,
    ]  # unhappy: a person can help
    assert feedback_rows(bot.config.database) == [("down", "what_is", 1)]


async def test_did_you_mean_offers_three_buttons_and_a_press_answers(fruit_bot: Harness) -> None:
    suggestion = only_message(await fruit_bot.ask(AMBIGUOUS))

    assert visible_text(suggestion.text).startswith("我不太确定您问的是哪一个")
    assert sorted(suggestion.button_labels[:2]) == ["苹果多少钱一斤", "香蕉多少钱一斤"]
    assert suggestion.button_labels[-1] == "都不是"

    calls = await fruit_bot.press(suggestion, "苹果多少钱一斤")
    assert [call.method for call in calls] == ["answerCallbackQuery", "sendMessage"]
    assert visible_text(calls[1].text) == "苹果五元一斤。"
    # 👍 under the chosen answer is linked to the question that was asked.
    await fruit_bot.press(calls[1], "👍")
    assert feedback_rows(fruit_bot.config.database) == [("up", "apple_price", 1)]


async def test_none_of_these_is_stored_and_answered_honestly(fruit_bot: Harness) -> None:
    suggestion = only_message(await fruit_bot.ask(AMBIGUOUS))
    calls = await fruit_bot.press(suggestion, "都不是")

    methods = [call.method for call in calls]
    assert methods == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    # The suggestions are gone and the message is a whole sentence, not «您是不是想问：» over nothing.
    assert "reply_markup" not in calls[1].params
    assert visible_text(calls[1].text) == tg_texts.SUGGEST_DISMISSED
    assert CONTACT in visible_text(calls[2].text)
    (kind, entry_id, question_id), *_ = feedback_rows(fruit_bot.config.database)
    assert (kind, question_id) == ("none_of_these", 1)
    assert entry_id in {"apple_price", "banana_price"}

    # A second press (a double click before the buttons went) records nothing more.
    assert [call.method for call in await fruit_bot.press(suggestion, "都不是")] == ["answerCallbackQuery"]
    assert len(feedback_rows(fruit_bot.config.database)) == 1


@pytest.mark.parametrize(
    ("question", "wording"),
    [
        ("推荐一部好看的电影吧", texts.UNRELATED),  # off topic: what the bot is for
        ("双百双招的干部要穿制服吗？", texts.UNCOVERED),  # the programme, but not in the article
    ],
)
async def test_a_question_the_article_does_not_cover_is_declined_with_the_contact(
    bot: Harness, question: str, wording: str
) -> None:
    message = only_message(await bot.ask(question))

    text = visible_text(message.text)
    assert text == wording.replace("{contact}", CONTACT)
    assert "我不能乱说" not in text
    assert "/faq" in text
    assert message.button_labels == [tg_texts.BROWSE, handoff_texts.ASK_STAFF]
    assert question_rows(bot.config.database) == [("private", "decline", None)]


async def test_traditional_in_traditional_out_including_buttons(bot: Harness) -> None:
    message = only_message(await bot.ask("要去多長時間？"))

    everything = message.text + "".join(message.button_labels)
    assert "學習鍛鍊" in everything
    assert "👍 有幫助" in message.button_labels
    assert convert(everything, Script.TRADITIONAL) == everything  # nothing left in simplified script

    thanks = (await bot.press(message, "👍"))[0]
    assert thanks.params["text"] == "謝謝反饋！"
    menu = only_message(await bot.ask("/faq"))  # the menu remembers the user's script
    assert "常見問題" in visible_text(menu.text)


async def test_user_and_faq_text_is_escaped(fruit_bot: Harness) -> None:
    start = only_message(await fruit_bot.ask("/start", user=fruit_bot.payloads.user(first_name="<b>Bob</b> & Co")))
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in start.text
    assert "<b>Bob</b> & Co" in visible_text(start.text)

    answer = only_message(await fruit_bot.ask("<b>香蕉</b>多少钱一斤 &"))
    assert visible_text(answer.text) == "香蕉三元一斤 & 不讲价，<b>真的</b>。"


async def test_a_long_answer_is_split_at_paragraph_boundaries(tmp_path: Path) -> None:
    paragraphs = [f"第{n}段：" + "很长的内容。" * 150 for n in range(1, 8)]  # 7 × ~900 characters
    body = "\n\n".join(paragraphs).replace("\n", "\n      ")
    faq = f"entries:\n  - id: story\n    questions: [讲一个很长的故事]\n    answer: |\n      {body}\n"
    config = make_config(tmp_path, knowledge=write_knowledge(tmp_path / "knowledge", faq))
    async with running(config) as bot:
        messages = [call for call in await bot.ask("讲一个很长的故事") if call.method == "sendMessage"]

    assert len(messages) == 2
    assert all(telegram_length(message.text) <= MAX_MESSAGE_LENGTH for message in messages)
    texts = [visible_text(message.text) for message in messages]
    assert "\n\n".join(texts).split("\n\n") == paragraphs  # every paragraph whole, in order
    assert "reply_markup" not in messages[0].params
    assert tg_texts.HELPFUL in messages[1].button_labels  # the buttons go under the last part


async def test_start_welcomes_in_two_lines_with_a_menu_button(bot: Harness) -> None:
    message = only_message(await bot.ask("/start"))

    lines = visible_text(message.text).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("您好，小王！")
    assert message.button_labels == [tg_texts.BROWSE]


async def test_a_deep_link_opens_that_answer(bot: Harness) -> None:
    message = only_message(await bot.ask("/start faq_duration"))
    assert "100天左右" in visible_text(message.text)
    assert tg_texts.HELPFUL in message.button_labels

    gone = only_message(await bot.ask("/start faq_no_such_entry"))
    assert "不在问答库里" in visible_text(gone.text)

    menu = only_message(await bot.ask("/start faq"))
    assert "常见问题" in visible_text(menu.text)


async def test_help_explains_private_group_and_inline_use(bot: Harness) -> None:
    text = visible_text(only_message(await bot.ask("/help")).text)
    assert "/faq" in text
    assert "/ask" in text
    assert "@FaqTestBot" in text
    assert CONTACT in text


async def test_faq_menu_shows_every_topic_on_one_page_then_questions_then_answer(bot: Harness) -> None:
    menu = only_message(await bot.ask("/faq"))
    assert visible_text(menu.text) == "📚 常见问题：请选择一个分类。"
    topics = bot.app.bot_data.holder.snapshot.knowledge.topics
    assert len(topics) == 8
    assert [label.rsplit("（", 1)[0] for label in menu.button_labels] == list(topics)  # all of them, no pages
    assert menu.button_labels[-1] == "报道未涉及的问题：待遇、住宿、家庭等（7）"

    topic = (await bot.press(menu, "报道未涉及的问题"))[1]
    assert topic.method == "editMessageText"
    assert "报道未涉及的问题" in visible_text(topic.text)
    assert len(topic.button_labels) == 7 + 1
    assert topic.button_labels[-1] == tg_texts.BACK

    answer = (await bot.press(topic, topic.button_labels[0]))[1]
    assert answer.method == "sendMessage"
    assert tg_texts.HELPFUL in answer.button_labels

    back = (await bot.press(topic, "返回分类"))[1]
    assert back.button_labels == menu.button_labels


async def test_a_double_click_on_a_menu_button_is_harmless(bot: Harness) -> None:
    menu = only_message(await bot.ask("/faq"))
    bot.api.fail("editMessageText", 400, "Bad Request: message is not modified")
    calls = await bot.press(menu, "项目概况")
    assert [call.method for call in calls] == ["answerCallbackQuery", "editMessageText"]


async def test_an_unknown_or_stale_button_gets_a_short_notice(bot: Harness) -> None:
    for data in ("a:zzz", "a:e:s:0", "a:q:s:0:not-a-number", "a:t:s:0"):
        calls = await bot.send(bot.payloads.callback(data, None))
        assert [call.method for call in calls] == ["answerCallbackQuery"]

    # A menu older than 48 hours is inaccessible: the next page comes as a new message.
    old_menu = {"chat": bot.payloads.private_chat(), "message_id": 1, "date": 0}
    calls = await bot.send(bot.payloads.callback("a:t:s:1", old_menu))
    assert [call.method for call in calls] == ["answerCallbackQuery", "sendMessage"]


async def test_storing_user_ids_follows_the_config(tmp_path: Path, config: Config) -> None:
    config = replace(config, staff=StaffConfig(store_user_ids=True))
    async with running(config) as bot:
        await bot.ask("双百双招是什么？")
    with sqlite3.connect(config.database) as connection:
        assert connection.execute("SELECT user_id FROM questions").fetchall() == [(USER_ID,)]


async def test_a_traditional_app_language_gets_a_traditional_welcome(bot: Harness) -> None:
    user = bot.payloads.user(language_code="zh-hant")
    welcome = only_message(await bot.ask("/start", user=user))
    assert "我是“雙百雙招”問答助手" in visible_text(welcome.text)
    assert welcome.button_labels == ["📚 瀏覽全部問題"]

    # What the user writes wins over the app language.
    only_message(await bot.ask("要去多长时间？", user=user))
    assert visible_text(only_message(await bot.ask("/help", user=user)).text).startswith("怎么用")
