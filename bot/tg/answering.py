"""The answering feature: questions in private chats and groups; /start, /help, /faq; the answer buttons.

Handlers are thin: read the update, ask the core's :class:`~bot.core.conversation.Responder`,
render with :mod:`bot.tg.views`, send.  Buttons use the ``a:`` callback prefix.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from telegram import (
    BotCommand,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.core.conversation import Kind as ReplyKind
from bot.core.conversation import Reply
from bot.core.knowledge.article import asks_for_article
from bot.core.matching.text import Script, convert, detect_script
from bot.core.matching.thresholds import Outcome
from bot.core.usage.votes import Ballots, message_key
from bot.tg import article, feedback, followups, menu, sending, storagewatch, texts
from bot.tg.access import is_admin
from bot.tg.buttons import PATTERN, Action, Button
from bot.tg.common import edit_quietly
from bot.tg.context import Context, FaqApplication, RecentAnswer, user_script
from bot.tg.feature import CommandMenu
from bot.tg.formatting import escape
from bot.tg.texts import say
from bot.tg.triggers import (
    MENTIONS_BOT,
    REPLIES_TO_BOT,
    command_argument,
    is_addressed_command,
    mentions_bot,
    without_mention,
)
from bot.tg.views import (
    DEEP_LINK_PREFIX,
    Outgoing,
    browse_button,
    group_reply,
    private_reply,
)

logger = logging.getLogger(__name__)

MENU_PAYLOAD = "faq"


def commands() -> CommandMenu:
    return CommandMenu(
        private=(
            BotCommand("faq", texts.COMMAND_FAQ),
            BotCommand("help", texts.COMMAND_HELP),
            BotCommand("start", texts.COMMAND_START),
        ),
        group=(
            BotCommand("ask", texts.COMMAND_ASK),
            BotCommand("help", texts.COMMAND_HELP),
            BotCommand("faq", texts.COMMAND_FAQ),
        ),
    )


def register(application: FaqApplication) -> None:
    application.bot_data.ballots = Ballots(application.bot_data.db)
    new = filters.UpdateType.MESSAGE  # an edited command is not run again
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    question = filters.TEXT & ~filters.COMMAND
    application.add_handlers(
        [
            CommandHandler("start", start, filters=new),
            CommandHandler("help", help_command, filters=new),
            CommandHandler("faq", faq, filters=new),
            CommandHandler("ask", ask, filters=new & (private | groups)),
            # In a private chat a question fixed by editing is answered again (as edited).
            MessageHandler(private & question & (new | filters.UpdateType.EDITED_MESSAGE), private_text),
            MessageHandler(groups & new & question & (MENTIONS_BOT | REPLIES_TO_BOT), group_text),
            CallbackQueryHandler(button_pressed, pattern=PATTERN),
        ]
    )


# -- helpers -----------------------------------------------------------------------------------


def _remember_script(context: Context, reply: Reply) -> None:
    if context.user_data is not None and not reply.empty:
        context.user_data.script = reply.script


def _record_question(context: Context, reply: Reply, chat: Chat, user: User | None) -> int:
    """Journal the question; a storage failure is logged and never stops the answer."""
    if reply.empty:
        return 0
    try:
        question_id = context.bot_data.journal.record_question(
            reply, chat.type, user_id=feedback.stored_user_id(context, user)
        )
    except sqlite3.Error as error:
        storagewatch.storage_failed(context, error, f"a question from chat {chat.id}")
        return 0
    storagewatch.storage_works(context)
    return question_id


def _remember_sent(context: Context, sent: list[Message], reply: Reply, question_id: int) -> None:
    """Record the message carrying an answer's or suggestions' buttons, so that presses on it count."""
    if not sent or reply.outcome not in {Outcome.ANSWER, Outcome.SUGGEST}:
        return
    last = sent[-1]
    try:
        context.bot_data.ballots.remember(
            message_key(last.chat.id, last.message_id), reply.outcome, reply.entry_id, question_id
        )
    except sqlite3.Error as error:
        storagewatch.storage_failed(context, error, f"the reply sent in chat {last.chat.id}")


async def _send_reply(
    context: Context, message: Message, reply: Reply, outgoing: Outgoing, question_id: int, *, quote: bool = False
) -> list[Message]:
    sent = await sending.reply(message, outgoing, quote=quote)
    _remember_sent(context, sent, reply, question_id)
    return sent


def _log_reply(reply: Reply, chat: Chat) -> None:
    """One line per question for operators: what the bot did, never what was asked or by whom."""
    logger.info("%s question: %s %s (score %.1f)", chat.type, reply.outcome.value, reply.entry_id or "-", reply.score)


# -- questions ---------------------------------------------------------------------------------


async def answer_privately(message: Message, context: Context, question: str, *, quote: bool = False) -> None:
    """Answer ``question`` in a private chat: full answer, suggestions or decline, with buttons.

    Args:
        quote: quote the message (an edited question: which text is answered).
    """
    if asks_for_article(question):
        await article.send_article(context, message, detect_script(question))
        return
    reply = context.bot_data.responder.reply(question, previous=followups.recall(context, message))
    _remember_script(context, reply)
    question_id = _record_question(context, reply, message.chat, message.from_user)
    _log_reply(reply, message.chat)
    sent = await _send_reply(context, message, reply, private_reply(reply, question_id), question_id, quote=quote)
    followups.remember(context, message, reply, sent)


async def answer_in_group(message: Message, context: Context, question: str, *, explicit: bool) -> None:
    """Answer in a group, quoting the asker; within the repeat window a question answered already
    gets silence from the same asker and a pointer to that answer for anyone else.

    Args:
        explicit: the user called the bot on purpose (/ask, a mention), so an empty
            question gets a usage hint instead of silence.
    """
    data = context.bot_data
    reply = data.responder.reply(question, previous=followups.recall(context, message))
    if reply.empty:
        if explicit and reply.kind is ReplyKind.SMALL_TALK:
            await message.reply_text(reply.text, do_quote=True)
        elif explicit:
            await message.reply_text(say(texts.ASK_USAGE, user_script(context, message.from_user)), do_quote=True)
        return
    if asks_for_article(question):
        await article.send_article(context, message, reply.script)
        return
    _remember_script(context, reply)
    question_id = _record_question(context, reply, message.chat, message.from_user)
    _log_reply(reply, message.chat)
    asker = message.from_user.id if message.from_user is not None else 0
    earlier = _recent_answer(context, reply.normalized)
    if earlier is not None:
        await _point_to_earlier(message, context, earlier, asker)
        return
    outgoing = group_reply(reply, data.responder.contact, context.bot.username, question_id)
    sent = await _send_reply(context, message, reply, outgoing, question_id, quote=data.config.group.quote_question)
    if sent and context.chat_data is not None:
        context.chat_data.recent_questions[reply.normalized] = RecentAnswer(
            time.monotonic(), sent[0].message_id, {asker}
        )
    followups.remember(context, message, reply, sent)


def _recent_answer(context: Context, normalized: str) -> RecentAnswer | None:
    """This chat's answer to the same question within the repeat window (older ones are forgotten)."""
    if context.chat_data is None:
        return None
    window = context.bot_data.config.group.repeat_window_seconds
    recent = context.chat_data.recent_questions
    now = time.monotonic()
    for key, answer in list(recent.items()):
        if now - answer.at >= window:
            del recent[key]
    return recent.get(normalized)


