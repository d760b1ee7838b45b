"""The staff feature: live reload, upload and export of the staff files, /test, missed questions, statistics.

Every command is for admins only (:func:`bot.tg.access.admin_only`) and works in
private chats; the reports name cadres' questions, so they are never posted in a
group.  Handlers are thin: the work is done by the core (``bot.core.knowledge.reload``,
``uploads``, ``missed``, ``stats``, ``probe``); slow steps (validating and indexing
a new FAQ, drawing a chart) run in a worker thread so questions keep being answered.
Buttons use the ``s:`` callback prefix.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime

from telegram import BotCommand, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.announcements.texts import format_schedule_upload
from bot.core.files.uploads import UploadKind, UploadLimits, is_yaml_name, refuse_early, upload_kind
from bot.core.files.watched import ReloadStatus
from bot.core.knowledge.model import content_digest
from bot.core.knowledge.reload import FaqFile, FaqUpdate
from bot.core.knowledge.texts import format_update
from bot.core.matching.explain import describe_match
from bot.core.storage.clock import utc_now
from bot.core.usage.charts import charts_available, questions_per_day_png
from bot.core.usage.journal import record_knowledge_update
from bot.core.usage.missed import SHOWN_GROUPS, current_outcome, format_missed, mark_handled, missed_report
from bot.core.usage.period import DEFAULT_DAYS, MAX_DAYS, Period
from bot.core.usage.stats import collect_stats, format_stats
from bot.tg import fallback, sending
from bot.tg.access import admin_only, is_admin
from bot.tg.common import Callback, edit_quietly, notify_staff
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.feature import CommandMenu
from bot.tg.formatting import Block, split_message
from bot.tg.staff import texts
from bot.tg.texts import say
from bot.tg.triggers import command_argument
from bot.tg.views import Outgoing

logger = logging.getLogger(__name__)

CALLBACK = Callback("s")
HANDLED = "h"  # s:h:<days>:<question id>: mark the missed group holding that question as handled
WATCH_JOB = "reload-knowledge"
BUTTONS_PER_ROW = 5


def commands() -> CommandMenu:
    return CommandMenu(
        staff=(
            BotCommand("reload", texts.COMMAND_RELOAD),
            BotCommand("export", texts.COMMAND_EXPORT),
            BotCommand("test", texts.COMMAND_TEST),
            BotCommand("unanswered", texts.COMMAND_UNANSWERED),
            BotCommand("stats", texts.COMMAND_STATS),
        )
    )


def register(application: FaqApplication) -> None:
    data = application.bot_data
    data.reloader = FaqFile(data.holder, data.config.knowledge)
    private_new = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CommandHandler("reload", reload_command, filters=private_new),
            CommandHandler("export", export_command, filters=private_new),
            CommandHandler("test", test_command, filters=private_new),
            CommandHandler("unanswered", unanswered_command, filters=private_new),
            CommandHandler("stats", stats_command, filters=private_new),
            MessageHandler(private_new & filters.Document.ALL, document_received),
            CallbackQueryHandler(button_pressed, pattern=CALLBACK.pattern),
        ]
    )
    job_queue = application.job_queue
    assert job_queue is not None, "install python-telegram-bot[job-queue]"
    interval = data.config.staff.reload_interval_seconds
    job_queue.run_repeating(watch_knowledge, interval=interval, first=interval, name=WATCH_JOB)


# -- helpers -----------------------------------------------------------------------------------


async def _reply(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Send plain ``text`` (escaped, split at Telegram's length limit)."""
    return await sending.reply(message, Outgoing(tuple(split_message([Block(text)])), keyboard))


def _record(context: Context, source: str, result: FaqUpdate, user_id: int | None) -> None:
    try:
        record_knowledge_update(context.bot_data.db, source, result, user_id=user_id)
    except sqlite3.Error:
        logger.exception("Could not record the knowledge update")


