"""Running for real, inside the bot: the heartbeat, the "Telegram is unreachable" warning, daily backups.

The heartbeat (:mod:`bot.core.operations.heartbeat`) is what ``faqbot status``
reads: every update is noted by a handler in a group before all others, and a job
writes the file every half minute and once more at shutdown.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import time

from telegram import Update
from telegram.ext import TypeHandler

from bot.core.operations.backup import BackupError, create_backup, prune_backups
from bot.core.operations.heartbeat import (
    INTERVAL_SECONDS,
    UNREACHABLE_WINDOW_SECONDS,
    UnreachableTracker,
    UpdateTracker,
    heartbeat_path,
    write_heartbeat,
)
from bot.core.storage.clock import utc_now
from bot.tg import texts
from bot.tg.common import notify_staff, plain
from bot.tg.context import BotData, Context, FaqApplication
from bot.tg.feature import CommandMenu

logger = logging.getLogger(__name__)

NOTE_GROUP = -100  # before every other handler group; it never stops an update
EAGER_WRITE_SECONDS = 5.0  # an update rewrites the heartbeat at once if it is older than this


def register(application: FaqApplication) -> None:
    data = application.bot_data
    config = data.config
    mode = "webhook" if config.webhook.enabled else "polling"
    data.updates = UpdateTracker(pid=os.getpid(), mode=mode, started_at=utc_now())
    data.unreachable = UnreachableTracker()
    application.add_handler(TypeHandler(Update, _note_update), group=NOTE_GROUP)
    job_queue = application.job_queue
    assert job_queue is not None  # PTB's job-queue extra is a dependency
    job_queue.run_repeating(_beat, interval=INTERVAL_SECONDS, first=0, name="heartbeat")
    if config.backup.folder is not None:
        at = dt.time(hour=config.backup.hour, tzinfo=config.tzinfo)
        job_queue.run_daily(_daily_backup, time=at, name="daily backup")


def commands() -> CommandMenu:
    return CommandMenu()


async def _note_update(update: Update, context: Context) -> None:
    """Remember the update for the heartbeat; an update arriving means Telegram is reachable."""
    kind = next((name for name in Update.ALL_TYPES if getattr(update, name, None) is not None), "unknown")
    data = context.bot_data
    data.updates.note(update.update_id, kind, utc_now())
    data.unreachable.succeeded()
    if data.updates.handled == 1 or time.monotonic() - data.heartbeat_written >= EAGER_WRITE_SECONDS:
        write_beat(data)


def write_beat(data: BotData) -> None:
    """Write the heartbeat file beside the database (not for an in-memory database)."""
    if str(data.config.database) == ":memory:":
        return
    knowledge = data.holder.snapshot.knowledge
    beat = data.updates.beat(utc_now(), faq_digest=knowledge.digest, faq_entries=len(knowledge))
    data.heartbeat_written = time.monotonic()
    try:
        write_heartbeat(heartbeat_path(data.config.database), beat)
    except OSError as error:
        logger.warning("Could not write the heartbeat file: %s", error)


async def _beat(context: Context) -> None:
    write_beat(context.bot_data)


async def _daily_backup(context: Context) -> None:
    data = context.bot_data
    folder = data.config.backup.folder
    assert folder is not None
    try:
        path = create_backup(data.db.connection, data.config.knowledge, folder, now=utc_now())
        removed = prune_backups(folder, data.config.backup.keep)
    except (OSError, sqlite3.Error, BackupError) as error:
        logger.error("The daily backup into %s failed: %s", folder, error)
        await notify_staff(context, plain(texts.BACKUP_FAILED.format(error=error)))
        return
    logger.info("Daily backup written to %s (%d old ones removed)", path, len(removed))


def note_network_failure(data: BotData, error: Exception) -> None:
    """Called for each failed Bot API call outside an update; warns once the failures are no blip."""
    if not data.unreachable.failed(time.monotonic()):
        return
    target = data.config.base_url or "api.telegram.org"
    if data.proxy is not None:
        hint = f"check the proxy {data.proxy.display} (set by {data.proxy.source})"
    else:
        hint = (
            "if this network cannot reach Telegram directly, set config key 'proxy' (or $HTTPS_PROXY)"
            " to an http://, https:// or socks5:// proxy"
        )
    logger.warning(
        "Telegram is unreachable: the Bot API at %s failed %d times in %d minutes (last: %s); %s",
        target,
        len(data.unreachable.failures),
        UNREACHABLE_WINDOW_SECONDS // 60,
        error,
        hint,
    )
