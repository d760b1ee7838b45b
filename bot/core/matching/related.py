"""Related questions for an entry whose ``related`` field is empty: the most similar entries, above a floor.

Similarity is the cosine of character-bigram counts over what an entry says (all its
phrasings and its answer; punctuation and non-Chinese text dropped).  The passage is left
out: many entries quote the same paragraph without being about the same thing.  Entries
closer than :data:`FLOOR` are offered; below it, none — an unrelated link is worse
than no link.  The staff's ``related`` lists always win: this only fills the gaps.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter

from bot.core.knowledge.model import Entry, Knowledge

# Measured on the shipped FAQ against the staff's own related lists (tests/test_related.py): of the
# entry pairs at or above 0.3, 70 % are pairs the staff linked themselves (of all pairs, 9 %).
FLOOR = 0.3
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def _profile(entry: Entry) -> Counter[str]:
    parts = [*entry.questions, entry.answer]
    bigrams: Counter[str] = Counter()
    for part in parts:
        for run in _NOT_HAN.split(part):
            bigrams.update(run[i : i + 2] for i in range(len(run) - 1))
    return bigrams


def similarity(first: Entry, second: Entry) -> float:
    """Cosine similarity (0–1) of the two entries' character bigrams."""
    a, b = _profile(first), _profile(second)
    dot = sum(count * b[gram] for gram, count in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


class RelatedIndex:
    """Similar entries of one knowledge snapshot, computed the first time an entry asks (then kept)."""

    def __init__(self, knowledge: Knowledge, floor: float = FLOOR) -> None:
        self.knowledge = knowledge
        self.floor = floor
        self._found: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def similar(self, entry: Entry, limit: int) -> tuple[str, ...]:
        """The ids of up to ``limit`` other entries at least ``floor`` similar to ``entry``, closest first."""
        with self._lock:
            if entry.id not in self._found:
                self._found[entry.id] = similar_entries(self.knowledge, entry, floor=self.floor)
            return self._found[entry.id][:limit]


def similar_entries(knowledge: Knowledge, entry: Entry, floor: float = FLOOR) -> tuple[str, ...]:
    """The ids of the other entries at least ``floor`` similar to ``entry``, closest first."""
    scored = [(similarity(entry, other), other.id) for other in knowledge if other.id != entry.id]
    scored = [(score, other_id) for score, other_id in scored if score >= floor]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return tuple(other_id for _, other_id in scored)
