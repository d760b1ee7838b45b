"""Sending :class:`~bot.tg.views.Outgoing` messages."""

from __future__ import annotations

from telegram import Bot, MaybeInaccessibleMessage, Message

from bot.tg.views import Outgoing


async def reply(message: Message, outgoing: Outgoing, *, quote: bool = False) -> list[Message]:
    """Send ``outgoing`` in the chat of ``message``; the first part quotes it when ``quote``."""
    sent = []
    last = len(outgoing.texts) - 1
    for index, text in enumerate(outgoing.texts):
        sent.append(
            await message.reply_text(
                text,
                reply_markup=outgoing.keyboard if index == last else None,
                do_quote=quote and index == 0,
            )
        )
    return sent


async def reply_below(bot: Bot, message: MaybeInaccessibleMessage, outgoing: Outgoing) -> list[Message]:
    """Send ``outgoing`` in the chat of a message that may be too old to reply to (a button's message)."""
    if isinstance(message, Message):
        return await reply(message, outgoing)
    sent = []
    last = len(outgoing.texts) - 1
    for index, text in enumerate(outgoing.texts):
        markup = outgoing.keyboard if index == last else None
        sent.append(await bot.send_message(message.chat.id, text, reply_markup=markup))
    return sent
