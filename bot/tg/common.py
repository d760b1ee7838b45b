"""What every Telegram feature shares: telling staff, editing a pressed message, callback data.

- :func:`notify_staff` is the one routing policy for messages to staff (errors, reports of
  the FAQ watch, announcement notices, storage and backup alarms): ``admin_chat_id`` when
  it is set, else every admin privately.
- :func:`edit_quietly` is the one rule for editing the message a button sits under: a
  double press makes Telegram answer "message is not modified", which is not an error.
- :class:`Callback` is the one callback-data codec: ``<prefix>:<field>:<field>…``, where
  each feature owns one prefix (``a`` answering, ``h`` hand-offs, ``n`` announcements,
  ``s`` staff tools) and Telegram allows 64 bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence

from telegram.constants import InlineKeyboardButtonLimit
from telegram.error import BadRequest, TelegramError

from bot.config import Config
from bot.core.matching.text import Script
from bot.tg.context import Context
from bot.tg.formatting import paragraphs, split_message

logger = logging.getLogger(__name__)

SEPARATOR = ":"
_SCRIPT_CODES = {Script.SIMPLIFIED: "s", Script.TRADITIONAL: "t"}
_SCRIPTS = {code: script for script, code in _SCRIPT_CODES.items()}


# -- staff -------------------------------------------------------------------------------------


def staff_chats(config: Config) -> tuple[int, ...]:
    """Where messages for staff go: ``admin_chat_id``, else every admin privately."""
    return (config.admin_chat_id,) if config.admin_chat_id is not None else config.admins


def plain(text: str) -> list[str]:
    """Plain ``text`` as messages: escaped, split between paragraphs at Telegram's length limit."""
    return split_message(paragraphs(text))


async def notify_staff(context: Context, messages: Sequence[str]) -> None:
    """Send ``messages`` (HTML, each within Telegram's limit) to :func:`staff_chats`; failures are logged."""
    for chat_id in staff_chats(context.bot_data.config):
        try:
            for message in messages:
                await context.bot.send_message(chat_id, message)
        except TelegramError as error:  # e.g. an admin who never started a chat with the bot
            logger.warning("Could not tell staff chat %s: %s", chat_id, error)


# -- editing a pressed message -------------------------------------------------------------------


async def edit_quietly(edit: Awaitable[object]) -> None:
    """Await an edit of a message; "message is not modified" (a double press) is not an error."""
    try:
        await edit
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


# -- callback data -------------------------------------------------------------------------------


class Callback:
    """One feature's callback data: ``<prefix>:<field>:<field>…``.

    Args:
        prefix: the feature's prefix, without the separator.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix + SEPARATOR
        self.pattern = rf"^{prefix}{SEPARATOR}"

    def encode(self, *fields: object) -> str:
        """The data of a button; fields are joined as text (a trailing empty field is left out)."""
        parts = [str(field) for field in fields]
        while parts and parts[-1] == "":
            parts.pop()
        data = self.prefix + SEPARATOR.join(parts)
        if len(data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
            raise ValueError(f"callback data too long: {data!r}")
        return data

    def decode(self, data: str | None, most: int = -1) -> list[str] | None:
        """The fields of ``data``, or None when it is not this feature's; ``most``: splits at most."""
        if not data or not data.startswith(self.prefix):
            return None
        return data.removeprefix(self.prefix).split(SEPARATOR, most)

    def owns(self, data: object) -> bool:
        return isinstance(data, str) and data.startswith(self.prefix)


def script_code(script: Script) -> str:
    """The one-letter code of a script in callback data (``s``/``t``)."""
    return _SCRIPT_CODES[script]


def script_of(code: str) -> Script | None:
    return _SCRIPTS.get(code)
