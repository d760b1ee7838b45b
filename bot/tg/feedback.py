"""Presses on 👍/👎 and "none of these": counted once per person, only on replies the bot sent.

Callback data is whatever a client sends, so a press counts only for the message it comes
from, when the bot recorded that message as its answer with that entry
(:class:`~bot.core.usage.votes.Ballots`); forged or stale data gets "this button has expired".
The buttons stay for everyone else, showing the counts so far.
"""

from __future__ import annotations

import logging
import sqlite3

from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot.core.handoffs.store import Kind
from bot.core.matching.text import convert
from bot.core.usage.journal import FeedbackKind
from bot.core.usage.votes import VoteOutcome, VoteResult, inline_key, message_key
from bot.tg import sending, storagewatch, texts
from bot.tg.buttons import Action, Button
from bot.tg.common import edit_quietly
from bot.tg.context import Context
from bot.tg.formatting import escape
from bot.tg.handoffs.buttons import CALLBACK as HANDOFF_CALLBACK
from bot.tg.handoffs.buttons import LINK_PREFIX, ask_staff_button, with_ask_staff
from bot.tg.texts import say
from bot.tg.views import Outgoing, browse_button, inline_keyboard, with_tally

logger = logging.getLogger(__name__)

FEEDBACK_KINDS = {Action.UP: FeedbackKind.UP, Action.DOWN: FeedbackKind.DOWN}


def stored_user_id(context: Context, user: User | None) -> int | None:
    return user.id if user is not None and context.bot_data.config.staff.store_user_ids else None


def _chat_type(query: CallbackQuery) -> str:
    return query.message.chat.type if query.message is not None else "inline"


def _vote(
    context: Context, key: str, kind: FeedbackKind, pressed: Button, *, chat_type: str, user: User, unrecorded: bool
) -> VoteResult | None:
    """Count a press; None when storage failed (logged: the press is thanked, not counted)."""
    try:
        return context.bot_data.ballots.vote(
            key,
            user.id,
            kind,
            pressed.argument or None,
            chat_type,
            stored_user_id=stored_user_id(context, user),
            unrecorded=unrecorded,
        )
    except sqlite3.Error as error:
        storagewatch.storage_failed(context, error, f"{kind.value} feedback on {key}")
        return None


async def thumb_pressed(query: CallbackQuery, context: Context, pressed: Button) -> None:
    """👍/👎: one vote per person and message, only on an answer the bot sent with that entry."""
    kind = FEEDBACK_KINDS[pressed.action]
    if query.inline_message_id is not None:  # the bot never sees inline messages sent: the entry must exist
        key = inline_key(query.inline_message_id)
        unrecorded = pressed.argument in context.bot_data.holder.snapshot.knowledge
    elif query.message is not None:
        key, unrecorded = message_key(query.message.chat.id, query.message.message_id), False
    else:
        await query.answer(say(texts.BUTTON_EXPIRED, pressed.script))
        return
    result = _vote(
        context, key, kind, pressed, chat_type=_chat_type(query), user=query.from_user, unrecorded=unrecorded
    )
    if result is not None and result.outcome is VoteOutcome.REFUSED:
        await query.answer(say(texts.BUTTON_EXPIRED, pressed.script))
        return
    if result is not None and result.outcome is VoteOutcome.REPEATED:
        await query.answer(say(texts.FEEDBACK_REPEATED, pressed.script))
        return
    thanks = texts.FEEDBACK_THANKS if kind is FeedbackKind.UP else texts.FEEDBACK_DOWN
    await query.answer(say(thanks, pressed.script))
    if result is None:
        return
    # The buttons stay for everyone else, with the counts so far.
    if query.inline_message_id is not None:
        await _edit_markup(query, inline_keyboard(pressed.argument, pressed.script, context.bot.username, result.tally))
    elif isinstance(query.message, Message) and query.message.reply_markup is not None:
        markup = with_tally(query.message.reply_markup, result.tally)
        ask_staff = _ask_staff_after(context, query.message, pressed, result.question_id)
        await _edit_markup(query, with_ask_staff(markup, ask_staff) if kind is FeedbackKind.DOWN else markup)


def _ask_staff_after(
    context: Context, message: Message, pressed: Button, question_id: int | None
) -> InlineKeyboardButton | None:
    """«问工作人员» after a 👎 (a button in private, a private deep link in groups), once per message."""
    number = question_id or pressed.number
    markup = message.reply_markup
    shown = markup is not None and any(
        f"start={LINK_PREFIX}" in (button.url or "") or HANDOFF_CALLBACK.owns(button.callback_data)
        for row in markup.inline_keyboard
        for button in row
    )
    if not number or shown:
        return None
    username = context.bot.username if message.chat.type != Chat.PRIVATE else ""
    return ask_staff_button(pressed.script, Kind.DOWN, number, pressed.argument, bot_username=username)


async def none_of_these(query: CallbackQuery, context: Context, pressed: Button) -> None:
    """Suggestions dismissed (都不是): recorded once, and the message says so in a whole sentence."""
    data = context.bot_data
    if query.message is None:
        await query.answer(say(texts.BUTTON_EXPIRED, pressed.script))
        return
    key = message_key(query.message.chat.id, query.message.message_id)
    result = _vote(
        context,
        key,
        FeedbackKind.NONE_OF_THESE,
        pressed,
        chat_type=_chat_type(query),
        user=query.from_user,
        unrecorded=False,
    )
    if result is not None and result.outcome is VoteOutcome.REFUSED:
        await query.answer(say(texts.BUTTON_EXPIRED, pressed.script))
        return
    await query.answer()
    if result is not None and result.outcome is VoteOutcome.REPEATED:
        return
    if query.message.is_accessible:
        await _edit_text(query, say(texts.SUGGEST_DISMISSED, pressed.script))
    contact = escape(convert(data.responder.contact, pressed.script))
    text = say(texts.NONE_REPLY, pressed.script, contact=contact)
    private = query.message.chat.type == Chat.PRIVATE
    number = (result.question_id if result is not None else None) or pressed.number
    username = "" if private else context.bot.username
    ask_staff = ask_staff_button(pressed.script, Kind.NONE_OF_THESE, number, bot_username=username) if number else None
    keyboard = with_ask_staff(InlineKeyboardMarkup([[browse_button(pressed.script)]]) if private else None, ask_staff)
    await sending.reply_below(context.bot, query.message, Outgoing((text,), keyboard))


async def _edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    await edit_quietly(query.edit_message_reply_markup(markup))


async def _edit_text(query: CallbackQuery, text: str) -> None:
    """Replace the text of the pressed message and drop its buttons."""
    await edit_quietly(query.edit_message_text(text, reply_markup=None))
