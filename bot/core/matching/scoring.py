"""Scoring one prepared question against the FAQ: retrieval, features, confidences.

1. *Retrieval* (:mod:`bot.core.matching.index`) — a few sparse sums over
   compressed inverted indexes give, for every FAQ phrasing, the TF-IDF cosine
   and how much of the question it covers, and for every entry how much of the
   question all its phrasings together cover.
2. *Shortlist* — the entries of the best phrasings and the entries that cover
   the most (:attr:`~bot.core.matching.features.Weights.rerank_depth` of each),
   each with its best phrasing.
3. *Features and confidence* (:mod:`bot.core.matching.features`) — one row of
   :data:`~bot.core.matching.features.FEATURES` per shortlisted entry, computed
   for all of them at once; one logistic model ranks them, a second turns each
   row and its lead over the runner-up into a 0–100 confidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from bot.core.matching import phrases
from bot.core.matching.features import FEATURES, ChangeRisk, Weights, confidences
from bot.core.matching.grams import gram_keys
from bot.core.matching.index import GramIndex, Query
from bot.core.matching.keys import Postings, runs
from bot.core.matching.text import SynonymTable


@dataclass(frozen=True)
class Scored:
    """The features of one candidate entry for one query (for calibration and tests)."""

    entry: int
    row: int
    features: tuple[float, ...]
    score: float


@dataclass(frozen=True)
class Ranking:
    """The shortlisted entries of one question, best first: each with its best phrasing, features and confidence."""

    entries: NDArray[np.int64]
    rows: NDArray[np.int64]
    features: NDArray[np.float64]  # one row of FEATURES per entry
    scores: NDArray[np.float64]  # 0–100, rounded to 0.1, falling

    def top(self, limit: int) -> list[tuple[int, int, float]]:
        """The first ``limit`` entries as (entry, row, confidence)."""
        return list(
            zip(self.entries[:limit].tolist(), self.rows[:limit].tolist(), self.scores[:limit].tolist(), strict=True)
        )

    def scored(self) -> list[Scored]:
        """Every entry with its features, in ranking order."""
        return [
            Scored(entry, row, tuple(features), score)
            for entry, row, features, score in zip(
                self.entries.tolist(), self.rows.tolist(), self.features.tolist(), self.scores.tolist(), strict=True
            )
        ]


NOTHING = Ranking(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, len(FEATURES))), np.zeros(0))


@dataclass(frozen=True)
class Said:
    """What the entries say besides their phrasings, as text: per entry, its answer and article paragraph."""

    answers: Sequence[str]  # empty where the answer only repeats a question
    paragraphs: Sequence[str]
    article: str


class Scorer:
    """The FAQ's phrasings and what its entries say besides them, indexed for scoring; built once, then only read.

    Args:
        phrasings: the phrasings, rewritten (normalised, phrases marked).
        owners: the entry of each phrasing (ascending).
        weights: how grams weigh and how features become a confidence.
        said: the entries' answers and paragraphs and the whole article, read as questions are.
        synonyms: the FAQ's synonyms, applied to what is said.
    """

    def __init__(
        self,
        phrasings: list[str],
        owners: NDArray[np.int32],
        weights: Weights,
        *,
        said: Said,
        synonyms: SynonymTable,
    ) -> None:
        self.weights = weights
        self.phrasings = phrasings
        self.owners = owners
        self.entry_count = len(said.answers)
        self.index = GramIndex(phrasings, owners, self.entry_count, weights)
        shared: dict[frozenset[str], frozenset[str]] = {}
        self._forms = [shared.setdefault(found, found) for found in map(phrases.forms, phrasings)]
        self._asks_kind = np.asarray([bool(found) for found in self._forms], dtype=bool)
        self._lengths = np.asarray([len(text) for text in phrasings], np.float64)
        self._change_risk = ChangeRisk(phrasings)
        # One index over what the entries say: documents 0…E-1 are the answers, E…2E-1 the
        # paragraphs and 2E the whole article.
        texts = [*said.answers, *said.paragraphs, said.article]
        self._said = Postings(gram_keys(text, synonyms) for text in texts)
        self._coefficients = np.asarray(weights.coefficients)

    def rank(self, query: Query) -> Ranking:
        """The shortlisted entries for ``query``, best first."""
        if not len(query.ids) or not self.phrasings:
            return NOTHING
        index = self.index
        size = len(self.phrasings)
        positions, counts = runs(index.row_pointer, query.ids)
        hits = index.row_postings[positions]
        row_values = index.row_values[positions]
        row_q = np.repeat(query.weights, counts)
        cosines = np.bincount(hits, weights=row_values * row_q, minlength=size) / (index.row_norms * query.norm)
        row_coverage = np.bincount(hits, weights=row_q, minlength=size) / query.total
        if query.pair_weights is not None:
            pair_q = np.repeat(query.pair_weights, counts)
            pair_coverage = np.bincount(hits, weights=pair_q, minlength=size) / query.pair_total
        else:
            pair_coverage = np.zeros(size)
        row_recall = np.bincount(hits, weights=row_values, minlength=size) / index.row_totals
        entry_coverage = self.entry_coverage(query)

        ranking = cosines + row_coverage
        entries = self._shortlist(ranking, entry_coverage)
        rows = self._best_phrasings(ranking, entries)
        # How much the question says, in units of the rarest possible gram.
        information = query.total / index.unknown_idf
        asks_kind = bool(query.forms)
        shared_form = np.asarray([bool(query.forms & self._forms[row]) for row in rows.tolist()], dtype=bool)
        row_asks_kind = self._asks_kind[rows]
        lengths = self._lengths[rows]
        query_length = float(len(query.rewritten))
        every = np.ones(len(rows))
        count = len(entries)
        documents = np.concatenate([entries, self.entry_count + entries, [2 * self.entry_count]])
        said = self._said.sums(query.keys, query.gram_weights, documents) / query.total
        columns = {
            "cosine": cosines[rows],
            "entry_coverage": entry_coverage[entries],
            "question_coverage": row_coverage[rows],
            "question_recall": row_recall[rows],
            "ratio": process.cdist(
                [query.rewritten], [self.phrasings[row] for row in rows.tolist()], scorer=fuzz.ratio, dtype=np.float64
            )[0]
            / 100.0,
            "other_form": (asks_kind & row_asks_kind & ~shared_form).astype(np.float64),
            "same_form": shared_form.astype(np.float64),
            "length_ratio": np.minimum(lengths, query_length) / np.maximum(np.maximum(lengths, query_length), 1.0),
            "change_risk": self._change_risk.of(query.rewritten, rows),
            "unknown_share": every * query.unknown,
            "phrasings": index.phrasings[entries],
            "pair_coverage": pair_coverage[rows],
            "information": every * math.log1p(information),
            "missing": (1.0 - row_coverage[rows]) * information,
            "bare_form": (asks_kind & ~row_asks_kind).astype(np.float64),
            "entry_missing": (1.0 - entry_coverage[entries]) * information,
            "answer_coverage": said[:count],
            "paragraph_coverage": said[count : 2 * count],
            "article_coverage": every * said[2 * count],
        }
        features = np.array([columns[name] for name in FEATURES]).T
        logits = self.weights.bias + features @ self._coefficients
        order = np.lexsort((entries, -logits))
        # A candidate is never more confident than one ranked above it: the scores fall from the first on.
        ceilings = np.minimum.accumulate(confidences(features, logits, self.weights)[order])
        return Ranking(entries[order], rows[order], features[order], np.round(ceilings, 1).astype(np.float64))

    def entry_coverage(self, query: Query) -> NDArray[np.float64]:
        """For every entry, the share of ``query``'s weight that its phrasings together contain."""
        if not len(query.ids):
            return np.zeros(self.entry_count)
        index = self.index
        positions, counts = runs(index.entry_pointer, query.ids)
        entry_q = np.repeat(query.weights, counts)
        covered = np.bincount(index.entry_postings[positions], weights=entry_q, minlength=self.entry_count)
        return np.asarray(covered / query.total, dtype=np.float64)

    def _shortlist(self, ranking: NDArray[np.float64], entry_coverage: NDArray[np.float64]) -> NDArray[np.int64]:
        """The entries of the best-ranked phrasings and the entries that cover the most of the question."""
        depth = min(self.weights.rerank_depth, len(ranking))
        top_rows = np.argpartition(-ranking, depth - 1)[:depth]
        entry_depth = min(self.weights.rerank_depth, self.entry_count)
        top_entries = np.argpartition(-entry_coverage, entry_depth - 1)[:entry_depth]
        chosen = np.zeros(self.entry_count, dtype=bool)
        chosen[self.owners[top_rows[ranking[top_rows] > 0]]] = True
        chosen[top_entries[entry_coverage[top_entries] > 0]] = True
        return np.flatnonzero(chosen)

    def _best_phrasings(self, ranking: NDArray[np.float64], entries: NDArray[np.int64]) -> NDArray[np.int64]:
        """Each entry's best-ranked phrasing (on a tie, the first)."""
        positions, lengths = runs(self.index.phrasing_pointer, entries)
        of_entry = np.repeat(np.arange(len(entries)), lengths)
        order = np.lexsort((positions, -ranking[positions], of_entry))
        best: NDArray[np.int64] = positions[order][np.cumsum(lengths) - lengths]
        return best
