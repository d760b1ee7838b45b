"""What no feature handled: unknown commands, voice and other non-text messages in private
chats, and button presses with callback data no feature knows.

Registered after every feature (same handler group), so a feature's handler
always wins; in groups anything unhandled is ignored.  An unknown press is still
answered, so that the user's button stops spinning.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.tg import texts
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.texts import say


def register(application: FaqApplication) -> None:
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            MessageHandler(private_new & filters.COMMAND, unknown_command),
            MessageHandler(private_new & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE), voice),
            MessageHandler(private_new & ~filters.TEXT & ~filters.StatusUpdate.ALL, not_text),
            CallbackQueryHandler(unknown_button),
        ]
    )


async def _say(update: Update, context: Context, text: str) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(say(text, user_script(context, update.effective_user)))


async def unknown_command(update: Update, context: Context) -> None:
    await _say(update, context, texts.UNKNOWN_COMMAND)


async def not_text(update: Update, context: Context) -> None:
    await _say(update, context, texts.NON_TEXT)


async def voice(update: Update, context: Context) -> None:
    await _say(update, context, texts.VOICE)


async def unknown_button(update: Update, context: Context) -> None:
    """Callback data of no feature (forged, or from a removed feature): stop the spinner, nothing else."""
    query = update.callback_query
    assert query is not None
    await query.answer()
