"""The FAQ in force: one loaded knowledge and the indexes built from it, swapped whole on reload."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from bot.core.knowledge.faq_file import load_knowledge
from bot.core.knowledge.model import Knowledge
from bot.core.matching.matcher import Matcher
from bot.core.matching.related import RelatedIndex


@dataclass(frozen=True)
class Snapshot:
    """One loaded FAQ and the index built from it; replaced whole on reload."""

    knowledge: Knowledge
    matcher: Matcher
    related: RelatedIndex  # related questions for entries whose ``related`` field is empty

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        """Load, validate and index a knowledge folder or FAQ file.

        Raises:
            InvalidFileError: the file has problems; nothing is built.
        """
        return cls.build(load_knowledge(path))

    @classmethod
    def build(cls, knowledge: Knowledge) -> Snapshot:
        return cls(knowledge, Matcher(knowledge), RelatedIndex(knowledge))


class KnowledgeHolder:
    """The snapshot currently serving questions.

    Readers take ``holder.snapshot`` once per question and use only that object,
    so a reload (one reference assignment) is seen entirely or not at all.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._lock = threading.Lock()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def swap(self, snapshot: Snapshot) -> Snapshot:
        """Install ``snapshot`` and return the one it replaces."""
        with self._lock:
            previous, self._snapshot = self._snapshot, snapshot
        return previous
