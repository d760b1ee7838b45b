"""Fuzzy matching of a question against the FAQ.

Chinese has no spaces to split on, so the index works on characters.  Every
question is analysed into *grams*: character unigrams and bigrams, bigrams of
its (fuzzy, toneless) pinyin reading — so homophone typos still meet — and one
token per kind of question it asks (:mod:`bot.core.phrases`).  Grams are
weighted by how rare they are across entries (IDF) and by a built-in
down-weighting of function characters.

A question is matched in two stages, both over a prepared index:

1. *Retrieval* — a few sparse sums over inverted indexes (numpy) give, for
   every FAQ question, the TF-IDF cosine and how much of the query it covers,
   and for every entry how much of the query all its questions together cover.
2. *Scoring* — the best candidates get a handful of features (those above, the
   rapidfuzz edit ratio, coverage by the entry's answer, whether the question
   asks a different kind of thing) combined by a logistic model into a 0–100
   confidence, one per entry.

:class:`Thresholds` turn the best confidence and its lead over the runner-up
into one of three outcomes: answer, suggest or decline.
"""

from __future__ import annotations

import enum
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz

from bot.core import phrases
from bot.core.knowledge import Knowledge
from bot.core.learned import CHANGE_RISK, KEEP_RATE
from bot.core.pinyin import reading, split_pinyin
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
    """Confidence limits for the three outcomes, calibrated on labelled questions.

    A question is answered when the best entry scores at least ``answer`` and leads
    the runner-up by at least ``margin`` (or scores ``sure`` or more); it gets
    suggestions when the best entry scores at least ``suggest``; otherwise it is
    declined.
    """

    answer: float = 65.0
    margin: float = 5.0
    sure: float = 95.0
    suggest: float = 35.0

    def decide(self, best: float, margin: float) -> Outcome:
        if best >= self.sure or (best >= self.answer and margin >= self.margin):
            return Outcome.ANSWER
        if best >= self.suggest:
            return Outcome.SUGGEST
        return Outcome.DECLINE


FEATURES = (
    "cosine",
    "entry_coverage",
    "question_coverage",
    "question_recall",
    "ratio",
    "answer_coverage",
    "other_form",
    "same_form",
    "length_ratio",
    "change_risk",
)
ACCEPTANCE_FEATURES = ("ranking", "lead", "change_risk", "cosine")
UNKNOWN_CHANGE_RISK = 1.0
CHANGE_RISK_FEATURE = FEATURES.index("change_risk")
LONE_LEAD = 10.0  # the lead of a candidate without any rival  # the risk of a differing character the learned table does not know


@dataclass(frozen=True)
class Weights:
    """How grams are weighted and how the features become one confidence.

    Scoring has two logistic stages, both fitted by ``python -m benchmarks.calibrate``
    on the tuning part of our labelled questions and on half of the Tianchi
    benchmark.  The *ranking* logit is ``bias`` plus ``coefficients`` times
    :data:`FEATURES`; the *confidence* is a logistic function of
    :data:`ACCEPTANCE_FEATURES` with ``acceptance`` = (bias, coefficients…): the
    ranking logit, its lead over the best other candidate (a candidate that
    barely beats a near-twin is less sure than one far ahead), the change risk
    and the cosine.
    """

    pinyin: float = 0.5
    form: float = 1.0
    function: float = 0.3
    keep_power: float = 2.0
    coefficients: tuple[float, ...] = (7.383, 13.224, -12.287, -0.285, 2.674, -2.691, -1.005, -0.117, -0.208, -3.041)
    bias: float = -4.676
    acceptance: tuple[float, ...] = (1.185, 0.561, 0.62, -1.331, -2.356)
    rerank_depth: int = 30


_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_PINYIN = "\x02"
_FORM = "\x03"
_PAIR = "\x1f"


