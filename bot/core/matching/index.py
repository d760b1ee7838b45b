"""The FAQ's phrasings as compressed inverted indexes, and a question prepared against them.

*Retrieval* is a few sparse sums over these indexes (numpy): for every FAQ
phrasing the TF-IDF cosine and how much of the query it covers, and for every
entry how much of the query all its phrasings together cover.  Grams weigh by
IDF over entries and by their kind (:func:`~bot.core.matching.grams.kind_factor`).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bot.core.matching import phrases
from bot.core.matching.features import Weights
from bot.core.matching.grams import PAIR, grams, kind_factor, misspelt_grams
from bot.core.matching.keys import gram_key, lookup, pointer


@dataclass(frozen=True)
class Query:
    """A question prepared for scoring: its grams as index ids with their weights."""

    normalized: str
    rewritten: str
    forms: frozenset[str]
    ids: NDArray[np.int64]
    weights: NDArray[np.float64]
    total: float
    norm: float
    unknown: float = 0.0
    pair_weights: NDArray[np.float64] | None = None  # weights of the known grams that are character bigrams
    pair_total: float = 1.0
    # Every gram, known or not: its key and its weight.
    keys: NDArray[np.uint32] = field(default_factory=lambda: np.zeros(0, np.uint32))
    gram_weights: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))


class GramIndex:
    """Inverted indexes over the rewritten phrasings (CSR arrays keyed by gram hash), built once, then only read.

    Args:
        texts: the phrasings, rewritten (normalised, phrases marked).
        owners: the entry of each phrasing (ascending).
        entry_count: how many entries there are.
        weights: how grams are weighted.
    """

    def __init__(self, texts: list[str], owners: NDArray[np.int32], entry_count: int, weights: Weights) -> None:
        """Build compressed inverted indexes (CSR arrays keyed by gram hash).

        Grams are identified by a stable 32-bit hash, so the index holds no
        string per gram: a rare collision merges two grams, deterministically.
        """
        self.weights = weights
        self.owners = owners
        gram_of_row: array[int] = array("i")
        row_of_gram: array[int] = array("i")
        values: array[float] = array("f")
        id_of: dict[int, int] = {}
        factors_in_order: list[float] = []
        for row, text in enumerate(texts):
            for gram, count in grams(text).items():
                key = gram_key(gram)
                gram_id = id_of.get(key)
                if gram_id is None:
                    gram_id = id_of[key] = len(id_of)
                    factors_in_order.append(kind_factor(gram, self.weights))
                gram_of_row.append(gram_id)
                values.append(1 + math.log(count))
                row_of_gram.append(row)
        rows = np.frombuffer(row_of_gram, dtype=np.int32)
        tf = np.frombuffer(values, dtype=np.float32)
        # Gram ids follow the sorted hashes, so that a query looks them up by bisection.
        first_seen = np.fromiter(id_of, np.uint32, len(id_of))
        by_key = np.argsort(first_seen)
        rank = np.empty(len(by_key), np.int32)
        rank[by_key] = np.arange(len(by_key), dtype=np.int32)
        self.vocabulary = first_seen[by_key]
        vocabulary_size = len(self.vocabulary)
        factors = np.asarray(factors_in_order, np.float64)[by_key]
        gram_ids = rank[np.frombuffer(gram_of_row, dtype=np.int32)]
        del id_of, factors_in_order

        # Document frequency counts entries, not questions: an entry with many
        # phrasings must not make its own words look common.
        row_owner = self.owners[rows].astype(np.int64)
        entry_pairs = np.unique(gram_ids.astype(np.int64) * max(entry_count, 1) + row_owner)
        entry_gram = (entry_pairs // max(entry_count, 1)).astype(np.int32)
        entry_of_pair = (entry_pairs % max(entry_count, 1)).astype(np.int32)
        df = np.bincount(entry_gram, minlength=vocabulary_size).astype(np.float64)
        total = max(entry_count, 1)
        self.gram_weight = np.log1p(total / np.maximum(df, 1)) * factors
        self.unknown_idf = math.log1p(total)

        weight = (tf * self.gram_weight[gram_ids]).astype(np.float32)
        self.row_norms = np.sqrt(np.bincount(rows, weights=weight.astype(np.float64) ** 2, minlength=len(texts)))
        self.row_norms[self.row_norms == 0] = 1.0
        self.row_totals = np.maximum(np.bincount(rows, weights=weight, minlength=len(texts)), 1e-9)
        order = np.argsort(gram_ids, kind="stable")
        self.row_pointer = pointer(gram_ids[order], vocabulary_size)
        self.row_postings = rows[order]
        self.row_values = weight[order]
        self.entry_pointer = pointer(entry_gram, vocabulary_size)
        self.entry_postings = entry_of_pair

        # The phrasings of entry e are the rows [phrasing_pointer[e], phrasing_pointer[e + 1]).
        self.phrasing_pointer = np.searchsorted(self.owners, np.arange(entry_count + 1)).astype(np.int64)
        # How many ways the staff wrote an entry: log(1 + questions).  A well-phrased
        # entry's coverage means more than a single question's, whose near-twins
        # (other entries written once) are likely.
        self.phrasings = np.asarray([math.log1p(n) for n in np.diff(self.phrasing_pointer).tolist()], np.float64)

    def prepare(self, normalized: str) -> Query:
        """Weigh the grams of a normalised question against this index."""
        rewritten = phrases.rewrite(normalized)
        found = grams(rewritten)
        keys = np.fromiter((gram_key(gram) for gram in found), np.uint32, len(found))
        ids, known = lookup(self.vocabulary, keys)
        counts = np.fromiter(found.values(), np.float64, len(found))
        idf = np.full(len(found), self.unknown_idf)
        idf[known] = self.gram_weight[ids[known]]
        known_of = dict(zip(found, known.tolist(), strict=True))
        misspelt = misspelt_grams(rewritten, known_of) if self.weights.homophone != 1.0 else frozenset()
        unknown_factor = np.fromiter(
            (
                kind_factor(gram, self.weights) * (self.weights.homophone if gram in misspelt else 1.0)
                for gram, is_known in zip(found, known, strict=True)
                if not is_known
            ),
            np.float64,
        )
        idf[~known] *= unknown_factor
        weights = (1 + np.log(np.maximum(counts, 1))) * idf
        total = float(weights.sum())
        norm = float(np.sqrt((weights * weights).sum()))
        unknown = float(weights[~known].sum()) / total if total else 0.0
        is_pair = np.fromiter((PAIR in gram for gram in found), bool, len(found))
        pair_total = float(weights[is_pair].sum())
        return Query(
            normalized,
            rewritten,
            phrases.forms(rewritten),
            ids[known],
            weights[known],
            total or 1.0,
            norm or 1.0,
            unknown,
            np.where(is_pair, weights, 0.0)[known],
            pair_total or 1.0,
            keys,
            weights,
        )
