"""Where the benchmark data lives and how it is split.

The Tianchi data is read from ``../shared/bench/tianchi`` next to the repository
(override with ``--tianchi PATH`` or ``FAQBOT_TIANCHI``); it is never copied into
the project.  Anything learned from labelled Tianchi pairs is learned on part
``A`` and reported on part ``B``: the split is by FAQ entry (CRC32 of the entry
id, even → A), so no entry's paraphrases are on both sides.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.knowledge.faq_file import load_knowledge
from bot.core.knowledge.model import Knowledge
from bot.core.matching.evaluation import HOLDOUT, TUNING, Kind, LabelledQuestion, load_labelled
from bot.paths import PROJECT_ROOT

DEFAULT_TIANCHI = PROJECT_ROOT.parent / "shared" / "bench" / "tianchi"
OWN_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "questions.yaml"
OWN_KNOWLEDGE = PROJECT_ROOT / "knowledge"
PART_A = "A"
PART_B = "B"


def tianchi_path(option: str | None = None) -> Path:
    """The Tianchi folder: the option, else ``$FAQBOT_TIANCHI``, else ``../shared/bench/tianchi``."""
    return Path(option or os.environ.get("FAQBOT_TIANCHI") or DEFAULT_TIANCHI)


def tianchi_available(path: Path) -> bool:
    return (path / "faq.yaml").is_file() and (path / "queries.yaml").is_file()


def part_of(entry_id: str) -> str:
    """The Tianchi part an entry belongs to: A (learn) or B (report)."""
    return PART_A if zlib.crc32(entry_id.encode()) % 2 == 0 else PART_B


@dataclass(frozen=True)
class Dataset:
    """One FAQ with labelled questions, split into named parts."""

    name: str
    knowledge: Knowledge
    parts: dict[str, Sequence[LabelledQuestion]]


def own_dataset() -> Dataset:
    """Our programme FAQ with tests/data/questions.yaml, split tuning/holdout."""
    knowledge = load_knowledge(OWN_KNOWLEDGE)
    questions = load_labelled(OWN_QUESTIONS)
    return Dataset(
        "faq",
        knowledge,
        {split: [q for q in questions if q.split == split] for split in (TUNING, HOLDOUT)},
    )


def tianchi_dataset(path: Path, entries: int | None = None) -> Dataset:
    """The Tianchi FAQ and queries, split by entry into parts A and B.

    Args:
        path: the folder with faq.yaml and queries.yaml.
        entries: keep only the first ``entries`` entries and their questions (a smoke run).
    """
    knowledge = load_knowledge(path / "faq.yaml")
    questions = load_labelled(path / "queries.yaml")
    if entries is not None:
        knowledge = Knowledge(entries=knowledge.entries[:entries], synonyms=knowledge.synonyms)
        kept = {entry.id for entry in knowledge.entries}
        questions = [q for q in questions if q.entry_id in kept]
    parts: dict[str, list[LabelledQuestion]] = {PART_A: [], PART_B: []}
    for question in questions:
        if question.kind is not Kind.UNRELATED and question.entry_id:
            parts[part_of(question.entry_id)].append(question)
    return Dataset("tianchi", knowledge, dict(parts))
