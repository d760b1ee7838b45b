"""Watching the database file: the admins hear when it was lost, replaced or unreadable.

At start a damaged file has been moved aside (:mod:`bot.core.storage.health`); the
first run of the job tells the admins.  Then every :data:`INTERVAL_SECONDS` the job
checks that the file at the configured path is still the one the bot writes to, and
tells the admins once per episode when it is gone or replaced, naming the restore.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.storage.health import FileState, FileWatch, Start
from bot.tg import texts
from bot.tg.common import notify_staff
from bot.tg.context import Context, FaqApplication
from bot.tg.feature import CommandMenu
from bot.tg.formatting import escape

logger = logging.getLogger(__name__)
_NOTICES: set[asyncio.Task[None]] = set()

JOB_NAME = "watch-database"
INTERVAL_SECONDS = 30.0


def storage_failed(context: Context, error: Exception, what: str) -> None:
    """A write failed: the first of an episode is logged with its traceback and told to the admins; the rest briefly."""
    data = context.bot_data
    if data.storage_failing:
        logger.warning("Could not save %s either: %s", what, error)
        return
    data.storage_failing = True
    logger.error("Could not save %s: the database cannot be written", what, exc_info=error)
    text = texts.STORAGE_FAILED.format(error=type(error).__name__ + ": " + str(error)[:200])
    task = asyncio.get_running_loop().create_task(tell_admins(context, [text]), name="storage-failure-notice")
    _NOTICES.add(task)  # keep a reference until it is done
    task.add_done_callback(_NOTICES.discard)


async def tell_admins(context: Context, texts: list[str]) -> None:
    """Tell staff (:func:`~bot.tg.common.notify_staff`) each of ``texts``."""
    if texts:
        await notify_staff(context, [escape(text) for text in texts])


def storage_works(context: Context) -> None:
    """A write succeeded: an episode of failures, if any, is over."""
    data = context.bot_data
    if data.storage_failing:
        data.storage_failing = False
        logger.warning("The database can be written again")


def commands() -> CommandMenu:
    return CommandMenu()


def register(application: FaqApplication) -> None:
    data = application.bot_data
    if application.job_queue is None or data.db.path is None:
        return
    watch = FileWatch(data.db.path)
    state = {"last": FileState.OK, "first": True}

    async def watch_database(context: Context) -> None:
        """Tell the admins about a database replaced at start, or lost while running (once per episode)."""
        notices: list[str] = []
        opened = context.bot_data.db_start
        if state["first"]:
            state["first"] = False
            if opened.start is Start.REPLACED:
                notices.append(texts.REPLACED_AT_START.format(path=watch.path, moved=opened.moved_to))
        now = watch.state()
        if now is not FileState.OK and now is not state["last"]:
            logger.error("The database file %s %s while the bot was running", watch.path, now.value)
            notices.append(texts.LOST.format(path=watch.path, what=texts.LOST_HOW[now]))
        state["last"] = now
        await tell_admins(context, notices)

    application.job_queue.run_repeating(watch_database, interval=INTERVAL_SECONDS, first=1.0, name=JOB_NAME)
