"""The /faq menu's views (bot/tg/menu.py), without a bot."""

from __future__ import annotations

import dataclasses

from bot.core.knowledge.faq_file import load_knowledge
from bot.core.matching.text import Script
from bot.tg import menu
from bot.tg.views import Outgoing
from tests.kit.constants import SHIPPED_KNOWLEDGE


def _topic_labels(view: Outgoing) -> list[str]:
    assert view.keyboard is not None
    return [row[0].text for row in view.keyboard.inline_keyboard]


def test_the_topic_menu_is_built_once_per_knowledge_and_script() -> None:
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE / "faq.yaml")
    first = menu.topics_view(knowledge, Script.SIMPLIFIED)
    assert menu.topics_view(knowledge, Script.SIMPLIFIED) is first
    traditional = menu.topics_view(knowledge, Script.TRADITIONAL)
    assert traditional is not first
    assert _topic_labels(traditional) != _topic_labels(first)  # 选派 → 選派


def test_a_reloaded_faq_gets_its_own_topic_menu() -> None:
    knowledge = load_knowledge(SHIPPED_KNOWLEDGE / "faq.yaml")
    before = menu.topics_view(knowledge, Script.SIMPLIFIED)
    first_topic = knowledge.entries[0].topic
    fewer = dataclasses.replace(knowledge, entries=tuple(e for e in knowledge.entries if e.topic == first_topic))
    after = menu.topics_view(fewer, Script.SIMPLIFIED)
    assert len(_topic_labels(before)) > 1
    assert len(_topic_labels(after)) == 1
    assert _topic_labels(after)[0].startswith(first_topic)