def grams(rewritten: str) -> Counter[str]:
    """Character unigrams and bigrams, pinyin bigrams and question forms of a rewritten question.

    An ASCII word that spells pinyin (``shuangbai``) joins only the pinyin
    channel, where it meets the characters it stands for.
    """
    chars: list[str] = []
    sounds: list[str] = []
    for tok in tokens(rewritten):
        if _HAN_RE.match(tok):
            chars.append(tok)
            sounds.append(reading(tok) or tok)
            continue
        spelled = split_pinyin(tok)
        if spelled is None:
            chars.append(tok)
            sounds.append(tok)
        else:
            sounds.extend(spelled)
    found: Counter[str] = Counter(chars)
    found.update(a + _PAIR + b for a, b in itertools.pairwise(chars))
    found.update(_PINYIN + a + " " + b for a, b in itertools.pairwise(sounds))
    found.update(_FORM + form for form in phrases.forms(rewritten))
    return found


def _char_factor(token: str, weights: Weights) -> float:
    rate = KEEP_RATE.get(token)
    if rate is not None:
        return float(rate**weights.keep_power)
    return weights.function if token in phrases.FUNCTION_CHARS else 1.0


def _kind_factor(gram: str, weights: Weights) -> float:
    """How much a gram of this kind and these characters weighs, before IDF."""
    if gram.startswith(_PINYIN):
        return weights.pinyin
    if gram.startswith(_FORM):
        return weights.form
    factor = 1.0
    parts = gram.split(_PAIR)
    for part in parts:
        factor *= _char_factor(part, weights)
    return factor ** (1 / len(parts))


def change_risk(query_chars: set[str], question: str) -> float:
    """How likely the characters on one side only make the two questions ask different things.

    Sums the learned :data:`~bot.core.learned.CHANGE_RISK` of each character in
    the symmetric difference (scaled by 1/10); a differing character the table
    does not know counts :data:`UNKNOWN_CHANGE_RISK`.
    """
    differing = query_chars.symmetric_difference(tokens(question))
    return sum(CHANGE_RISK.get(char, UNKNOWN_CHANGE_RISK) for char in differing) / 10.0


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


