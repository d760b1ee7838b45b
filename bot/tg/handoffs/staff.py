"""The staff's side of hand-offs: the cards, replies to them, «不需要回复», «加入问答库…», /handoffs.

Staff are the admins of the config, and whoever writes in ``staff_chat_id`` (only its
members can).  A reply to a card (or to the «回复» prompt) is the answer for the cadre;
«加入问答库…» edits ``faq.yaml`` with :mod:`bot.core.handoffs.faqedit` and installs it
exactly as an uploaded file.  Wordings: :mod:`bot.core.handoffs.texts`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime
from html import escape

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.config import Config
from bot.core.files.uploads import UploadLimits
from bot.core.files.watched import ReloadStatus
from bot.core.handoffs import faqedit
from bot.core.handoffs import texts as handoff_texts
from bot.core.handoffs.service import Delivered, ReplyTaken
from bot.core.handoffs.store import Handoff, Purpose, State
from bot.core.handoffs.texts import card, delivery_report, shorten, waiting_list
from bot.core.knowledge.texts import format_update
from bot.core.usage.journal import record_knowledge_update
from bot.tg.context import Context
from bot.tg.formatting import Block, split_message
from bot.tg.handoffs.buttons import StaffAction, StaffPress

logger = logging.getLogger(__name__)

CLOSEST_ENTRIES = 4


# -- who is staff ------------------------------------------------------------------------------


def staff_targets(config: Config) -> tuple[int, ...]:
    return (config.staff_chat_id,) if config.staff_chat_id is not None else config.admins


def is_staff(update: Update, context: Context) -> bool:
    """Admins anywhere, and whoever writes in the staff chat (only its members can)."""
    config, user, chat = context.bot_data.config, update.effective_user, update.effective_chat
    if config.is_admin(user.id if user is not None else None):
        return True
    return config.staff_chat_id is not None and chat is not None and chat.id == config.staff_chat_id


async def refuse(update: Update, what: str) -> None:
    user, chat = update.effective_user, update.effective_chat
    logger.warning(
        "Refused %s to non-staff user %s in chat %s", what, user.id if user else None, chat.id if chat else None
    )
    if update.callback_query is not None:
        await update.callback_query.answer(handoff_texts.NOT_STAFF, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(handoff_texts.NOT_STAFF)


# -- cards --------------------------------------------------------------------------------------


def staff_keyboard(handoff: Handoff) -> InlineKeyboardMarkup:
    add = InlineKeyboardButton(handoff_texts.ADD, callback_data=StaffPress(StaffAction.ADD, handoff.id).encode())
    if handoff.state is not State.OPEN:
        return InlineKeyboardMarkup([[add]])
    reply = InlineKeyboardButton(handoff_texts.REPLY, callback_data=StaffPress(StaffAction.REPLY, handoff.id).encode())
    dismiss = StaffPress(StaffAction.DISMISS, handoff.id).encode()
    return InlineKeyboardMarkup([[reply, add], [InlineKeyboardButton(handoff_texts.DISMISS, callback_data=dismiss)]])


async def send_card(context: Context, handoff: Handoff, text: str | None = None) -> None:
    """The card of a hand-off to the staff chat, or to each admin privately."""
    data = context.bot_data
    text = text or card(handoff, data.config.tzinfo)
    for chat_id in staff_targets(data.config):
        try:
            message = await context.bot.send_message(chat_id, text, reply_markup=staff_keyboard(handoff))
        except TelegramError as error:  # e.g. an admin who never started a chat with the bot
            logger.warning("Could not send hand-off %s to staff chat %s: %s", handoff.id, chat_id, error)
            continue
        data.handoffs.store.add_message(handoff.id, chat_id, message.message_id, Purpose.CARD)


async def refresh_cards(context: Context, handoff_id: int) -> None:
    """Every card of a hand-off shows its state and only the buttons that still apply (best effort)."""
    data = context.bot_data
    handoff = data.handoffs.store.get(handoff_id)
    if handoff is None:
        return
    text = card(handoff, data.config.tzinfo)
    for chat_id, message_id in data.handoffs.store.messages(handoff_id):
        try:
            await context.bot.edit_message_text(text, chat_id, message_id, reply_markup=staff_keyboard(handoff))
        except TelegramError as error:
            logger.info("Could not update the card of hand-off %s in chat %s: %s", handoff_id, chat_id, error)


async def staff_reply(update: Update, context: Context) -> None:
    """A reply to one of the bot's hand-off messages: the answer for the cadre (or a new entry id)."""
    message = update.effective_message
    assert message is not None
    original = message.reply_to_message
    if original is None or original.from_user is None or original.from_user.id != context.bot.id:
        return
    found = context.bot_data.handoffs.store.by_message(message.chat.id, original.message_id)
    if found is None:
        return  # not about a hand-off: answering deals with it
    handoff, purpose = found
    if not is_staff(update, context):
        await refuse(update, "a hand-off reply")
    elif purpose is Purpose.ENTRY_ID:
        await _rename_entry(context, message, handoff)
    else:
        await _take_reply(context, message, handoff)
    raise ApplicationHandlerStop


