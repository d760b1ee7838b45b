"""The answering feature: questions in private chats, groups and inline mode; /start, /help, /faq.

Handlers are thin: read the update, ask the core's :class:`~bot.core.answering.Responder`,
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
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, InlineQueryHandler, MessageHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.core.answering import Reply
from bot.core.journal import FeedbackKind
from bot.core.text import Script, convert, detect_script
from bot.tg import menu, sending, storagewatch
from bot.tg.buttons import PATTERN, Action, Button
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.feature import CommandMenu
from bot.tg.formatting import escape
from bot.tg.texts import Texts, say
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
    inline_result,
    more_in_private,
    private_reply,
)
from bot.tg.views import without_feedback as markup_without_feedback

logger = logging.getLogger(__name__)

INLINE_RESULTS = 5
INLINE_CACHE_SECONDS = 60
MENU_PAYLOAD = "faq"
FEEDBACK_KINDS = {Action.UP: FeedbackKind.UP, Action.DOWN: FeedbackKind.DOWN}


def commands() -> CommandMenu:
    return CommandMenu(
        private=(
            BotCommand("faq", Texts.COMMAND_FAQ),
            BotCommand("help", Texts.COMMAND_HELP),
            BotCommand("start", Texts.COMMAND_START),
        ),
        group=(BotCommand("ask", Texts.COMMAND_ASK), BotCommand("help", Texts.COMMAND_HELP)),
    )


def register(application: FaqApplication) -> None:
    new = filters.UpdateType.MESSAGE  # edited messages are not questions asked again
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    question = new & filters.TEXT & ~filters.COMMAND
    application.add_handlers(
        [
            CommandHandler("start", start, filters=new),
            CommandHandler("help", help_command, filters=new),
            CommandHandler("faq", faq, filters=new),
            CommandHandler("ask", ask, filters=new & (private | groups)),
            MessageHandler(private & question, private_text),
            MessageHandler(groups & question & (MENTIONS_BOT | REPLIES_TO_BOT), group_text),
            CallbackQueryHandler(button_pressed, pattern=PATTERN),
            InlineQueryHandler(inline_query),
        ]
    )


# -- helpers -----------------------------------------------------------------------------------


def _user_id_to_store(context: Context, user: User | None) -> int | None:
    return user.id if user is not None and context.bot_data.config.staff.store_user_ids else None


def _remember_script(context: Context, reply: Reply) -> None:
    if context.user_data is not None and not reply.empty:
        context.user_data.script = reply.script


def _record_question(context: Context, reply: Reply, chat: Chat, user: User | None) -> int:
    """Journal the question; a storage failure is logged and never stops the answer."""
    if reply.empty:
        return 0
    try:
        question_id = context.bot_data.journal.record_question(
            reply, chat.type, user_id=_user_id_to_store(context, user)
        )
    except sqlite3.Error as error:
        storagewatch.storage_failed(context, error, f"a question from chat {chat.id}")
        return 0
    storagewatch.storage_works(context)
    return question_id


def _record_feedback(
    context: Context, kind: FeedbackKind, *, chat_type: str, entry_id: str | None, question_id: int, user: User
) -> None:
    try:
        context.bot_data.journal.record_feedback(
            kind, chat_type, entry_id, question_id=question_id or None, user_id=_user_id_to_store(context, user)
        )
    except sqlite3.Error as error:
        storagewatch.storage_failed(context, error, f"{kind.value} feedback on {entry_id}")


def _log_reply(reply: Reply, chat: Chat) -> None:
    """One line per question for operators: what the bot did, never what was asked or by whom."""
    logger.info("%s question: %s %s (score %.1f)", chat.type, reply.outcome.value, reply.entry_id or "-", reply.score)


# -- questions ---------------------------------------------------------------------------------


async def answer_privately(message: Message, context: Context, question: str) -> None:
    """Answer ``question`` in a private chat: full answer, suggestions or decline, with buttons."""
    reply = context.bot_data.responder.reply(question)
    _remember_script(context, reply)
    question_id = _record_question(context, reply, message.chat, message.from_user)
    _log_reply(reply, message.chat)
    await sending.reply(message, private_reply(reply, question_id))


async def answer_in_group(message: Message, context: Context, question: str, *, explicit: bool) -> None:
    """Answer in a group: quietly, once per question per window, quoting the asker.

    Args:
        explicit: the user called the bot on purpose (/ask, a mention), so an empty
            question gets a usage hint instead of silence.
    """
    data = context.bot_data
    reply = data.responder.reply(question)
    if reply.empty:
        if explicit:
            await message.reply_text(say(Texts.ASK_USAGE, user_script(context, message.from_user)), do_quote=True)
        return
    _remember_script(context, reply)
    question_id = _record_question(context, reply, message.chat, message.from_user)
    _log_reply(reply, message.chat)
    if context.chat_data is not None and _asked_recently(context, reply.normalized):
        logger.info("Not answering a repeated question in chat %s", message.chat.id)
        return
    outgoing = group_reply(reply, data.responder.contact, context.bot.username, question_id)
    await sending.reply(message, outgoing, quote=data.config.group.quote_question)


def _asked_recently(context: Context, normalized: str) -> bool:
    """Whether this chat got the same question within the repeat window; marks it asked now."""
    assert context.chat_data is not None
    window = context.bot_data.config.group.repeat_window_seconds
    recent = context.chat_data.recent_questions
    now = time.monotonic()
    for key, asked_at in list(recent.items()):
        if now - asked_at >= window:
            del recent[key]
    if normalized in recent:
        return True
    recent[normalized] = now
    return False


async def private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    await answer_privately(message, context, message.text)


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
            await message.reply_text(say(Texts.ASK_USAGE, user_script(context, message.from_user)))
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
            await message.reply_text(say(Texts.HELP_GROUP, script, bot=escape(context.bot.username)))
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(DEEP_LINK_PREFIX):
        reply = context.bot_data.responder.reply_for_entry(payload.removeprefix(DEEP_LINK_PREFIX), script)
        await sending.reply(message, private_reply(reply))
        return
    if payload == MENU_PAYLOAD:
        await sending.reply(message, menu.topics_view(context.bot_data.holder.snapshot.knowledge, script))
        return
    user = message.from_user
    name = "，" + escape(user.first_name) if user is not None and user.first_name else ""
    welcome = Outgoing((say(Texts.WELCOME, script, name=name),), InlineKeyboardMarkup([[browse_button(script)]]))
    await sending.reply(message, welcome)


async def help_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, message.from_user)
    bot = escape(context.bot.username)
    if message.chat.type == Chat.PRIVATE:
        contact = escape(convert(context.bot_data.responder.contact, script))
        await message.reply_text(say(Texts.HELP_PRIVATE, script, bot=bot, contact=contact))
    elif is_addressed_command(message):
        await message.reply_text(say(Texts.HELP_GROUP, script, bot=bot))


async def faq(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, message.from_user)
    if message.chat.type == Chat.PRIVATE:
        await sending.reply(message, menu.topics_view(context.bot_data.holder.snapshot.knowledge, script))
    elif is_addressed_command(message):
        link = escape(create_deep_linked_url(context.bot.username, MENU_PAYLOAD))
        await message.reply_text(say(Texts.GROUP_FAQ, script, link=link))


# -- buttons -----------------------------------------------------------------------------------


async def button_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    pressed = Button.decode(query.data)
    if pressed is None:
        await query.answer(say(Texts.BUTTON_EXPIRED, Script.SIMPLIFIED))
        return
    if pressed.action is Action.ENTRY:
        await _show_entry(query, context, pressed)
    elif pressed.action in FEEDBACK_KINDS:
        await _feedback(query, context, pressed)
    elif pressed.action is Action.NONE:
        await _none_of_these(query, context, pressed)
    else:
        await _navigate(query, context, pressed)


def _chat_type(query: CallbackQuery) -> str:
    return query.message.chat.type if query.message is not None else "inline"


async def _show_entry(query: CallbackQuery, context: Context, pressed: Button) -> None:
    data = context.bot_data
    reply = data.responder.reply_for_entry(pressed.argument, pressed.script)
    if query.message is None:  # a button under an inline-mode message: no chat to answer in
        await query.answer(say(Texts.BUTTON_EXPIRED, pressed.script), show_alert=True)
        return
    await query.answer()
    if query.message.chat.type == Chat.PRIVATE:
        outgoing = private_reply(reply, pressed.number)
    else:
        outgoing = group_reply(reply, data.responder.contact, context.bot.username, pressed.number)
    await sending.reply_below(context.bot, query.message, outgoing)


async def _feedback(query: CallbackQuery, context: Context, pressed: Button) -> None:
    kind = FEEDBACK_KINDS[pressed.action]
    _record_feedback(
        context,
        kind,
        chat_type=_chat_type(query),
        entry_id=pressed.argument or None,
        question_id=pressed.number,
        user=query.from_user,
    )
    thanks = Texts.FEEDBACK_THANKS if kind is FeedbackKind.UP else Texts.FEEDBACK_DOWN
    await query.answer(say(thanks, pressed.script))
    if query.inline_message_id is not None:  # an inline-mode message: Telegram does not send it back
        link = more_in_private(pressed.argument, pressed.script, context.bot.username) if pressed.argument else None
        await _edit_markup(query, InlineKeyboardMarkup([[link]]) if link else None)
        return
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    await _edit_markup(query, markup_without_feedback(markup))


async def _none_of_these(query: CallbackQuery, context: Context, pressed: Button) -> None:
    data = context.bot_data
    record = data.journal.question(pressed.number) if pressed.number else None
    entry_id = record.entry_id if record is not None else None
    _record_feedback(
        context,
        FeedbackKind.NONE_OF_THESE,
        chat_type=_chat_type(query),
        entry_id=entry_id,
        question_id=pressed.number,
        user=query.from_user,
    )
    await query.answer()
    await _edit_markup(query, None)
    if query.message is not None:
        contact = escape(convert(data.responder.contact, pressed.script))
        text = say(Texts.NONE_REPLY, pressed.script, contact=contact)
        outgoing = Outgoing((text,), InlineKeyboardMarkup([[browse_button(pressed.script)]]))
        await sending.reply_below(context.bot, query.message, outgoing)


async def _navigate(query: CallbackQuery, context: Context, pressed: Button) -> None:
    if query.message is None:  # menus are never sent in inline mode
        await query.answer(say(Texts.BUTTON_EXPIRED, pressed.script))
        return
    knowledge = context.bot_data.holder.snapshot.knowledge
    if pressed.action is Action.TOPICS:
        view = menu.topics_view(knowledge, pressed.script, pressed.number)
    else:
        try:
            topic_index = int(pressed.argument)
        except ValueError:
            topic_index = -1
        view = menu.topic_view(knowledge, pressed.script, topic_index, pressed.number)
    await query.answer()
    if query.message.is_accessible:
        try:
            await query.edit_message_text(view.texts[0], reply_markup=view.keyboard)
        except BadRequest as error:
            if "not modified" not in error.message.lower():  # a double click
                raise
    else:  # too old to edit: show the menu anew
        await sending.reply_below(context.bot, query.message, view)


async def _edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


# -- inline mode -------------------------------------------------------------------------------


async def inline_query(update: Update, context: Context) -> None:
    """Offer up to five answers for ``@bot question`` typed in any chat."""
    query = update.inline_query
    assert query is not None
    text = query.query.strip()
    script = detect_script(text) if text else user_script(context, query.from_user)
    results = inline_results(context, text, script) if text else []
    start_button = InlineQueryResultsButton(text=say(Texts.INLINE_OPEN, script), start_parameter="inline")
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, button=start_button)


def inline_results(context: Context, text: str, script: Script) -> list[InlineQueryResultArticle]:
    answers = context.bot_data.responder.likely_answers(text, script, INLINE_RESULTS)
    return [inline_result(reply, question, context.bot.username) for question, reply in answers]
