"""Announcements on Telegram: the chat registry, /subscribe, /groups, /schedule and the scheduler job.

The handlers are thin: they read the update, call
:class:`~bot.core.announcements.service.AnnouncementService` and send what it
returns.  /announce and its preview are :mod:`bot.tg.announcements.preview`; the
sending is :mod:`bot.tg.announcements.sender`.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from telegram import BotCommand, Chat, ChatMember, ChatMemberUpdated, Update
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.core.announcements.registry import Change
from bot.core.announcements.service import AnnouncementService, Notice
from bot.core.files.locations import announcements_path
from bot.tg.access import admin_only
from bot.tg.announcements import texts
from bot.tg.announcements.preview import CALLBACK, announce, button_pressed
from bot.tg.announcements.sender import TelegramSender, send_notices, send_text
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.feature import CommandMenu
from bot.tg.storagewatch import storage_failed
from bot.tg.texts import say

logger = logging.getLogger(__name__)

JOB_NAME = "announcements"
PRESENT = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER})


def commands() -> CommandMenu:
    return CommandMenu(
        private=(
            BotCommand("subscribe", texts.COMMAND_SUBSCRIBE),
            BotCommand("unsubscribe", texts.COMMAND_UNSUBSCRIBE),
        ),
        staff=(
            BotCommand("announce", texts.COMMAND_ANNOUNCE),
            BotCommand("groups", texts.COMMAND_GROUPS),
            BotCommand("schedule", texts.COMMAND_SCHEDULE),
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
            CallbackQueryHandler(button_pressed, pattern=CALLBACK.pattern),
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
        words = texts.GROUP_ADDED if change is Change.ADDED else texts.GROUP_REMOVED
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
        await message.reply_text(say(texts.NOT_SAVED, script))
        return
    await message.reply_text(say(texts.SUBSCRIBED if added else texts.ALREADY_SUBSCRIBED, script))


async def unsubscribe(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    script = user_script(context, update.effective_user)
    try:
        removed = context.bot_data.announcements.registry.unsubscribe(message.chat.id)
    except sqlite3.Error as error:
        storage_failed(context, error, f"the unsubscription of chat {message.chat.id}")
        await message.reply_text(say(texts.NOT_SAVED, script))
        return
    await message.reply_text(say(texts.UNSUBSCRIBED if removed else texts.NOT_SUBSCRIBED, script))


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
