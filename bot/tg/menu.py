"""The ``/faq`` menu: every topic on one page, then a topic's questions (paged), then the answer."""

from __future__ import annotations

import math

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.knowledge.model import Knowledge
from bot.core.matching.text import Script, convert
from bot.tg import texts
from bot.tg.buttons import Action, Button
from bot.tg.formatting import escape
from bot.tg.texts import say
from bot.tg.views import Outgoing, button

QUESTIONS_PER_PAGE = 8


def _page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def _navigation(
    script: Script, page: int, pages: int, action: Action, argument: str = ""
) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(button(say(texts.PREVIOUS, script), Button(action, script, page - 1, argument)))
    if page < pages - 1:
        row.append(button(say(texts.NEXT, script), Button(action, script, page + 1, argument)))
    return row


# The latest topic menu in each script, with the knowledge it shows: the same for every press until a reload.
_topic_menus: dict[Script, tuple[Knowledge, Outgoing]] = {}


def topics_view(knowledge: Knowledge, script: Script, page: int = 0) -> Outgoing:
    """Every topic as a button, on one page (``page`` is ignored: older menus had several)."""
    cached = _topic_menus.get(script)
    if cached is not None and cached[0] is knowledge:
        return cached[1]
    view = _topics_view(knowledge, script)
    _topic_menus[script] = (knowledge, view)
    return view


def _topics_view(knowledge: Knowledge, script: Script) -> Outgoing:
    topics = knowledge.topics
    if not topics:
        return Outgoing((say(texts.MENU_EMPTY, script),))
    counts = {topic: sum(entry.topic == topic for entry in knowledge) for topic in topics}
    rows = [
        [button(f"{convert(topic, script)}（{counts[topic]}）", Button(Action.TOPIC, script, 0, str(index)))]
        for index, topic in enumerate(topics)
    ]
    return Outgoing((say(texts.MENU_TOPICS, script),), InlineKeyboardMarkup(rows))


def topic_view(knowledge: Knowledge, script: Script, topic_index: int, page: int = 0) -> Outgoing:
    """The questions of one topic as buttons; the topic menu if the index no longer exists."""
    topics = knowledge.topics
    if not 0 <= topic_index < len(topics):
        return topics_view(knowledge, script)
    topic = topics[topic_index]
    entries = [entry for entry in knowledge if entry.topic == topic]
    pages = _page_count(len(entries), QUESTIONS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    first = page * QUESTIONS_PER_PAGE
    rows = [
        [button(convert(entry.questions[0], script), Button(Action.ENTRY, script, 0, entry.id))]
        for entry in entries[first : first + QUESTIONS_PER_PAGE]
    ]
    if navigation := _navigation(script, page, pages, Action.TOPIC, str(topic_index)):
        rows.append(navigation)
    rows.append([button(say(texts.BACK, script), Button(Action.TOPICS, script, 0))])
    name = escape(convert(topic, script))
    if pages == 1:
        text = say(texts.MENU_TOPIC, script, topic=name)
    else:
        text = say(texts.MENU_TOPIC_PAGED, script, topic=name, page=str(page + 1), pages=str(pages))
    return Outgoing((text,), InlineKeyboardMarkup(rows))
