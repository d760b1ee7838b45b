"""The whole article: ``/article``, the 📄 button under an answer, and «能把原文发我看看吗».

The paragraphs are labelled as the answers' 📖 passages cite them (第1段 …) and the
article is split into messages at paragraph boundaries only.  In a group the article
would flood the chat, so the bot answers with a link that opens it in a private chat.
"""

from __future__ import annotations

from telegram import BotCommand, Chat, MaybeInaccessibleMessage, Update
from telegram.ext import CommandHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.core.knowledge.article import Article
from bot.core.matching.text import Script, convert
from bot.tg import sending, texts
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.feature import CommandMenu
from bot.tg.formatting import Block, escape, split_message
from bot.tg.texts import say
from bot.tg.views import Outgoing

PAYLOAD = "article"  # t.me/<bot>?start=article


def commands() -> CommandMenu:
    command = BotCommand("article", texts.COMMAND_ARTICLE)
    return CommandMenu(private=(command,), group=(command,))


def register(application: FaqApplication) -> None:
    application.add_handler(CommandHandler("article", article_command, filters=filters.UpdateType.MESSAGE))


def article_view(article: Article | None, script: Script) -> Outgoing:
    """The article as messages: its title, then every paragraph under its label."""
    if article is None or not article.paragraphs:
        return Outgoing((say(texts.ARTICLE_MISSING, script),))
    blocks = [Block.markup(say(texts.ARTICLE_HEADING, script, title=escape(convert(article.title, script))))]
    for paragraph in article.paragraphs:
        if paragraph.id == "title":
            continue
        label = f"<b>{escape(convert(paragraph.label, script))}</b>"
        blocks.append(Block(convert(paragraph.text, script), lead=label))
    return Outgoing(tuple(split_message(blocks)))


async def send_article(context: Context, message: MaybeInaccessibleMessage, script: Script) -> None:
    """Send the article in the chat of ``message`` (a private chat), or the link to it in a group."""
    if message.chat.type != Chat.PRIVATE:
        link = escape(create_deep_linked_url(context.bot.username, PAYLOAD))
        await sending.reply_below(context.bot, message, Outgoing((say(texts.GROUP_ARTICLE, script, link=link),)))
        return
    article = context.bot_data.holder.snapshot.knowledge.article
    await sending.reply_below(context.bot, message, article_view(article, script))


async def article_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await send_article(context, message, user_script(context, message.from_user))
