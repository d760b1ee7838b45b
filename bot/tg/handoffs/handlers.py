"""The hand-off feature on Telegram: cadres ask staff, staff reply, the reply comes back.

Cadres: «问工作人员» under declines, «都不是» and 👎 (a private deep link in groups),
``/ask_staff 问题`` and ``/contact``.  Staff get a card per question in ``staff_chat_id``
(else each admin privately) and answer by replying to it; «加入问答库…» adds the question
to ``faq.yaml`` through the upload pipeline.  The work is done by :mod:`bot.core.handoffs`;
the wordings are in :mod:`bot.core.handoffs.texts`.  Buttons: :mod:`bot.tg.handoffs.buttons`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape

from telegram import Bot, BotCommand, CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters
from telegram.helpers import create_deep_linked_url

from bot.core.announcements.delivery import SendResult
from bot.core.handoffs import texts as handoff_texts
from bot.core.handoffs.service import HandoffService, HandOver, Limits, Refusal
from bot.core.handoffs.store import Handoff, HandoffStore, Kind, NewHandoff
from bot.core.handoffs.texts import bot_said, reminder, shorten
from bot.core.matching.text import Script, convert
from bot.tg import sending, texts
from bot.tg.announcements.sender import failure
from bot.tg.common import edit_quietly
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.feature import CommandMenu
from bot.tg.formatting import Block, paragraphs, split_message
from bot.tg.handoffs.buttons import LINK_PATTERN, PATTERN, CadrePress, cancel_data, decode, parse_link
from bot.tg.handoffs.staff import (
    handoffs_command,
    is_staff,
    refuse,
    report_delivery,
    send_card,
    staff_action,
    staff_reply,
)
from bot.tg.texts import say
from bot.tg.triggers import command_argument, is_addressed_command
from bot.tg.views import Outgoing

logger = logging.getLogger(__name__)

JOB_NAME = "handoffs"
JOB_INTERVAL_SECONDS = 30.0
QUOTED_QUESTION_LENGTH = 300


def commands() -> CommandMenu:
    return CommandMenu(
        private=(
            BotCommand("ask_staff", handoff_texts.COMMAND_ASK_STAFF),
            BotCommand("contact", handoff_texts.COMMAND_CONTACT),
        ),
        staff=(BotCommand("handoffs", handoff_texts.COMMAND_HANDOFFS),),
    )


def register(application: FaqApplication) -> None:
    data = application.bot_data
    settings = data.config.handoffs
    limits = Limits(
        max_open_per_user=settings.max_open_per_user,
        remind_after=timedelta(hours=settings.remind_after_hours),
        retention=timedelta(days=settings.retention_days),
    )
    data.handoffs = HandoffService(HandoffStore(data.db), TelegramReplySender(application.bot), limits)
    data.handoffs.start()  # before any update: replies in flight at the last stop go back to pending
    new, private = filters.UpdateType.MESSAGE, filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler(["ask_staff", "feedback"], ask_staff, filters=new),  # /feedback: what cadres try
            CommandHandler("contact", contact, filters=new),
            CommandHandler("handoffs", handoffs_command, filters=new),
            CallbackQueryHandler(button_pressed, pattern=PATTERN),
        ]
    )
    # Before answering (group 0), which would take a deep link for /start and a reply for a question.
    application.add_handlers(
        [
            CommandHandler("start", start_from_link, filters=new & private & filters.Regex(LINK_PATTERN)),
            MessageHandler(new & filters.REPLY & filters.TEXT & ~filters.COMMAND, staff_reply),
        ],
        group=-1,
    )
    if application.job_queue is not None:
        application.job_queue.run_repeating(maintenance_job, interval=JOB_INTERVAL_SECONDS, first=1.0, name=JOB_NAME)


class TelegramReplySender:
    """Sends staff's reply to the cadre, quoting the question, in the cadre's script."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_reply(self, handoff: Handoff) -> SendResult:
        assert handoff.cadre_chat_id is not None
        script = Script(handoff.script) if handoff.script in set(Script) else Script.SIMPLIFIED
        question = shorten(handoff.question, QUOTED_QUESTION_LENGTH)
        blocks = [Block(question, "blockquote", lead=say(handoff_texts.REPLY_TITLE, script))]
        blocks += paragraphs(handoff.reply_text or "")
        first = None
        for piece in split_message(blocks):  # a long reply comes in several messages
            try:
                message = await self.bot.send_message(handoff.cadre_chat_id, piece)
            except TelegramError as error:
                if first is None:
                    return failure(error)
                logger.warning("Part of the reply of hand-off %s was not sent: %s", handoff.id, error)
                break
            first = first or message
        return SendResult.sent(first.message_id) if first is not None else SendResult.failed("bad_request")


# -- the cadre's side --------------------------------------------------------------------------


