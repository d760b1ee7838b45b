"""Announcements on Telegram: the chat registry, /subscribe, /announce, /groups, /schedule and the scheduler job.

The handlers are thin: they read the update, call
:class:`~bot.core.announcements.service.AnnouncementService` and send what it
returns.  :class:`TelegramSender` turns Telegram's answers and errors into the
core's :class:`~bot.core.announcements.delivery.SendResult`.

Callback data (prefix ``n:``): ``n:t:<broadcast>:<targets>`` (choose targets),
``n:p:<broadcast>:<0|1>`` (pin), ``n:ok:<broadcast>`` (confirm), ``n:no:<broadcast>`` (cancel).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import timedelta

from telegram import (
    Bot,
    BotCommand,
    Chat,
    ChatMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.core.announcements.delivery import SendResult
from bot.core.announcements.ledger import Broadcast, BroadcastState
from bot.core.announcements.model import Targets
from bot.core.announcements.registry import Change
from bot.core.announcements.service import AnnouncementService, Notice
from bot.core.announcements.texts import targets_button, yes_no
from bot.core.files.locations import announcements_path
from bot.tg.access import admin_only
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.feature import CommandMenu
from bot.tg.formatting import escape, paragraphs, split_message
from bot.tg.ratelimit import at_most_once, never_sent
from bot.tg.storagewatch import storage_failed
from bot.tg.texts import say

logger = logging.getLogger(__name__)

PREFIX = "n:"
PATTERN = r"^n:"
JOB_NAME = "announcements"
PRESENT = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER})


class Words:
    """Fixed texts of this feature (simplified; users' replies are converted to their script)."""

    SUBSCRIBED = "已订阅：以后的通知会发到这里。发送 /unsubscribe 可以随时退订。"
    ALREADY_SUBSCRIBED = "您已经订阅了通知。发送 /unsubscribe 可以退订。"
    NOT_SAVED = "抱歉，现在无法保存您的设置（服务器存储出了问题），这次操作没有生效。请稍后再试。"
    UNSUBSCRIBED = "已退订，以后不会再收到通知。发送 /subscribe 可以重新订阅。"
    NOT_SUBSCRIBED = "您没有订阅通知。发送 /subscribe 可以订阅。"
    ANNOUNCE_USAGE = (
        "用法：/announce 通知内容\n"
        "内容可以有多行，也可以用粗体等格式。也可以回复一条文字消息并发送 /announce，把那条消息作为通知。"
    )
    DONE_ALREADY = "这条通知已经确认或取消过了。"
    SENDING = "开始发送……"
    CANCELLED = "已取消。"
    GROUP_ADDED = "机器人已加入群“{title}”（{chat_id}），以后的群组通知会发到这里。"
    GROUP_REMOVED = "机器人已离开群“{title}”（{chat_id}），以后不再向这里发送通知。"

    COMMAND_SUBSCRIBE = "订阅通知"
    COMMAND_UNSUBSCRIBE = "退订通知"
    COMMAND_ANNOUNCE = "发送通知（先预览，确认后发送）"
    COMMAND_GROUPS = "已登记的群组"
    COMMAND_SCHEDULE = "定时通知安排"

    TARGETS = "发送给："
    PIN = "在群组中置顶：{value}"
    CONFIRM = "✅ 确认发送"
    CANCEL = "✖️ 取消"


def commands() -> CommandMenu:
    return CommandMenu(
        private=(
            BotCommand("subscribe", Words.COMMAND_SUBSCRIBE),
            BotCommand("unsubscribe", Words.COMMAND_UNSUBSCRIBE),
        ),
        staff=(
            BotCommand("announce", Words.COMMAND_ANNOUNCE),
            BotCommand("groups", Words.COMMAND_GROUPS),
            BotCommand("schedule", Words.COMMAND_SCHEDULE),
        ),
    )


def register(application: FaqApplication) -> None:
    data = application.bot_data
    config = data.config
    data.announcements = AnnouncementService(
        data.db,
        announcements_path(config.knowledge),
        TelegramSender(application.bot),
        timezone=config.timezone,
        grace=timedelta(minutes=config.announcements.grace_period_minutes),
        min_interval=timedelta(minutes=config.announcements.min_interval_minutes),
    )
    # Before any update is handled: requests in flight when the bot last stopped go back to pending.
    data.announcements.start()
    new, private = filters.UpdateType.MESSAGE, filters.ChatType.PRIVATE
    application.add_handlers(
        [
            ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
            CommandHandler("subscribe", subscribe, filters=new & private),
            CommandHandler("unsubscribe", unsubscribe, filters=new & private),
            CommandHandler("announce", announce, filters=new & private),
            CommandHandler("groups", groups, filters=new & private),
            CommandHandler("schedule", schedule, filters=new & private),
            CallbackQueryHandler(button_pressed, pattern=PATTERN),
        ]
    )
    # In a later handler group, so it runs besides whatever answers the message: groups the bot was in
    # before the registry existed register themselves with their first message the bot sees.
    seen = filters.ChatType.GROUPS & ~filters.StatusUpdate.ALL
    application.add_handler(MessageHandler(seen, group_seen), group=1)
    if application.job_queue is not None:
        # Like the FAQ: the file is looked at every few seconds; the same job fires what is due.
        interval = config.staff.reload_interval_seconds
        application.job_queue.run_repeating(scheduler_job, interval=interval, first=1.0, name=JOB_NAME)


# -- sending ----------------------------------------------------------------------------------


class TelegramSender:
    """The core's :class:`~bot.core.announcements.delivery.Sender` over the Bot API.

    Requests go through the application's bot, so its rate limiter (:mod:`bot.tg.ratelimit`) spaces
    them (about 30 messages a second overall, 20 a minute per group) and waits out
    ``RetryAfter`` a few times before it gives up; a delivery that may have arrived is not
    repeated there (:func:`~bot.tg.ratelimit.at_most_once`): the ledger records the doubt.
    """

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, text: str, *, html: bool, started: Callable[[], None]) -> SendResult:
        try:
            with at_most_once(started):
                message = await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML if html else None)
        except TelegramError as error:
            return failure(error)
        return SendResult.sent(message.message_id)

    async def pin(self, chat_id: int, message_id: int) -> str | None:
        try:
            await self.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except (BadRequest, Forbidden) as error:
            logger.info("Could not pin message %s in chat %s: %s", message_id, chat_id, error.message)
            return "no_pin_rights" if "rights" in error.message.lower() else "pin_failed"
        except TelegramError as error:
            logger.warning("Could not pin message %s in chat %s: %s", message_id, chat_id, error.message)
            return "pin_failed"
        return None