def _log(source: str, result: FaqUpdate, user_id: int | None) -> None:
    who = f" by admin {user_id}" if user_id is not None else ""
    if result.status is ReloadStatus.LOADED:
        changes = result.changes
        logger.info(
            "Knowledge reloaded (%s%s): added %s, removed %s, changed %s",
            source,
            who,
            list(changes.added),
            list(changes.removed),
            list(changes.changed),
        )
    elif result.status is ReloadStatus.INVALID:
        logger.error(
            "Knowledge not reloaded (%s%s), the previous version keeps serving; problems:\n%s",
            source,
            who,
            "\n".join(str(problem) for problem in result.errors),
        )


def _summary(context: Context, result: FaqUpdate) -> str:
    return format_update(result, len(context.bot_data.holder.snapshot.knowledge))


async def _days(message: Message, context: Context, command: str) -> int | None:
    """The optional day count of /unanswered and /stats; None (and the usage told) when it is not one in range."""
    days: int | None = DEFAULT_DAYS
    if context.args:
        try:
            days = int(context.args[0])
        except ValueError:
            days = None
    if days is None or not 1 <= days <= MAX_DAYS:
        await _reply(message, texts.DAYS_USAGE.format(command=command, default=DEFAULT_DAYS, most=MAX_DAYS))
        return None
    return days


def _now(context: Context) -> datetime:
    return datetime.now(context.bot_data.config.tzinfo)


# -- live reload -------------------------------------------------------------------------------


async def watch_knowledge(context: Context) -> None:
    """The repeating job: reload a changed knowledge file; tell the admins what happened."""
    result = await asyncio.to_thread(context.bot_data.reloader.poll)
    if result is None:
        return
    _log("watch", result, None)
    _record(context, "watch", result, None)
    lead = texts.WATCH_LOADED if result.ok else texts.WATCH_INVALID
    await notify_staff(context, split_message([Block(lead), Block(_summary(context, result))]))


@admin_only
async def reload_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    user_id = update.effective_user.id if update.effective_user else None
    result = await asyncio.to_thread(context.bot_data.reloader.reload)
    _log("reload", result, user_id)
    _record(context, "reload", result, user_id)
    await _reply(message, _summary(context, result))


# -- upload and export -------------------------------------------------------------------------


async def document_received(update: Update, context: Context) -> None:
    """A file in a private chat: a staff file from an admin; a non-admin's .yaml is refused, other files are not text."""
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    if is_admin(update, context):
        await upload(update, context)
    elif is_yaml_name(message.document.file_name):
        user = update.effective_user
        logger.warning("Refused a file from non-admin user %s", user.id if user else None)
        await _reply(message, say(texts.FILES_FOR_STAFF, user_script(context, user)))
    else:
        await fallback.not_text(update, context)


