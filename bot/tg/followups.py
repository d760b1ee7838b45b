"""Which conversation a message belongs to, for follow-up questions (:mod:`bot.core.conversation`).

A private chat is one conversation.  In a group each member has their own, so
one member's question never becomes the context of another's; a reply to one of
the bot's answers continues the conversation of that answer, whoever replies.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from telegram import Chat, Message

from bot.core.conversation import Reply
from bot.core.follow_ups import Turn
from bot.tg.context import Context


def _keys(message: Message) -> tuple[Hashable, Hashable | None]:
    """The message's own conversation and, for a reply to the bot, the conversation of that answer."""
    chat = message.chat
    if chat.type == Chat.PRIVATE:
        return ("chat", chat.id), None
    own = ("member", chat.id, message.from_user.id if message.from_user else 0)
    replied = message.reply_to_message
    return own, (("answer", chat.id, replied.message_id) if replied is not None else None)


def recall(context: Context, message: Message) -> Turn | None:
    """The turn a question in this message may lean on (a replied-to answer first)."""
    memory = context.bot_data.memory
    own, answer = _keys(message)
    return (memory.recall(answer) if answer is not None else None) or memory.recall(own)


def remember(context: Context, message: Message, reply: Reply, sent: Sequence[Message]) -> None:
    """Keep an answered question as the context of what follows it (in groups, under its answer too)."""
    turn = reply.turn
    if turn is None:
        return
    memory = context.bot_data.memory
    own, _ = _keys(message)
    memory.remember(own, turn)
    if message.chat.type != Chat.PRIVATE:
        for answer in sent:
            memory.remember(("answer", answer.chat.id, answer.message_id), turn)