def failure(error: TelegramError) -> SendResult:  # noqa: PLR0911 - one outcome per kind of Telegram error
    """What a Telegram error means for one delivery."""
    if isinstance(error, ChatMigrated):
        return SendResult.migrated(error.new_chat_id)
    if isinstance(error, RetryAfter):  # still flooded after the rate limiter's own retries
        return SendResult.retry("flood", error.message)
    if isinstance(error, Forbidden):  # kicked, removed, blocked by the user
        return SendResult.failed("forbidden", error.message, chat_gone=True)
    if isinstance(error, BadRequest):
        lowered = error.message.lower()
        if "chat not found" in lowered:
            return SendResult.failed("not_found", error.message, chat_gone=True)
        if "rights" in lowered:  # muted in the group
            return SendResult.failed("no_rights", error.message)
        return SendResult.failed("bad_request", error.message)
    if isinstance(error, NetworkError):  # a timeout or a broken response: the message may have arrived
        return SendResult.retry("network", error.message, uncertain=not never_sent(error))
    return SendResult.retry("internal", error.message)


async def send_text(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Plain ``text`` (escaped, split when long) to one chat; the last message, or None if it failed."""
    last = None
    pieces = split_message(paragraphs(text))
    for index, piece in enumerate(pieces):
        try:
            last = await bot.send_message(chat_id, piece, reply_markup=markup if index == len(pieces) - 1 else None)
        except TelegramError as error:
            logger.warning("Could not send an announcements notice to chat %s: %s", chat_id, error)
            return None
    return last


async def send_notices(context: Context, notices: list[Notice]) -> None:
    """Deliver notices: to their chat, or to ``admin_chat_id`` (else every admin privately)."""
    config = context.bot_data.config
    admins = (config.admin_chat_id,) if config.admin_chat_id is not None else config.admins
    service = context.bot_data.announcements
    for notice in notices:
        targets = (notice.chat_id,) if notice.chat_id is not None else admins
        for chat_id in targets:
            await send_text(context.bot, chat_id, notice.text)
        if notice.broadcast_id is not None:  # reported once, even if an admin chat could not be reached
            service.reported(notice.broadcast_id)


# -- the scheduler ----------------------------------------------------------------------------


async def scheduler_job(context: Context) -> None:
    """Every few seconds: reload announcements.yaml if it changed, fire due announcements, finish
    interrupted broadcasts (on start too), and tell the admins what happened."""
    try:
        notices = await context.bot_data.announcements.tick()
    except sqlite3.Error as error:
        storage_failed(context, error, "the announcement schedule's progress")
        return
    await send_notices(context, notices)


# -- the registry -----------------------------------------------------------------------------


async def bot_membership_changed(update: Update, context: Context) -> None:
    """The bot was added to or removed from a group, or a user blocked it in private."""
    member = update.my_chat_member
    assert isinstance(member, ChatMemberUpdated)
    chat, new = member.chat, member.new_chat_member
    present = new.status in PRESENT or (new.status == ChatMember.RESTRICTED and bool(getattr(new, "is_member", False)))
    service = context.bot_data.announcements
    if chat.type == Chat.PRIVATE:
        if new.status == ChatMember.BANNED:
            service.registry.unsubscribe(chat.id, reason="blocked")
        return
    if chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return
    title = chat.title or ""
    change = service.registry.bot_status_changed(chat.id, chat.type, title, new.status, present=present)
    logger.info("Bot status in chat %s is now %s (%s)", chat.id, new.status, change.value)
    if change is not Change.UNCHANGED:
        words = Words.GROUP_ADDED if change is Change.ADDED else Words.GROUP_REMOVED
        await send_notices(context, [Notice(words.format(title=title, chat_id=chat.id))])


async def group_seen(update: Update, context: Context) -> None:
    chat = update.effective_chat
    assert chat is not None
    if context.bot_data.announcements.registry.seen(chat.id, chat.type, chat.title or ""):
        logger.info("Registered group %s on its first message", chat.id)


async def chat_migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: its registration (and pending deliveries) move to the new id."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    record = context.bot_data.announcements.registry.migrated(old, new, message.chat.title or "")
    logger.info("Chat %s migrated to %s (registration %s)", old, new, "active" if record.active else "inactive")


async def subscribe(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    # Only the chat id is needed to deliver; the name is kept only where staff chose to record who is who.
    keep_name = context.bot_data.config.staff.store_user_ids and user is not None
    name = user.full_name if keep_name and user is not None else ""
    script = user_script(context, user)
    try:
        added = context.bot_data.announcements.registry.subscribe(message.chat.id, name)
    except sqlite3.Error as error:
        storage_failed(context, error, f"the subscription of chat {message.chat.id}")
        await message.reply_text(say(Words.NOT_SAVED, script))
        return
    await message.reply_text(say(Words.SUBSCRIBED if added else Words.ALREADY_SUBSCRIBED, script))


async def unsubscribe(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, update.effective_user)
    try:
        removed = context.bot_data.announcements.registry.unsubscribe(message.chat.id)
    except sqlite3.Error as error:
        storage_failed(context, error, f"the unsubscription of chat {message.chat.id}")
        await message.reply_text(say(Words.NOT_SAVED, script))
        return
    await message.reply_text(say(Words.UNSUBSCRIBED if removed else Words.NOT_SUBSCRIBED, script))


@admin_only
async def groups(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await send_text(context.bot, message.chat.id, context.bot_data.announcements.groups_text())


@admin_only
async def schedule(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    await send_text(context.bot, message.chat.id, context.bot_data.announcements.schedule_text())


# -- /announce --------------------------------------------------------------------------------


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
                targets_button(targets, broadcast.targets), callback_data=f"{PREFIX}t:{number}:{targets.value}"
            )
            for targets in Targets
        ]
    ]
    if broadcast.targets.groups:
        label = Words.PIN.format(value=yes_no(broadcast.pin))
        rows.append([InlineKeyboardButton(label, callback_data=f"{PREFIX}p:{number}:{int(not broadcast.pin)}")])
    rows.append(
        [
            InlineKeyboardButton(Words.CONFIRM, callback_data=f"{PREFIX}ok:{number}"),
            InlineKeyboardButton(Words.CANCEL, callback_data=f"{PREFIX}no:{number}"),
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
        await message.reply_text(escape(Words.ANNOUNCE_USAGE))
        return
    service = context.bot_data.announcements
    draft = service.draft(text, html=html, admin_id=user.id, chat_id=message.chat.id)
    try:
        await message.reply_text(text, parse_mode=ParseMode.HTML if html else None)
    except BadRequest as error:  # e.g. formatting Telegram cannot show: tell the admin, send nothing
        service.cancel(draft.id)
        await message.reply_text(escape(f"这条通知无法发送：{error.message}"))
        return
    await send_text(context.bot, message.chat.id, service.controls(draft), controls_keyboard(draft))


@admin_only
async def button_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action, number, argument = _decode(query.data or "")
    service = context.bot_data.announcements
    broadcast = service.ledger.broadcast(number) if number else None
    if broadcast is None or broadcast.kind != "adhoc":
        await query.answer()
        return
    if broadcast.state is not BroadcastState.DRAFT:
        await query.answer(Words.DONE_ALREADY, show_alert=True)
        await _show_controls(query.message, context, broadcast)
        return
    if action == "t" and argument in {targets.value for targets in Targets}:
        updated = service.set_options(number, targets=Targets(argument))
    elif action == "p" and argument in ("0", "1"):
        updated = service.set_options(number, pin=argument == "1")
    elif action == "no":
        updated = service.cancel(number)
        await query.answer(Words.CANCELLED)
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
        await query.answer(Words.DONE_ALREADY, show_alert=True)
        return
    await query.answer(Words.SENDING)
    await _show_controls(query.message, context, started)
    # The handler runs concurrently with other updates (concurrent_updates), so it can wait for the broadcast.
    await send_notices(context, await service.deliver(number))


async def _show_controls(message: object, context: Context, broadcast: Broadcast) -> None:
    if not isinstance(message, Message):
        return
    text = split_message(paragraphs(context.bot_data.announcements.controls(broadcast)))[0]
    try:
        await message.edit_text(text, reply_markup=controls_keyboard(broadcast))
    except BadRequest as error:  # "message is not modified" after a double press
        logger.debug("Could not update the /announce controls: %s", error.message)


def _decode(data: str) -> tuple[str, int, str]:
    parts = data.split(":")
    try:
        return parts[1], int(parts[2]), parts[3] if len(parts) > 3 else ""
    except (IndexError, ValueError):
        return "", 0, ""
