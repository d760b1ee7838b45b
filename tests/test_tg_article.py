"""End-to-end: the whole article (/article, the 📄 button, «能把原文发我看看吗»), and the little things
of private chats: edited questions, voice messages, traditional-script forms."""

from __future__ import annotations

import pytest

from bot.core.knowledge.article import Article, Paragraph, asks_for_article
from bot.core.matching.text import Script, convert
from bot.tg import texts as tg_texts
from bot.tg.article import article_view
from bot.tg.formatting import MAX_MESSAGE_LENGTH, telegram_length
from tests.kit.api import ApiCall
from tests.kit.constants import BOT_USERNAME, GROUP_ID, USER_ID
from tests.kit.harness import Harness
from tests.kit.html import visible_text


def sent_to(calls: list[ApiCall], chat_id: int = USER_ID) -> list[ApiCall]:
    return [call for call in calls if call.method == "sendMessage" and call.chat_id == chat_id]


def article_text(bot: Harness, calls: list[ApiCall]) -> str:
    """The visible text of the article messages in ``calls``, checked against the article itself."""
    messages = sent_to(calls)
    assert messages, [call.method for call in calls]
    assert all(telegram_length(message.text) <= MAX_MESSAGE_LENGTH for message in messages)
    return "\n\n".join(visible_text(message.text) for message in messages)


def expected_paragraphs(bot: Harness) -> list[str]:
    article = bot.app.bot_data.holder.snapshot.knowledge.article
    assert article is not None
    return [f"{p.label}\n{p.text}" for p in article.paragraphs if p.id != "title"]


async def test_article_sends_every_paragraph_labelled_as_passages_cite_them(bot: Harness) -> None:
    text = article_text(bot, await bot.ask("/article"))
    parts = text.split("\n\n")
    assert parts[0] == "📄 安徽淮北：每年选派百名干部赴长三角学习锻炼百天"
    assert parts[1:] == expected_paragraphs(bot)  # whole paragraphs, in order, 第1段 … as in 📖 原文（第2段）
    assert parts[2].startswith("第2段\n聚焦加快推动")


async def test_a_long_article_is_split_at_paragraph_boundaries(bot: Harness) -> None:
    article = bot.app.bot_data.holder.snapshot.knowledge.article
    view = article_view(article, Script.SIMPLIFIED)
    assert len(view.texts) == 1  # the shipped article fits one message
    long = Article("标题", tuple(Paragraph(f"p{n}", f"第{n}段的内容。" * 120) for n in range(1, 9)))
    texts = article_view(long, Script.SIMPLIFIED).texts
    assert len(texts) > 1
    for part in texts:
        assert telegram_length(part) <= MAX_MESSAGE_LENGTH
        for block in visible_text(part).split("\n\n")[1 if part is texts[0] else 0 :]:
            label, body = block.split("\n")
            assert body == f"{label}的内容。" * 120  # no paragraph cut in two


async def test_the_button_under_an_answer_sends_the_article(bot: Harness) -> None:
    (answer,) = sent_to(await bot.ask("要去多长时间？"))
    assert tg_texts.ARTICLE_BUTTON in answer.button_labels
    calls = await bot.press(answer, tg_texts.COMMAND_ARTICLE)
    assert calls[0].method == "answerCallbackQuery"
    assert article_text(bot, calls[1:]).split("\n\n")[1:] == expected_paragraphs(bot)


@pytest.mark.parametrize("question", ["能把原文发我看看吗", "报道全文在哪里看？", "能發原文給我嗎"])
async def test_asking_for_the_article_finds_it(bot: Harness, question: str) -> None:
    calls = await bot.ask(question)
    assert article_text(bot, calls).split("\n\n")[1:] == [
        convert(paragraph, Script.TRADITIONAL if "發" in question else Script.SIMPLIFIED)
        for paragraph in expected_paragraphs(bot)
    ]


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("能把原文发我看看吗", True),
        ("原文", True),
        ("我要原文", True),
        ("有没有全文链接", True),
        ("原文里补贴怎么说", False),  # a question about the article, for the matcher
        ("原文说要去多久", False),
        ("这篇报道是谁写的", False),
        ("要去多长时间？", False),
        ("", False),
    ],
)
def test_asks_for_article(question: str, wanted: bool) -> None:
    assert asks_for_article(question) is wanted


async def test_in_a_group_the_article_opens_in_private(bot: Harness) -> None:
    calls = await bot.send(bot.payloads.text("/article", chat=bot.payloads.group_chat()))
    (reply,) = sent_to(calls, GROUP_ID)
    assert f"https://t.me/{BOT_USERNAME}?start=article" in visible_text(reply.text)
    assert len(visible_text(reply.text)) < 60
    # The link opens it.
    assert article_text(bot, await bot.ask("/start article")).split("\n\n")[1:] == expected_paragraphs(bot)


async def test_an_edited_question_is_answered_as_edited(bot: Harness) -> None:
    original = bot.payloads.text("每年选派多少人")
    sent_to(await bot.send(original))
    fixed = {**original["message"], "text": "每年选派多少干部？", "edit_date": original["message"]["date"] + 5}
    (reply,) = sent_to(await bot.send(bot.payloads.update(edited_message=fixed)))
    assert "100名左右" in visible_text(reply.text)
    # It quotes the edited message, so it is clear which text was answered.
    assert reply.params["reply_parameters"]["message_id"] == fixed["message_id"]
    rows = bot.app.bot_data.db.connection.execute("SELECT text FROM questions ORDER BY id").fetchall()
    assert [row[0] for row in rows] == ["每年选派多少人", "每年选派多少干部？"]


async def test_a_voice_message_gets_one_line_on_how_to_ask(bot: Harness) -> None:
    voice = {"file_id": "voice1", "file_unique_id": "uvoice1", "duration": 3}
    (reply,) = sent_to(await bot.send(bot.payloads.update(message=bot.payloads.message_dict(voice=voice))))
    text = visible_text(reply.text)
    assert "\n" not in text
    assert "语音" in text
    assert "打成文字" in text


async def test_traditional_replies_use_the_forms_readers_expect(bot: Harness) -> None:
    (reply,) = sent_to(await bot.ask("選派期間住宿怎麼安排？"))
    text = visible_text(reply.text)
    assert "吃飯" in text
    assert "喫" not in text
    assert convert("家里 里面 群里", Script.TRADITIONAL) == "家裡 裡面 群裡"
