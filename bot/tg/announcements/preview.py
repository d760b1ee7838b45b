"""/announce: the preview exactly as it will be sent, its options, and Confirm / Cancel.

Callback data (:class:`~bot.tg.common.Callback` ``n``): ``n:t:<broadcast>:<targets>`` (choose
targets), ``n:p:<broadcast>:<0|1>`` (pin), ``n:ok:<broadcast>`` (confirm), ``n:no:<broadcast>`` (cancel).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.announcements.broadcasts import Broadcast, BroadcastKind, BroadcastState
from bot.core.announcements.model import Targets
from bot.core.announcements.texts import targets_button, yes_no
from bot.tg.access import admin_only
from bot.tg.announcements import texts
from bot.tg.announcements.sender import send_notices, send_text
from bot.tg.common import Callback, edit_quietly
from bot.tg.context import Context
from bot.tg.formatting import escape, paragraphs, split_message

logger = logging.getLogger(__name__)

CALLBACK = Callback("n")


def announcement_of(message: Message) -> tuple[str, bool]:
    """The announcement in an /announce message (or in the message it replies to), and whether it is HTML.

    Formatting (bold, links, …) is kept as HTML; text without formatting stays plain.
    """
    entities = message.entities or ()
    command = next((e for e in entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
    text = message.text or ""
    if command is not None and text[command.length :].strip():
        formatted = any(e.type != MessageEntity.BOT_COMMAND for e in entities)
        if not formatted:
            return text[command.length :].strip(), False
        return message.text_html[command.length :].strip(), True
    replied = message.reply_to_message
    if replied is not None and replied.text:
        if any(e.type != MessageEntity.BOT_COMMAND for e in replied.entities or ()):
            return replied.text_html.strip(), True
        return replied.text.strip(), False
    return "", False


def controls_keyboard(broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    """Options and Confirm / Cancel under the preview; none once confirmed or cancelled."""
    if broadcast.state is not BroadcastState.DRAFT:
        return None
    number = broadcast.id
    rows = [
        [
            InlineKeyboardButton(
                targets_button(targets, broadcast.targets), callback_data=CALLBACK.encode("t", number, targets.value)
            )
            for targets in Targets
        ]
    ]
    if broadcast.targets.groups:
        label = texts.PIN.format(value=yes_no(broadcast.pin))
        rows.append([InlineKeyboardButton(label, callback_data=CALLBACK.encode("p", number, int(not broadcast.pin)))])
    rows.append(
        [
            InlineKeyboardButton(texts.CONFIRM, callback_data=CALLBACK.encode("ok", number)),
            InlineKeyboardButton(texts.CANCEL, callback_data=CALLBACK.encode("no", number)),
        ]
    )
    return InlineKeyboardMarkup(rows)


@admin_only
async def announce(update: Update, context: Context) -> None:
    """Preview an announcement exactly as it will look, with options and Confirm / Cancel; send nothing yet."""
    message, user = update.effective_message, update.effective_user
    assert message is not None
    assert user is not None
    text, html = announcement_of(message)
    if not text:
        await message.reply_text(escape(texts.ANNOUNCE_USAGE))
        return
    service = context.bot_data.announcements
    draft = service.draft(text, html=html, admin_id=user.id, chat_id=message.chat.id)
    try:
        await message.reply_text(text, parse_mode=ParseMode.HTML if html else None)
    except BadRequest as error:  # e.g. formatting Telegram cannot show: tell the admin, send nothing
        service.cancel(draft.id)
        await message.reply_text(escape(texts.UNSENDABLE.format(error=error.message)))
        return
    await send_text(context.bot, message.chat.id, service.controls(draft), controls_keyboard(draft))


@admin_only
async def button_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action, number, argument = _decode(query.data)
    service = context.bot_data.announcements
    broadcast = service.ledger.broadcast(number) if number else None
    if broadcast is None or broadcast.kind is not BroadcastKind.ADHOC:
        await query.answer()
        return
    if broadcast.state is not BroadcastState.DRAFT:
        await query.answer(texts.DONE_ALREADY, show_alert=True)
        await _show_controls(query.message, context, broadcast)
        return
    if action == "t" and argument in {targets.value for targets in Targets}:
        updated = service.set_options(number, targets=Targets(argument))
    elif action == "p" and argument in ("0", "1"):
        updated = service.set_options(number, pin=argument == "1")
    elif action == "no":
        updated = service.cancel(number)
        await query.answer(texts.CANCELLED)
        await _show_controls(query.message, context, updated)
        return
    elif action == "ok":
        await _confirm(update, context, number)
        return
    else:
        await query.answer()
        return
    await query.answer()
    if updated != broadcast:
        await _show_controls(query.message, context, updated)


async def _confirm(update: Update, context: Context, number: int) -> None:
    query = update.callback_query
    assert query is not None
    service = context.bot_data.announcements
    started = service.confirm(number)
    if started is None:  # a second press, or Cancel won the race
        await query.answer(texts.DONE_ALREADY, show_alert=True)
        return
    await query.answer(texts.SENDING)
    await _show_controls(query.message, context, started)
    # The handler runs concurrently with other updates (concurrent_updates), so it can wait for the broadcast.
    await send_notices(context, await service.deliver(number))


async def _show_controls(message: object, context: Context, broadcast: Broadcast) -> None:
    if not isinstance(message, Message):
        return
    text = split_message(paragraphs(context.bot_data.announcements.controls(broadcast)))[0]
    await edit_quietly(message.edit_text(text, reply_markup=controls_keyboard(broadcast)))


def _decode(data: str | None) -> tuple[str, int, str]:
    parts = CALLBACK.decode(data) or []
    try:
        return parts[0], int(parts[1]), parts[2] if len(parts) > 2 else ""
    except (IndexError, ValueError):
        return "", 0, ""
