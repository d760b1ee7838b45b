"""Who may use staff features: the admins of the config, checked in one place."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update

from bot.tg import texts
from bot.tg.context import Context, user_script
from bot.tg.texts import say

logger = logging.getLogger(__name__)

R = TypeVar("R")
Callback = Callable[[Update, Context], Coroutine[Any, Any, R]]


def is_admin(update: Update, context: Context) -> bool:
    """Whether the sender of ``update`` is one of the configured admins."""
    user = update.effective_user
    return context.bot_data.config.is_admin(user.id if user is not None else None)


def admin_only(callback: Callback[R]) -> Callback[R | None]:
    """Run ``callback`` for admins only; anyone else gets a polite refusal and the attempt is logged.

    Works for commands, messages and button presses::

        @admin_only
        async def reload(update: Update, context: Context) -> None: ...
    """

    @functools.wraps(callback)
    async def guarded(update: Update, context: Context) -> R | None:
        if is_admin(update, context):
            return await callback(update, context)
        user, chat = update.effective_user, update.effective_chat
        logger.warning(
            "Refused %s to non-admin user %s in chat %s",
            callback.__name__,
            user.id if user else None,
            chat.id if chat else None,
        )
        refusal = say(texts.ADMIN_ONLY, user_script(context, update.effective_user))
        if update.callback_query is not None:
            await update.callback_query.answer(refusal, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(refusal)
        return None

    return guarded
