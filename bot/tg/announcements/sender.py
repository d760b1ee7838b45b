"""Sending on Telegram for announcements: the core's sender adapter, and notices for staff.

:class:`TelegramSender` turns Telegram's answers and errors into the core's
:class:`~bot.core.announcements.delivery.SendResult` (:func:`failure`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.announcements.delivery import SendResult
from bot.core.announcements.service import Notice
from bot.tg.common import notify_staff, plain
from bot.tg.connections import never_sent
from bot.tg.context import Context
from bot.tg.ratelimit import at_most_once

logger = logging.getLogger(__name__)


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
    pieces = plain(text)
    for index, piece in enumerate(pieces):
        try:
            last = await bot.send_message(chat_id, piece, reply_markup=markup if index == len(pieces) - 1 else None)
        except TelegramError as error:
            logger.warning("Could not send an announcements notice to chat %s: %s", chat_id, error)
            return None
    return last


async def send_notices(context: Context, notices: list[Notice]) -> None:
    """Deliver notices: to their chat, or to staff (:func:`~bot.tg.common.notify_staff`)."""
    service = context.bot_data.announcements
    for notice in notices:
        if notice.chat_id is not None:
            await send_text(context.bot, notice.chat_id, notice.text)
        else:
            await notify_staff(context, plain(notice.text))
        if notice.broadcast_id is not None:  # reported once, even if an admin chat could not be reached
            service.reported(notice.broadcast_id)
