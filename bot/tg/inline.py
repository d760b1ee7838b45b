"""Inline mode: ``@bot question`` in any chat offers answers to send; ``@bot`` alone, the most asked ones.

Each result is titled with the entry's main question (not whichever phrasing matched)
and described by the first line of its answer.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, Update
from telegram.ext import InlineQueryHandler

from bot.core.conversation import Reply
from bot.core.matching.text import Script, convert, detect_script
from bot.core.storage.clock import utc_now
from bot.tg import texts
from bot.tg.context import Context, FaqApplication, user_script
from bot.tg.feature import CommandMenu
from bot.tg.texts import say
from bot.tg.views import inline_result

logger = logging.getLogger(__name__)

INLINE_RESULTS = 5
INLINE_CACHE_SECONDS = 60
MOST_ASKED_DAYS = 30


def commands() -> CommandMenu:
    return CommandMenu()


def register(application: FaqApplication) -> None:
    application.add_handler(InlineQueryHandler(inline_query))


async def inline_query(update: Update, context: Context) -> None:
    """Offer up to five answers for ``@bot question`` typed in any chat."""
    query = update.inline_query
    assert query is not None
    text = query.query.strip()
    script = detect_script(text) if text else user_script(context, query.from_user)
    results = inline_results(context, text, script) if text else most_asked_results(context, script)
    start_button = InlineQueryResultsButton(text=say(texts.INLINE_OPEN, script), start_parameter="inline")
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, button=start_button)


def inline_results(context: Context, text: str, script: Script) -> list[InlineQueryResultArticle]:
    answers = context.bot_data.responder.likely_answers(text, script, INLINE_RESULTS)
    return [_result(context, reply, script, matched) for matched, reply in answers]


def most_asked_results(context: Context, script: Script) -> list[InlineQueryResultArticle]:
    """The entries answered most in the last days, topped up with the FAQ's first entries."""
    knowledge = context.bot_data.holder.snapshot.knowledge
    try:
        asked = context.bot_data.journal.most_asked(INLINE_RESULTS, since=utc_now() - timedelta(days=MOST_ASKED_DAYS))
    except sqlite3.Error:
        logger.exception("Could not read the most asked questions")
        asked = []
    entry_ids = [entry_id for entry_id in asked if entry_id in knowledge]
    entry_ids += [entry.id for entry in knowledge if entry.id not in entry_ids]
    replies = [context.bot_data.responder.reply_for_entry(entry_id, script) for entry_id in entry_ids[:INLINE_RESULTS]]
    return [_result(context, reply, script) for reply in replies if reply.answered]


def _result(context: Context, reply: Reply, script: Script, matched: str = "") -> InlineQueryResultArticle:
    """The result for one answer, titled with its entry's main question (the matched phrasing if gone)."""
    entry = context.bot_data.holder.snapshot.knowledge.get(reply.entry_id or "")
    title = convert(entry.questions[0], script) if entry is not None else matched
    return inline_result(reply, title, context.bot.username)
