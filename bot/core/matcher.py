"""Fuzzy matching of a question against the FAQ.

Chinese has no spaces to split on, so the index works on characters: every FAQ
question becomes a bag of character unigrams and bigrams weighted by how rare
they are across entries (TF-IDF).  A question is matched in two stages:

1. *Retrieval* — one sparse dot product over an inverted index (numpy), giving
   the cosine similarity to every FAQ question at once.
2. *Re-ranking* — the best few questions are compared again with rapidfuzz's
   edit-distance ratio, which rewards the same characters in the same order.

The two similarities are blended into one 0–100 score per entry, and the
:class:`Thresholds` turn the best score and its margin over the runner-up into
one of three outcomes: answer, suggest or decline.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from bot.core.knowledge import Knowledge
from bot.core.text import SynonymTable, normalize, tokens


class Outcome(enum.StrEnum):
    """What the bot does with a question."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    DECLINE = "decline"


@dataclass(frozen=True)
class Candidate:
    """An FAQ entry considered for a question, with the question that matched it best."""

    entry_id: str
    question: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """The outcome for one question and the entries behind it, best first."""

    query: str
    normalized: str
    outcome: Outcome
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def margin(self) -> float:
        """How far the best entry is ahead of the second one (100 when alone)."""
        if not self.candidates:
            return 0.0
        second = self.candidates[1].score if len(self.candidates) > 1 else 0.0
        return self.candidates[0].score - second


@dataclass(frozen=True)
class Thresholds:
    """Score limits for the three outcomes, calibrated on labelled questions.

    A question is answered when the best entry scores at least ``answer`` and leads
    the runner-up by at least ``margin`` (or scores ``sure`` or more); it gets
    suggestions when the best entry scores at least ``suggest``; otherwise it is
    declined.
    """

    answer: float = 62.0
    margin: float = 8.0
    sure: float = 90.0
    suggest: float = 40.0

    def decide(self, best: float, margin: float) -> Outcome:
        if best >= self.sure or (best >= self.answer and margin >= self.margin):
            return Outcome.ANSWER
        if best >= self.suggest:
            return Outcome.SUGGEST
        return Outcome.DECLINE


@dataclass(frozen=True)
class Weights:
    """How the two similarities are blended into one score."""

    cosine: float = 0.6
    ratio: float = 0.4
    rerank_depth: int = 40


def ngrams(normalized: str) -> Counter[str]:
    """Character unigrams and bigrams of a normalised question."""
    toks = tokens(normalized)
    grams: Counter[str] = Counter(toks)
    grams.update(a + "\x1f" + b for a, b in itertools.pairwise(toks))
    return grams


class Matcher:
    """An index over one :class:`Knowledge`, built once and then only read.

    Matching never changes the index, so one matcher may serve many concurrent
    questions; a reload builds a new matcher and swaps it in whole.
    """

    def __init__(
        self,
        knowledge: Knowledge,
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self.synonyms = SynonymTable(knowledge.synonyms)
        texts: list[str] = []
        owners: list[int] = []
        originals: list[str] = []
        for index, entry in enumerate(knowledge.entries):
            for question in entry.questions:
                normalized = normalize(question, self.synonyms)
                if normalized:
                    texts.append(normalized)
                    owners.append(index)
                    originals.append(question)
        self._texts = texts
        self._originals = originals
        self._owners = np.asarray(owners, dtype=np.int32)
        self._entry_ids = [entry.id for entry in knowledge.entries]
        self._build_index(texts, owners, len(knowledge.entries))

    def _build_index(self, texts: list[str], owners: list[int], entry_count: int) -> None:
        grams_per_question = [ngrams(text) for text in texts]
        # Document frequency counts entries, not questions: an entry with many
        # phrasings must not make its own words look common.
        entry_grams: dict[str, set[int]] = {}
        for grams, owner in zip(grams_per_question, owners, strict=True):
            for gram in grams:
                entry_grams.setdefault(gram, set()).add(owner)
        total = max(entry_count, 1)
        self._idf = {gram: math.log(1 + total / len(entries)) for gram, entries in entry_grams.items()}
        self._unknown_idf = math.log(1 + total)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        norms = np.zeros(len(texts), dtype=np.float64)
        for row, grams in enumerate(grams_per_question):
            squares = 0.0
            for gram, count in grams.items():
                weight = (1 + math.log(count)) * self._idf[gram]
                rows, weights = postings.setdefault(gram, ([], []))
                rows.append(row)
                weights.append(weight)
                squares += weight * weight
            norms[row] = math.sqrt(squares) or 1.0
        self._postings = {
            gram: (np.asarray(rows, dtype=np.int32), np.asarray(weights, dtype=np.float32))
            for gram, (rows, weights) in postings.items()
        }
        self._norms = norms

    def _query_vector(self, normalized: str) -> tuple[dict[str, float], float]:
        vector = {
            gram: (1 + math.log(count)) * self._idf.get(gram, self._unknown_idf)
            for gram, count in ngrams(normalized).items()
        }
        norm = math.sqrt(sum(weight * weight for weight in vector.values())) or 1.0
        return vector, norm

    def _cosines(self, vector: dict[str, float], norm: float) -> np.ndarray:
        rows_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for gram, weight in vector.items():
            posting = self._postings.get(gram)
            if posting is not None:
                rows_parts.append(posting[0])
                weight_parts.append(posting[1] * weight)
        if not rows_parts:
            return np.zeros(len(self._texts))
        dots = np.bincount(np.concatenate(rows_parts), weights=np.concatenate(weight_parts), minlength=len(self._texts))
        return dots / (self._norms * norm)

    def match(self, query: str, limit: int = 5) -> MatchResult:
        """Match one question; never raises for any string."""
        normalized = normalize(query, self.synonyms)
        candidates = self._rank(normalized, limit) if normalized and self._texts else ()
        if not candidates:
            return MatchResult(query, normalized, Outcome.DECLINE, ())
        best = candidates[0].score
        second = candidates[1].score if len(candidates) > 1 else 0.0
        outcome = self.thresholds.decide(best, best - second)
        return MatchResult(query, normalized, outcome, candidates)

    def _rank(self, normalized: str, limit: int) -> tuple[Candidate, ...]:
        vector, norm = self._query_vector(normalized)
        cosines = self._cosines(vector, norm)
        depth = min(self.weights.rerank_depth, len(cosines))
        top = np.argpartition(-cosines, depth - 1)[:depth]
        best_per_entry: dict[int, tuple[float, int]] = {}
        for row in top.tolist():
            cosine = float(cosines[row])
            if cosine <= 0.0:
                continue
            ratio = fuzz.ratio(normalized, self._texts[row]) / 100.0
            score = 100.0 * (self.weights.cosine * cosine + self.weights.ratio * ratio)
            owner = int(self._owners[row])
            if owner not in best_per_entry or score > best_per_entry[owner][0]:
                best_per_entry[owner] = (score, row)
        ranked = sorted(best_per_entry.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
        return tuple(
            Candidate(self._entry_ids[owner], self._originals[row], round(min(score, 100.0), 1))
            for owner, (score, row) in ranked
        )
