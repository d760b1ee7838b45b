"""Related questions: the staff's ``related`` field, and only where it is empty, similar entries above a floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.conversation import Responder
from bot.core.knowledge.faq_file import load_knowledge
from bot.core.knowledge.model import Knowledge
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.related import FLOOR, similar_entries, similarity
from bot.paths import PROJECT_ROOT
from tests.kit.harness import Harness, write_knowledge

OPEN_FAQ = """\
entries:
  - id: allowance
    questions: [补贴怎么发放, 每月补贴发多少, 补贴标准是什么]
    answer: 补贴按月发放，标准由各单位确定。
  - id: allowance_tax
    questions: [补贴要交税吗, 补贴怎么发放到卡上]
    answer: 补贴按月发放到工资卡，按规定计税。
  - id: leader
    questions: [王程俊是谁]
    answer: 王程俊是先锋团成员。
  - id: duration
    questions: [要去多长时间]
    answer: 学习锻炼100天左右。
    related: [leader]
"""


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return load_knowledge(PROJECT_ROOT / "knowledge")


def test_the_floor_picks_mostly_pairs_the_staff_linked_themselves(shipped: Knowledge) -> None:
    """The measurement behind FLOOR: on the shipped FAQ, pairs above it are mostly staff-linked pairs."""
    entries = list(shipped)
    pairs = [
        (similarity(first, second), second.id in first.related or first.id in second.related)
        for index, first in enumerate(entries)
        for second in entries[index + 1 :]
    ]
    above = [linked for score, linked in pairs if score >= FLOOR]
    base_rate = sum(linked for _, linked in pairs) / len(pairs)
    precision = sum(above) / len(above)
    print(f"pairs >= {FLOOR}: {len(above)}, staff-linked {sum(above)} ({precision:.0%}); all pairs {base_rate:.0%}")
    assert len(above) >= 15
    assert precision >= 0.6 > 4 * base_rate


def test_the_destinations_are_not_related_to_a_person(shipped: Knowledge) -> None:
    responder = Responder(KnowledgeHolder(Snapshot.build(shipped)))
    related = [link.entry_id for link in responder.reply_for_entry("destination").related]
    assert related
    assert "wang_chengjun" not in related
    assert "wang_chengjun" not in similar_entries(shipped, shipped["destination"])


@pytest.mark.parametrize(
    ("entry_id", "related"),
    [
        ("allowance", ["allowance_tax"]),  # empty field: the similar entry, not the unrelated ones
        ("allowance_tax", ["allowance"]),
        ("leader", []),  # nothing similar enough: no link rather than a wrong one
        ("duration", ["leader"]),  # the staff's field wins, similar or not
    ],
)
def test_related_links(tmp_path: Path, entry_id: str, related: list[str]) -> None:
    knowledge = load_knowledge(write_knowledge(tmp_path / "knowledge", OPEN_FAQ))
    responder = Responder(KnowledgeHolder(Snapshot.build(knowledge)))
    assert [link.entry_id for link in responder.reply_for_entry(entry_id).related] == related


async def test_the_destinations_answer_offers_no_unrelated_link(bot: Harness) -> None:
    calls = await bot.ask("会派到哪些地方去？")
    (answer,) = [call for call in calls if call.method == "sendMessage"]
    record = bot.app.bot_data.journal.question(1)
    assert record is not None
    assert record.entry_id == "destination"
    assert not [label for label in answer.button_labels if "王程俊" in label]