async def contact(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != Chat.PRIVATE and not is_addressed_command(message):
        return
    config = context.bot_data.config
    details = config.contact_details
    lines = [
        f"{label}：{escape(value)}"
        for key, label in handoff_texts.CONTACT_FIELDS
        if (value := str(getattr(details, key)).strip())
    ] or [escape(config.contact)]
    script = user_script(context, message.from_user)
    text = "\n".join([handoff_texts.CONTACT_TITLE, *lines])
    if message.chat.type == Chat.PRIVATE:
        text += "\n\n" + handoff_texts.CONTACT_END
    await message.reply_text(convert(text, script))


async def ask_staff(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, message.from_user)
    if message.chat.type != Chat.PRIVATE:
        link = escape(create_deep_linked_url(context.bot.username))
        await message.reply_text(say(handoff_texts.USE_PRIVATE, script, link=link), do_quote=True)
        return
    question = command_argument(message.text or "")
    if not question:
        await message.reply_text(say(handoff_texts.ASK_STAFF_USAGE, script))
        return
    reply = context.bot_data.responder.reply(question)
    new = NewHandoff(
        Kind.DIRECT,
        Chat.PRIVATE,
        question,
        message.chat.id,
        bot_said(reply, _titles(context)),
        script=reply.script.value,
    )
    result = context.bot_data.handoffs.hand_over(new)
    await message.reply_text(_hand_over_text(context, result, reply.script))
    if result.handoff is not None:
        await send_card(context, result.handoff)


async def start_from_link(update: Update, context: Context) -> None:
    """``/start staff_…`` from a group's «问工作人员»: show what would be sent, in private."""
    message = update.effective_message
    assert message is not None
    parsed = parse_link(context.args[0]) if context.args else None
    script = user_script(context, message.from_user)
    if parsed is None:
        await message.reply_text(say(handoff_texts.NO_QUESTION, script))
    else:
        await sending.reply(message, _confirmation(context, CadrePress(False, script, parsed[0], parsed[1])))
    raise ApplicationHandlerStop


def _confirmation(context: Context, press: CadrePress) -> Outgoing:
    """What will be sent to staff (the question, and the answer after a 👎), with «发送» and «取消»."""
    data = context.bot_data
    record = data.journal.question(press.question_id) if press.question_id else None
    if record is None:
        return Outgoing((say(handoff_texts.NO_QUESTION, press.script),))
    entry_id = press.entry_id or (record.entry_id or "" if press.kind is Kind.DOWN else "")
    text = say(handoff_texts.CONFIRM, press.script, question=escape(record.text))
    if press.kind is Kind.DOWN and entry_id:
        answer = data.responder.reply_for_entry(entry_id, press.script).text
        text += say(handoff_texts.CONFIRM_ANSWER, press.script, answer=escape(shorten(answer)))
    text += say(handoff_texts.CONFIRM_END, press.script)
    send = CadrePress(True, press.script, press.kind, press.question_id, entry_id)
    buttons = [
        InlineKeyboardButton(say(handoff_texts.SEND, press.script), callback_data=send.encode()),
        InlineKeyboardButton(say(handoff_texts.CANCEL, press.script), callback_data=cancel_data(press.script)),
    ]
    return Outgoing((text,), InlineKeyboardMarkup([buttons]))


async def _send(query: CallbackQuery, context: Context, press: CadrePress) -> None:
    data = context.bot_data
    assert query.message is not None
    record = data.journal.question(press.question_id) if press.question_id else None
    if record is None:
        await query.answer(say(handoff_texts.NO_QUESTION, press.script), show_alert=True)
        return
    if press.kind is Kind.DOWN and press.entry_id:
        said = bot_said(data.responder.reply_for_entry(press.entry_id), _titles(context))
    else:
        said = bot_said(data.responder.reply(record.text), _titles(context))
    new = NewHandoff(
        press.kind,
        record.chat_type,
        record.text,
        query.message.chat.id,
        said,
        entry_id=press.entry_id or record.entry_id,
        script=press.script.value,
        question_id=record.id,
    )
    result = data.handoffs.hand_over(new)
    await query.answer()
    await _edit(query, _hand_over_text(context, result, press.script))
    if result.handoff is not None:
        await send_card(context, result.handoff)


def _hand_over_text(context: Context, result: HandOver, script: Script) -> str:
    if result.handoff is not None:
        return say(handoff_texts.SENT, script, number=str(result.handoff.id))
    if result.refusal is Refusal.TOO_MANY:
        count = str(context.bot_data.handoffs.limits.max_open_per_user)
        return say(
            handoff_texts.TOO_MANY,
            script,
            count=count,
            contact=escape(convert(context.bot_data.responder.contact, script)),
        )
    if result.refusal is Refusal.ALREADY_SENT:
        return say(handoff_texts.ALREADY_SENT, script)
    return say(handoff_texts.EMPTY, script)


def _titles(context: Context) -> dict[str, str]:
    return {entry.id: entry.questions[0] for entry in context.bot_data.holder.snapshot.knowledge}


async def button_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    press = decode(query.data or "")
    if press is None or query.message is None:
        await query.answer(say(texts.BUTTON_EXPIRED, Script.SIMPLIFIED))
    elif isinstance(press, Script):
        await query.answer()
        await _edit(query, say(handoff_texts.CANCELLED, press))
    elif isinstance(press, CadrePress):
        if press.send:
            await _send(query, context, press)
        else:
            await query.answer()
            await sending.reply_below(context.bot, query.message, _confirmation(context, press))
    elif not is_staff(update, context):
        await refuse(update, f"hand-off action {press.action.name}")
    else:
        await staff_action(query, context, press)


async def maintenance_job(context: Context) -> None:
    """Every 30 s: send replies that are due, remind staff of old questions, forget expired chats."""
    data = context.bot_data
    service = data.handoffs
    for outcome in await service.resume():
        await report_delivery(context, outcome)
    now = service.clock()
    for handoff in service.due_reminders():
        await send_card(context, handoff, reminder(handoff, data.config.tzinfo, now))
    service.expire()


async def _edit(query: CallbackQuery, text: str) -> None:
    await edit_quietly(query.edit_message_text(text, reply_markup=None))