@dataclass(frozen=True)
class Scored:
    """The features of one candidate entry for one query (for calibration and tests)."""

    entry: int
    row: int
    features: tuple[float, ...]
    score: float


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
        self._entry_ids = [entry.id for entry in knowledge.entries]
        rewritten: list[str] = []
        originals: list[str] = []
        owners: list[int] = []
        for index, entry in enumerate(knowledge.entries):
            for question in entry.questions:
                normalized = normalize(question, self.synonyms)
                if normalized:
                    rewritten.append(phrases.rewrite(normalized))
                    originals.append(question)
                    owners.append(index)
        self._rewritten = rewritten
        self._originals = originals
        self._owners = np.asarray(owners, dtype=np.int32)
        self._forms = [phrases.forms(text) for text in rewritten]
        self._build_index(rewritten, owners, [self._answer_text(entry.answer) for entry in knowledge.entries])

    @staticmethod
    def _answer_text(answer: str) -> str:
        return answer.replace("{contact}", "")

    def _build_index(self, texts: list[str], owners: list[int], answers: list[str]) -> None:
        entry_count = len(self._entry_ids)
        row_grams = [grams(text) for text in texts]
        # Document frequency counts entries, not questions: an entry with many
        # phrasings must not make its own words look common.
        vocabulary: dict[str, int] = {}
        entry_sets: list[set[int]] = [set() for _ in range(entry_count)]
        for found, owner in zip(row_grams, owners, strict=True):
            for gram in found:
                entry_sets[owner].add(vocabulary.setdefault(gram, len(vocabulary)))
        df = np.zeros(len(vocabulary), dtype=np.float64)
        for ids in entry_sets:
            df[list(ids)] += 1
        total = max(entry_count, 1)
        factors = np.fromiter((_kind_factor(gram, self.weights) for gram in vocabulary), np.float64, len(vocabulary))
        self._vocabulary = vocabulary
        self._gram_weight = np.log1p(total / np.maximum(df, 1)) * factors
        self._unknown_idf = math.log1p(total)

        row_ids: list[list[int]] = [[] for _ in vocabulary]
        row_values: list[list[float]] = [[] for _ in vocabulary]
        norms = np.zeros(len(texts), dtype=np.float64)
        totals = np.zeros(len(texts), dtype=np.float64)
        for row, found in enumerate(row_grams):
            squares = 0.0
            for gram, count in found.items():
                gram_id = vocabulary[gram]
                value = (1 + math.log(count)) * float(self._gram_weight[gram_id])
                row_ids[gram_id].append(row)
                row_values[gram_id].append(value)
                squares += value * value
                totals[row] += value
            norms[row] = math.sqrt(squares) or 1.0
        self._row_postings = [np.asarray(ids, dtype=np.int32) for ids in row_ids]
        self._row_values = [np.asarray(values, dtype=np.float32) for values in row_values]
        self._row_norms = norms
        self._row_totals = np.maximum(totals, 1e-9)

        entry_ids: list[list[int]] = [[] for _ in vocabulary]
        for entry, ids in enumerate(entry_sets):
            for gram_id in ids:
                entry_ids[gram_id].append(entry)
        self._entry_postings = [np.asarray(ids, dtype=np.int32) for ids in entry_ids]
        answer_ids: list[list[int]] = [[] for _ in vocabulary]
        for entry, answer in enumerate(answers):
            for gram in grams(phrases.rewrite(normalize(answer, self.synonyms))):
                gram_id = vocabulary.get(gram)
                if gram_id is not None:
                    answer_ids[gram_id].append(entry)
        self._answer_postings = [np.asarray(ids, dtype=np.int32) for ids in answer_ids]
        starts = np.searchsorted(self._owners, np.arange(entry_count + 1))
        self._entry_rows = [(int(starts[e]), int(starts[e + 1])) for e in range(entry_count)]

    def prepare(self, query: str) -> Query:
        """Normalise ``query`` and weigh its grams against this index."""
        normalized = normalize(query, self.synonyms)
        rewritten = phrases.rewrite(normalized)
        found = grams(rewritten)
        ids = np.fromiter((self._vocabulary.get(gram, -1) for gram in found), np.int64, len(found))
        counts = np.fromiter(found.values(), np.float64, len(found))
        known = ids >= 0
        idf = np.full(len(found), self._unknown_idf)
        idf[known] = self._gram_weight[ids[known]]
        unknown_factor = np.fromiter(
            (_kind_factor(gram, self.weights) for gram, is_known in zip(found, known, strict=True) if not is_known),
            np.float64,
        )
        idf[~known] *= unknown_factor
        weights = (1 + np.log(np.maximum(counts, 1))) * idf
        total = float(weights.sum())
        norm = float(np.sqrt((weights * weights).sum()))
        return Query(
            normalized,
            rewritten,
            phrases.forms(rewritten),
            ids[known],
            weights[known],
            total or 1.0,
            norm or 1.0,
        )

    def match(self, query: str, limit: int = 5) -> MatchResult:
        """Match one question; never raises for any string."""
        prepared = self.prepare(query)
        if not prepared.normalized or not self._rewritten:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, ())
        scored = self.score(prepared)[:limit]
        candidates = tuple(
            Candidate(self._entry_ids[item.entry], self._originals[item.row], item.score) for item in scored
        )
        if not candidates:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, ())
        best = candidates[0].score
        second = candidates[1].score if len(candidates) > 1 else 0.0
        outcome = self.thresholds.decide(best, best - second)
        return MatchResult(query, prepared.normalized, outcome, candidates)

    def score(self, query: Query) -> list[Scored]:
        """Every candidate entry for ``query`` with its features and confidence, best first."""
        if not len(query.ids):
            return []
        gram_ids = query.ids.tolist()
        q_weights = query.weights
        rows = np.concatenate([self._row_postings[g] for g in gram_ids])
        row_values = np.concatenate([self._row_values[g] for g in gram_ids])
        repeat = np.asarray([len(self._row_postings[g]) for g in gram_ids])
        row_q = np.repeat(q_weights, repeat)
        size = len(self._rewritten)
        dots = np.bincount(rows, weights=row_values * row_q, minlength=size)
        cosines = dots / (self._row_norms * query.norm)
        row_coverage = np.bincount(rows, weights=row_q, minlength=size) / query.total
        row_recall = np.bincount(rows, weights=row_values, minlength=size) / self._row_totals
        entries = np.concatenate([self._entry_postings[g] for g in gram_ids])
        entry_q = np.repeat(q_weights, [len(self._entry_postings[g]) for g in gram_ids])
        entry_coverage = np.bincount(entries, weights=entry_q, minlength=len(self._entry_ids)) / query.total
        answer_list = [self._answer_postings[g] for g in gram_ids]
        answers = np.concatenate(answer_list)
        answer_q = np.repeat(q_weights, [len(ids) for ids in answer_list])
        answer_coverage = np.bincount(answers, weights=answer_q, minlength=len(self._entry_ids)) / query.total

        depth = min(self.weights.rerank_depth, size)
        ranking = cosines + row_coverage
        top_rows = np.argpartition(-ranking, depth - 1)[:depth]
        candidates = {int(self._owners[row]) for row in top_rows.tolist() if ranking[row] > 0}
        entry_depth = min(self.weights.rerank_depth, len(self._entry_ids))
        top_entries = np.argpartition(-entry_coverage, entry_depth - 1)[:entry_depth]
        candidates.update(int(e) for e in top_entries.tolist() if entry_coverage[e] > 0)

        coefficients = self.weights.coefficients
        query_chars = set(tokens(query.rewritten))
        scored: list[Scored] = []
        for entry in candidates:
            start, end = self._entry_rows[entry]
            local = ranking[start:end]
            row = start + int(np.argmax(local))
            row_forms = self._forms[row]
            shared_form = bool(query.forms & row_forms)
            other_form = float(bool(query.forms) and bool(row_forms) and not shared_form)
            lengths = (len(query.rewritten), len(self._rewritten[row]))
            features = (
                float(cosines[row]),
                float(entry_coverage[entry]),
                float(row_coverage[row]),
                float(row_recall[row]),
                fuzz.ratio(query.rewritten, self._rewritten[row]) / 100.0,
                float(answer_coverage[entry]),
                other_form,
                float(shared_form),
                min(lengths) / max(max(lengths), 1),
                change_risk(query_chars, self._rewritten[row]),
            )
            logit = self.weights.bias + sum(c * f for c, f in zip(coefficients, features, strict=True))
            scored.append(Scored(entry, row, features, logit))
        return self._confidences(scored)

    def _confidences(self, scored: list[Scored]) -> list[Scored]:
        """Turn ranking logits into 0–100 confidences, best first."""
        scored.sort(key=lambda item: (-item.score, item.entry))
        bias, *coefficients = self.weights.acceptance
        result = []
        for position, item in enumerate(scored):
            other = scored[1 if position == 0 else 0].score if len(scored) > 1 else item.score - LONE_LEAD
            values = (item.score, item.score - other, item.features[CHANGE_RISK_FEATURE], item.features[0])
            logit = bias + sum(c * v for c, v in zip(coefficients, values, strict=True))
            confidence = 100.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))
            result.append(Scored(item.entry, item.row, item.features, round(confidence, 1)))
        return result

    def entry_index(self, entry_id: str) -> int:
        """The position of ``entry_id`` among the entries (for calibration)."""
        return self._entry_ids.index(entry_id)

    @property
    def entry_ids(self) -> Sequence[str]:
        return self._entry_ids
