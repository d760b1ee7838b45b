"""When a group message is meant for the bot, and the question it carries.

In groups the bot answers only ``/ask``, messages that mention it and replies
to its own messages; everything else is chatter it must not react to.  These
filters read the bot's own id and username at check time (known after
``getMe``), so they work with privacy mode on or off.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.ext import filters


def mentions_bot(message: Message) -> bool:
    """The message @-mentions this bot (by username, or a text mention of its id)."""
    bot = message.get_bot()
    wanted = f"@{bot.username}".lower()
    for entity, text in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and text.lower() == wanted:
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id:
            return True
    return False


def replies_to_bot(message: Message) -> bool:
    """The message is a reply to one of this bot's own messages."""
    original = message.reply_to_message
    return bool(original and original.from_user and original.from_user.id == message.get_bot().id)


def without_mention(text: str, username: str) -> str:
    """``text`` with every ``@username`` of the bot removed."""
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


def is_addressed_command(message: Message) -> bool:
    """A command written as ``/command@ThisBot`` (a bare ``/command`` in a group may be for another bot)."""
    words = (message.text or "").split(maxsplit=1)
    return bool(words) and words[0].lower().endswith("@" + message.get_bot().username.lower())


def command_argument(text: str) -> str:
    """The text after a leading ``/command`` (newlines kept), e.g. the question of ``/ask``."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


class _MentionsBot(filters.MessageFilter):
    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return mentions_bot(message)


class _RepliesToBot(filters.MessageFilter):
    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return replies_to_bot(message)


MENTIONS_BOT = _MentionsBot(name="MentionsBot")
REPLIES_TO_BOT = _RepliesToBot(name="RepliesToBot")