@admin_only
async def upload(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    document = message.document
    assert document is not None
    config = context.bot_data.config
    user_id = update.effective_user.id if update.effective_user else None
    limits = UploadLimits(config.staff.max_upload_kb * 1024, config.staff.history_keep)
    logger.info("Admin %s sent %r (%s bytes)", user_id, document.file_name, document.file_size)
    if refusal := refuse_early(document.file_name, document.file_size or 0, limits.max_bytes):
        await _reply(message, format_update(FaqUpdate(ReloadStatus.INVALID, problems=tuple(refusal)), 0))
        return
    try:
        telegram_file = await document.get_file()
        raw = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as error:
        logger.warning("Could not download %r: %s", document.file_name, error)
        await _reply(message, texts.UPLOAD_DOWNLOAD_FAILED)
        return
    if upload_kind(raw, document.file_name) is UploadKind.SCHEDULE:
        # Small and quick to check: done on the event loop, so it never interleaves with the scheduler's tick.
        now = _now(context)
        schedule = context.bot_data.announcements.holder.install(raw, document.file_name, limits, now)
        logger.info("Schedule upload by admin %s: %s", user_id, schedule.status.value)
        await _reply(message, format_schedule_upload(schedule, config.tzinfo, now))
        return
    result = await asyncio.to_thread(context.bot_data.reloader.install, raw, document.file_name, limits, _now(context))
    _log("upload", result, user_id)
    _record(context, "upload", result, user_id)
    await _reply(message, _summary(context, result))


@admin_only
async def export_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    data = context.bot_data
    path = data.reloader.faq_path
    try:
        raw = path.read_bytes()
        differs = content_digest(path) != data.holder.snapshot.knowledge.digest
    except OSError as error:
        await _reply(message, texts.EXPORT_FAILED.format(error=error.strerror or error))
        return
    caption = texts.EXPORT_CAPTION.format(count=len(data.holder.snapshot.knowledge))
    if differs:
        caption += "\n" + texts.EXPORT_DIFFERS
    await message.reply_document(document=raw, filename=path.name, caption=caption, parse_mode=None)
    schedule = data.announcements.holder
    try:
        raw = schedule.path.read_bytes()
    except FileNotFoundError:
        await _reply(message, texts.EXPORT_NO_SCHEDULE)
        return
    except OSError as error:
        await _reply(message, texts.EXPORT_FAILED.format(error=error.strerror or error))
        return
    caption = texts.EXPORT_SCHEDULE_CAPTION.format(count=len(schedule.schedule))
    await message.reply_document(document=raw, filename=schedule.path.name, caption=caption, parse_mode=None)


# -- /test -------------------------------------------------------------------------------------


@admin_only
async def test_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    question = command_argument(message.text or "")
    if not question:
        await _reply(message, texts.TEST_USAGE)
        return
    snapshot = context.bot_data.holder.snapshot
    await _reply(message, describe_match(snapshot.matcher.match(question), snapshot.matcher.thresholds))


# -- reports -----------------------------------------------------------------------------------


def _handled_keyboard(days: int, keys: list[int]) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(
            texts.HANDLED_BUTTON.format(number=number), callback_data=CALLBACK.encode(HANDLED, days, key)
        )
        for number, key in enumerate(keys, start=1)
    ]
    rows = [buttons[start : start + BUTTONS_PER_ROW] for start in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows) if rows else None


@admin_only
async def unanswered_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    days = await _days(message, context, "unanswered")
    if days is None:
        return
    period = Period.last_days(days, _now(context))
    groups = missed_report(context.bot_data.db, period)
    matcher = context.bot_data.holder.snapshot.matcher
    text = format_missed(groups, period, current=current_outcome(matcher.match))
    shown = [group.key for group in groups[:SHOWN_GROUPS]]
    if shown:
        text += "\n\n" + texts.HANDLED_HINT
    await _reply(message, text, _handled_keyboard(days, shown))


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    days = await _days(message, context, "stats")
    if days is None:
        return
    data = context.bot_data
    stats = collect_stats(data.db, Period.last_days(days, _now(context)))
    titles = {entry.id: entry.questions[0] for entry in data.holder.snapshot.knowledge}
    await _reply(message, format_stats(stats, titles))
    if charts_available():
        try:
            png = await asyncio.to_thread(questions_per_day_png, stats)
        except Exception:  # the chart is optional: the text report was sent, so only log it
            logger.exception("Could not draw the questions-per-day chart")
            return
        if png is not None:
            caption = texts.CHART_CAPTION.format(period=stats.period.describe())
            await message.reply_photo(photo=png, caption=caption, parse_mode=None)


@admin_only
async def button_pressed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    parts = CALLBACK.decode(query.data) or []
    if len(parts) != 3 or parts[0] != HANDLED or not parts[1].isdigit() or not parts[2].isdigit():
        await query.answer(texts.BUTTON_EXPIRED)
        return
    days, question_id = int(parts[1]), int(parts[2])
    period = Period.last_days(days, _now(context))
    group = mark_handled(context.bot_data.db, period, question_id, by=query.from_user.id, at=utc_now())
    if group is None:
        await query.answer(texts.HANDLED_GONE)
        return
    logger.info("Admin %s marked %d missed question(s) as handled", query.from_user.id, group.count)
    await query.answer(texts.HANDLED_DONE.format(text=group.text[:150]))
    await _without_button(query)


async def _without_button(query: CallbackQuery) -> None:
    """Remove the pressed button from the report: that group is handled now."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    if markup is None:
        return
    rows = [[item for item in row if item.callback_data != query.data] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    await edit_quietly(query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None))