async def _point_to_earlier(message: Message, context: Context, earlier: RecentAnswer, asker: int) -> None:
    """Silence for someone repeating themselves; for a second asker, a short reply to the earlier answer."""
    if asker in earlier.askers:
        logger.info("Not answering a repeated question in chat %s", message.chat.id)
        return
    earlier.askers.add(asker)
    user = message.from_user
    name = user.mention_html() if user is not None else ""
    text = say(texts.GROUP_REPEAT, user_script(context, user), asker=name)
    await message.reply_text(
        text, reply_parameters=ReplyParameters(earlier.message_id, allow_sending_without_reply=True)
    )


async def private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    await answer_privately(message, context, message.text, quote=update.edited_message is not None)


async def group_text(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    question = without_mention(message.text, context.bot.username)
    await answer_in_group(message, context, question, explicit=mentions_bot(message))


async def ask(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    question = command_argument(message.text)
    if message.chat.type == Chat.PRIVATE:
        if not question:
            await message.reply_text(say(texts.ASK_USAGE, user_script(context, message.from_user)))
            return
        await answer_privately(message, context, question)
    else:
        await answer_in_group(message, context, question, explicit=True)


# -- commands ----------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, message.from_user)
    if message.chat.type != Chat.PRIVATE:
        if is_addressed_command(message):
            await message.reply_text(say(texts.HELP_GROUP, script, bot=escape(context.bot.username)))
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(DEEP_LINK_PREFIX):
        reply = context.bot_data.responder.reply_for_entry(payload.removeprefix(DEEP_LINK_PREFIX), script)
        await _send_reply(context, message, reply, private_reply(reply), 0)
        return
    if payload == article.PAYLOAD:
        await article.send_article(context, message, script)
        return
    if payload == MENU_PAYLOAD:
        await sending.reply(message, menu.topics_view(context.bot_data.holder.snapshot.knowledge, script))
        return
    user = message.from_user
    name = "，" + escape(user.first_name) if user is not None and user.first_name else ""
    welcome = Outgoing((say(texts.WELCOME, script, name=name),), InlineKeyboardMarkup([[browse_button(script)]]))
    await sending.reply(message, welcome)


async def help_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, message.from_user)
    bot = escape(context.bot.username)
    if message.chat.type == Chat.PRIVATE:
        contact = escape(convert(context.bot_data.responder.contact, script))
        text = say(texts.HELP_PRIVATE, script, bot=bot, contact=contact)
        if is_admin(update, context):
            listed = "\n".join(f"• /{c.command} {escape(c.description)}" for c in context.bot_data.staff_commands)
            text += say(texts.HELP_STAFF, script, commands=listed)
        await message.reply_text(text)
    else:  # bare or addressed: in a group, the one line on how to ask
        await message.reply_text(say(texts.HELP_GROUP, script, bot=bot))


async def faq(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, message.from_user)
    if message.chat.type == Chat.PRIVATE:
        await sending.reply(message, menu.topics_view(context.bot_data.holder.snapshot.knowledge, script))
    else:  # no menus in groups: the menu opens in a private chat
        link = escape(create_deep_linked_url(context.bot.username, MENU_PAYLOAD))
        await message.reply_text(say(texts.GROUP_FAQ, script, link=link))


# -- buttons -----------------------------------------------------------------------------------


async def button_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    pressed = Button.decode(query.data)
    if pressed is None:
        await query.answer(say(texts.BUTTON_EXPIRED, Script.SIMPLIFIED))
        return
    if pressed.action is Action.ENTRY:
        await _show_entry(query, context, pressed)
    elif pressed.action in {Action.UP, Action.DOWN}:
        await feedback.thumb_pressed(query, context, pressed)
    elif pressed.action is Action.NONE:
        await feedback.none_of_these(query, context, pressed)
    elif pressed.action is Action.ARTICLE and query.message is not None:
        await query.answer()
        await article.send_article(context, query.message, pressed.script)
    else:
        await _navigate(query, context, pressed)


async def _show_entry(query: CallbackQuery, context: Context, pressed: Button) -> None:
    data = context.bot_data
    reply = data.responder.reply_for_entry(pressed.argument, pressed.script)
    if query.message is None:  # a button under an inline-mode message: no chat to answer in
        await query.answer(say(texts.BUTTON_EXPIRED, pressed.script), show_alert=True)
        return
    await query.answer()
    if query.message.chat.type == Chat.PRIVATE:
        sent = await sending.reply_below(context.bot, query.message, private_reply(reply, pressed.number))
    else:  # a suggestion pressed in a group: the answer goes to the question it suggested for
        outgoing = group_reply(reply, data.responder.contact, context.bot.username, pressed.number)
        asked = query.message.reply_to_message if isinstance(query.message, Message) else None
        if asked is not None:
            sent = await sending.reply(asked, outgoing, quote=True)
        else:
            sent = await sending.reply_below(context.bot, query.message, outgoing)
    _remember_sent(context, sent, reply, pressed.number)


async def _navigate(query: CallbackQuery, context: Context, pressed: Button) -> None:
    if query.message is None:  # menus are never sent in inline mode
        await query.answer(say(texts.BUTTON_EXPIRED, pressed.script))
        return
    await query.answer()  # first: the menu below is built while Telegram already shows the press as done
    knowledge = context.bot_data.holder.snapshot.knowledge
    if pressed.action is Action.TOPICS:
        view = menu.topics_view(knowledge, pressed.script, pressed.number)
    else:
        try:
            topic_index = int(pressed.argument)
        except ValueError:
            topic_index = -1
        view = menu.topic_view(knowledge, pressed.script, topic_index, pressed.number)
    if query.message.is_accessible:
        await edit_quietly(query.edit_message_text(view.texts[0], reply_markup=view.keyboard))
    else:  # too old to edit: show the menu anew
        await sending.reply_below(context.bot, query.message, view)
