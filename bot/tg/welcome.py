"""The greeting when the bot is added to a group: once, with how to ask it there."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, ChatMemberUpdated, Update
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler

from bot.core.matching.text import Script
from bot.tg import texts
from bot.tg.context import Context, FaqApplication
from bot.tg.feature import CommandMenu
from bot.tg.formatting import escape
from bot.tg.texts import say

logger = logging.getLogger(__name__)

# The bot's own membership statuses in which it is in the chat (RESTRICTED counts when is_member).
PRESENT = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER})


def commands() -> CommandMenu:
    return CommandMenu()


def register(application: FaqApplication) -> None:
    # In handler group 1: the chat registry of the announcements (group 0) sees the same update.
    application.add_handler(ChatMemberHandler(bot_joined, ChatMemberHandler.MY_CHAT_MEMBER), group=1)


def _present(member: ChatMember) -> bool:
    return member.status in PRESENT or (
        member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))
    )


async def bot_joined(update: Update, context: Context) -> None:
    """Added to a group: say once how to ask (a change of rights is not a new arrival)."""
    change = update.my_chat_member
    assert isinstance(change, ChatMemberUpdated)
    if change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return
    if _present(change.old_chat_member) or not _present(change.new_chat_member):
        return
    text = say(texts.GROUP_WELCOME, Script.SIMPLIFIED, bot=escape(context.bot.username))
    try:
        await context.bot.send_message(change.chat.id, text)
    except TelegramError as error:  # e.g. added without the right to send messages
        logger.warning("Could not greet chat %s: %s", change.chat.id, error)
