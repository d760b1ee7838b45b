"""The global error handler: log with context, tell the admins, keep serving.

Logs carry what is needed to act (the update id and kind, chat, user id,
command, text length, callback data) but no message text and never the token.
"""

from __future__ import annotations

import logging
import time

from telegram import Chat, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.tg import health, texts
from bot.tg.common import notify_staff
from bot.tg.context import Context, user_script
from bot.tg.formatting import escape, truncate
from bot.tg.texts import say

logger = logging.getLogger(__name__)

ADMIN_REPORT_INTERVAL_SECONDS = 60.0
REDACTED = "<token>"


def describe_update(update: object) -> str:
    """A one-line summary of an update for logs, without the user's text."""
    if not isinstance(update, Update):
        return "no update" if update is None else f"a {type(update).__name__}"
    kind = next(
        (name for name in Update.ALL_TYPES if getattr(update, name, None) is not None),
        "unknown kind",
    )
    parts = [f"update {update.update_id} ({kind})"]
    if (chat := update.effective_chat) is not None:
        parts.append(f"chat {chat.id} ({chat.type})")
    if (user := update.effective_user) is not None:
        parts.append(f"user {user.id}")
    message = update.effective_message
    if message is not None and message.text is not None:
        if message.text.startswith("/"):
            parts.append(f"command {message.text.split(maxsplit=1)[0][:40]}")
        parts.append(f"text of {len(message.text)} characters")
    if update.callback_query is not None and update.callback_query.data is not None:
        parts.append(f"button {update.callback_query.data[:64]!r}")
    if update.inline_query is not None:
        parts.append(f"inline query of {len(update.inline_query.query)} characters")
    return ", ".join(parts)


def redact(text: str, token: str) -> str:
    return text.replace(token, REDACTED) if token else text


async def handle_error(update: object, context: Context) -> None:
    """Log the error with context, apologise in private chats, report to ``admin_chat_id``."""
    error = context.error
    where = describe_update(update)
    if context.job is not None:
        where += f", job {context.job.name!r}"
    if isinstance(error, Forbidden):
        logger.info("Telegram refused to deliver (%s) while handling %s", error.message, where)
        return
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):  # TimedOut too: transient
        logger.warning("Network error while handling %s: %s", where, error)
        if update is None and context.job is None:  # fetching updates failed
            health.note_network_failure(context.bot_data, error)
        return
    logger.error("Error while handling %s", where, exc_info=error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == Chat.PRIVATE:
        await _apologise(update, context)
    await _report_to_admins(context, error, where)


async def _apologise(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or update.callback_query is not None:
        return
    try:
        await message.reply_text(say(texts.ERROR_APOLOGY, user_script(context, update.effective_user)))
    except TelegramError as error:
        logger.warning("Could not apologise for an error: %s", error)


async def _report_to_admins(context: Context, error: BaseException | None, where: str) -> None:
    data = context.bot_data
    now = time.monotonic()
    if now - data.last_error_report < ADMIN_REPORT_INTERVAL_SECONDS:
        return
    data.last_error_report = now
    summary = redact(f"{type(error).__name__}: {error}", data.config.token)
    text = texts.ERROR_REPORT.format(summary=escape(truncate(summary, 300)), where=escape(where))
    await notify_staff(context, [text])
