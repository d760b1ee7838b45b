"""Privacy upkeep: the text of old questions is forgotten once a day (``staff.question_retention_days``).

Counts, outcomes and entries stay, so ``/stats`` over any period still adds up;
only what people wrote goes.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from bot.core.storage.clock import utc_now
from bot.tg.context import Context, FaqApplication
from bot.tg.feature import CommandMenu

logger = logging.getLogger(__name__)

JOB_NAME = "forget-old-questions"
DAY = timedelta(days=1)


def commands() -> CommandMenu:
    return CommandMenu()


def register(application: FaqApplication) -> None:
    days = application.bot_data.config.staff.question_retention_days
    if days > 0 and application.job_queue is not None:
        application.job_queue.run_repeating(forget_old_questions, interval=DAY, first=60.0, name=JOB_NAME)


async def forget_old_questions(context: Context) -> None:
    """Blank the text of questions older than the retention period."""
    data = context.bot_data
    before = utc_now() - timedelta(days=data.config.staff.question_retention_days)
    try:
        forgotten = data.journal.forget_question_texts(before)
    except sqlite3.Error:
        logger.exception("Could not forget the text of questions asked before %s", before.date())
        return
    if forgotten:
        logger.info("Forgot the text of %d questions asked before %s", forgotten, before.date())