async def _take_reply(context: Context, message: Message, handoff: Handoff) -> None:
    service = context.bot_data.handoffs
    if (handoff.reply_chat_id, handoff.reply_message_id) == (message.chat.id, message.message_id):
        return  # the same update again (redelivered after a restart): it was taken already
    user_id = message.from_user.id if message.from_user else None
    taken = service.take_reply(handoff.id, message.text or "", message.chat.id, message.message_id, user_id)
    if taken is ReplyTaken.EMPTY:
        await message.reply_text(handoff_texts.EMPTY_REPLY)
        return
    if taken is ReplyTaken.NOT_OPEN:
        await message.reply_text(handoff_texts.NOT_OPEN.format(number=handoff.id))
        return
    logger.info("Staff member %s replied to hand-off %s", user_id, handoff.id)
    outcome = await service.deliver(handoff.id)
    if outcome is None:
        await message.reply_text(handoff_texts.RETRYING.format(number=handoff.id))
    else:
        await message.reply_text(delivery_report(outcome.handoff))
    await refresh_cards(context, handoff.id)


async def staff_action(query: CallbackQuery, context: Context, press: StaffPress) -> None:
    service = context.bot_data.handoffs
    handoff = service.store.get(press.handoff_id)
    assert query.message is not None
    if handoff is None:
        await query.answer(handoff_texts.GONE, show_alert=True)
        return
    chat_id = query.message.chat.id
    if press.action is StaffAction.REPLY:
        await query.answer()
        prompt = await context.bot.send_message(
            chat_id, handoff_texts.REPLY_PROMPT.format(number=handoff.id), reply_markup=ForceReply(selective=True)
        )
        service.store.add_message(handoff.id, chat_id, prompt.message_id, Purpose.REPLY)
    elif press.action is StaffAction.DISMISS:
        closed = service.close(handoff.id, query.from_user.id)
        await query.answer(handoff_texts.CLOSED.format(number=handoff.id) if closed else handoff_texts.CLOSED_ALREADY)
        if closed:
            logger.info("Staff member %s closed hand-off %s", query.from_user.id, handoff.id)
            await refresh_cards(context, handoff.id)
    elif press.action is StaffAction.ADD:
        await query.answer()
        await _choose_entry(context, chat_id, handoff)
    elif press.action is StaffAction.PHRASING:
        await query.answer()
        await _edit_faq(context, chat_id, handoff, press.argument, new_entry=False, by=query.from_user.id)
    elif press.action is StaffAction.NEW_ENTRY:
        await _propose_entry(query, context, handoff)
    else:
        await query.answer()
        await _edit_faq(context, chat_id, handoff, handoff.proposed_id or "", new_entry=True, by=query.from_user.id)


# -- into the FAQ ------------------------------------------------------------------------------


async def _choose_entry(context: Context, chat_id: int, handoff: Handoff) -> None:
    snapshot = context.bot_data.holder.snapshot
    result = snapshot.matcher.match(handoff.question)
    rows = []
    for candidate in result.candidates[:CLOSEST_ENTRIES]:
        entry = snapshot.knowledge.get(candidate.entry_id)
        if entry is None:
            continue
        label = handoff_texts.PHRASING.format(question=shorten(entry.questions[0], 30), entry_id=entry.id)
        data = StaffPress(StaffAction.PHRASING, handoff.id, entry.id).encode()
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    new_entry = StaffPress(StaffAction.NEW_ENTRY, handoff.id).encode()
    rows.append([InlineKeyboardButton(handoff_texts.NEW_ENTRY, callback_data=new_entry)])
    text = handoff_texts.ADD_CHOOSE.format(number=handoff.id, question=escape(shorten(handoff.question, 200)))
    await context.bot.send_message(chat_id, text, reply_markup=InlineKeyboardMarkup(rows))


async def _propose_entry(query: CallbackQuery, context: Context, handoff: Handoff) -> None:
    if not handoff.reply_text:
        await query.answer(handoff_texts.NEEDS_REPLY, show_alert=True)
        return
    await query.answer()
    assert query.message is not None
    store = context.bot_data.handoffs.store
    entry_id = handoff.proposed_id or faqedit.propose_id(context.bot_data.holder.snapshot.knowledge, handoff.id)
    store.set_proposed_id(handoff.id, entry_id)
    await _show_proposal(context, query.message.chat.id, handoff, entry_id)


