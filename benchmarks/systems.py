"""The systems the benchmarks compare: the engine, rapidfuzz baselines and BM25 over jieba tokens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.core.knowledge.model import Knowledge
from bot.core.matching.matcher import Matcher
from bot.core.matching.thresholds import Outcome

# A system answers a question with its ranked entry ids and whether it is confident
# (None: the system has no notion of confidence).
Ranker = Callable[[str], tuple[list[str], bool | None]]


@dataclass
class System:
    """One matcher under test, built from a knowledge base."""

    name: str
    build: Callable[[Knowledge], Ranker]


def engine_system() -> System:
    def build(knowledge: Knowledge) -> Ranker:
        matcher = Matcher(knowledge)

        def rank(query: str) -> tuple[list[str], bool | None]:
            result = matcher.match(query, limit=3)
            return [c.entry_id for c in result.candidates], result.outcome is Outcome.ANSWER

        return rank

    return System("engine", build)


def rapidfuzz_system(name: str, scorer_name: str, top: int = 1) -> System:
    """rapidfuzz over the raw questions: ``extractOne``, or with ``top`` 3 ``extract`` (its top 1 equals extractOne's)."""
    scorer = getattr(fuzz, scorer_name)

    def build(knowledge: Knowledge) -> Ranker:
        questions = [q for entry in knowledge.entries for q in entry.questions]
        owners = [entry.id for entry in knowledge.entries for _ in entry.questions]

        def rank(query: str) -> tuple[list[str], bool | None]:
            if top == 1:
                best = process.extractOne(query, questions, scorer=scorer)
                return ([owners[best[2]]] if best else []), None
            found = process.extract(query, questions, scorer=scorer, limit=10)
            return list(dict.fromkeys(owners[index] for _, _, index in found))[:top], None

        return rank

    return System(name, build)


def bm25_system() -> System | None:
    try:
        import jieba  # noqa: PLC0415 - optional: the bench extra
        from rank_bm25 import BM25Okapi  # noqa: PLC0415 - optional: the bench extra
    except ImportError:
        return None

    jieba.setLogLevel(logging.WARNING)

    def build(knowledge: Knowledge) -> Ranker:
        questions = [q for entry in knowledge.entries for q in entry.questions]
        owners = [entry.id for entry in knowledge.entries for _ in entry.questions]
        index = BM25Okapi([jieba.lcut(q) for q in questions])

        def rank(query: str) -> tuple[list[str], bool | None]:
            scores = index.get_scores(jieba.lcut(query))
            order = sorted(range(len(scores)), key=lambda i: -scores[i])[:10]
            return list(dict.fromkeys(owners[i] for i in order))[:3], None

        return rank

    return System("BM25 (jieba)", build)