async def _show_proposal(context: Context, chat_id: int, handoff: Handoff, entry_id: str) -> None:
    text = handoff_texts.NEW_ENTRY_CONFIRM.format(
        entry_id=escape(entry_id),
        question=escape(shorten(handoff.question, 200)),
        answer=escape(shorten(handoff.reply_text or "")),
    )
    create = StaffPress(StaffAction.CREATE, handoff.id).encode()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(handoff_texts.CREATE, callback_data=create)]])
    sent = await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    context.bot_data.handoffs.store.add_message(handoff.id, chat_id, sent.message_id, Purpose.ENTRY_ID)


async def _rename_entry(context: Context, message: Message, handoff: Handoff) -> None:
    entry_id = faqedit.clean_id(message.text or "")
    if not faqedit.valid_id(entry_id):
        await message.reply_text(handoff_texts.BAD_ID.format(entry_id=escape(entry_id)))
        return
    if entry_id in context.bot_data.holder.snapshot.knowledge:
        await message.reply_text(handoff_texts.ID_TAKEN.format(entry_id=escape(entry_id)))
        return
    context.bot_data.handoffs.store.set_proposed_id(handoff.id, entry_id)
    await _show_proposal(context, message.chat.id, handoff, entry_id)


async def _edit_faq(
    context: Context, chat_id: int, handoff: Handoff, entry_id: str, *, new_entry: bool, by: int | None
) -> None:
    """Add the question as a phrasing of ``entry_id``, or as a new entry answered by staff's reply.

    The edited file goes through the upload pipeline; staff get the same summary as for an upload.
    """
    data = context.bot_data
    reloader, config = data.reloader, data.config
    if new_entry and not (handoff.reply_text and entry_id):
        await context.bot.send_message(chat_id, handoff_texts.NEEDS_REPLY)
        return
    if new_entry and entry_id in data.holder.snapshot.knowledge:
        await context.bot.send_message(chat_id, handoff_texts.ID_TAKEN.format(entry_id=escape(entry_id)))
        return
    question, answer = handoff.question, handoff.reply_text or ""

    def edit(text: str) -> str:
        if new_entry:
            return faqedit.add_entry(text, entry_id, question, answer)
        return faqedit.add_phrasing(text, entry_id, question)

    limits = UploadLimits(config.staff.max_upload_kb * 1024, config.staff.history_keep)
    try:
        result = await asyncio.to_thread(faqedit.apply, reloader, edit, limits, datetime.now(config.tzinfo))
    except (OSError, UnicodeDecodeError, faqedit.FaqEditError) as error:
        await context.bot.send_message(chat_id, handoff_texts.EDIT_FAILED.format(error=escape(str(error))))
        return
    try:
        record_knowledge_update(data.db, "upload", result, user_id=by)
    except sqlite3.Error:
        logger.exception("Could not record the knowledge update")
    logger.info("Hand-off %s into the FAQ as %s: %s", handoff.id, entry_id, result.status.value)
    blocks = [Block(format_update(result, len(data.holder.snapshot.knowledge)))]
    if result.status is ReloadStatus.LOADED:
        lead = handoff_texts.ADDED_ENTRY if new_entry else handoff_texts.ADDED_PHRASING
        blocks.insert(0, Block(lead.format(entry_id=entry_id, question=shorten(handoff.question, 100))))
    await _send_text(context, chat_id, blocks)


async def handoffs_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    if not is_staff(update, context):
        await refuse(update, "/handoffs")
        return
    data = context.bot_data
    text = waiting_list(data.handoffs.waiting(), data.config.tzinfo)
    for piece in split_message([Block.markup(text)]):
        await message.reply_text(piece)


async def report_delivery(context: Context, outcome: Delivered) -> None:
    """Tell the staff member whose reply was sent later (after a retry or a restart) what became of it."""
    handoff = outcome.handoff
    if handoff.reply_chat_id is not None:
        try:
            await context.bot.send_message(
                handoff.reply_chat_id,
                delivery_report(handoff),
                reply_parameters=ReplyParameters(handoff.reply_message_id or 0, allow_sending_without_reply=True),
            )
        except TelegramError as error:
            logger.warning("Could not report the delivery of hand-off %s: %s", handoff.id, error)
    await refresh_cards(context, handoff.id)


async def _send_text(context: Context, chat_id: int, blocks: list[Block]) -> None:
    for piece in split_message(blocks):
        await context.bot.send_message(chat_id, piece)
