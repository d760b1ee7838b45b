"""Fuzzy matching of a question against the FAQ.

Chinese has no spaces to split on, so the index works on characters.  Every
question is analysed into *grams*: character unigrams and bigrams, bigrams of
its (fuzzy, toneless) pinyin reading — so homophone typos still meet — one
token per kind of question it asks and one per generic word equivalence
(:mod:`bot.core.matching.phrases`).  Grams are weighted by how rare they are across
entries (IDF) and by how much each character says about the meaning
(:mod:`bot.core.matching.learned`).

A question is matched in two stages, both over a prepared index:

1. *Retrieval* — a few sparse sums over compressed inverted indexes (numpy)
   give, for every FAQ question, the TF-IDF cosine and how much of the query it
   covers, and for every entry how much of the query all its questions
   together cover.
2. *Scoring* — the best candidates get a handful of features (those above, the
   rapidfuzz edit ratio, a learned risk that the differing characters change
   the meaning, whether the question asks a different kind of thing, how much
   the question says at all and how much of it the phrasing and the entry leave
   unexplained); one logistic model ranks them, a second turns each
   candidate's features and lead over the runner-up into a 0–100 confidence.

:class:`Thresholds` turn the best confidence and its lead over the runner-up
into one of three outcomes: answer, suggest or decline.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz

from bot.core.knowledge.model import Knowledge
from bot.core.matching import phrases
from bot.core.matching.calibration import Outcome, Thresholds
from bot.core.matching.focus import Focus
from bot.core.matching.learned import CHANGE_RISK, KEEP_RATE
from bot.core.matching.pinyin import reading, split_pinyin
from bot.core.matching.text import SynonymTable, clauses, normalize, tokens

# Outcome and Thresholds live in bot.core.matching.calibration; callers may take them from here.
__all__ = ["Candidate", "MatchResult", "Matcher", "Outcome", "Thresholds", "Weights"]


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
    # The message is about the FAQ's subject (it names its context, or an entry is close enough to
    # suggest): a decline then says the article does not cover it, not that it is off-topic.
    related: bool = False

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


FEATURES = (
    "cosine",
    "entry_coverage",
    "question_coverage",
    "question_recall",
    "ratio",
    "other_form",
    "same_form",
    "length_ratio",
    "change_risk",
    "unknown_share",
    "phrasings",
    "pair_coverage",
    # How much the question says: log(1 + its gram weight in units of the rarest gram).
    # Two characters (去哪) say little, whatever they match.
    "information",
    # The question's weight (same units) that the best phrasing leaves unexplained.
    "missing",
    # The question asks a kind of thing (是什么, 在哪) and the phrasing asks none.
    "bare_form",
    # The question's weight that no phrasing of the entry explains.
    "entry_missing",
    # How much of the question the entry's answer contains, and the article paragraph it rests on.
    "answer_coverage",
    "paragraph_coverage",
    # How much of the question the article contains anywhere (the same for every candidate).
    "article_coverage",
)
ACCEPTANCE_FEATURES = (*FEATURES, "lead", "phrasings×lead", "phrasings×entry_coverage", "unknown_share×lead")
UNKNOWN_CHANGE_RISK = 1.0
LONE_LEAD = 10.0  # the lead of a candidate without any rival
MAX_SPAN = 3  # the most closing clauses of a message re-read alone
NEAR_TWIN = 90.0  # edit ratio at which two entries' phrasings say the same: no verbatim guarantee then


@dataclass(frozen=True)
class Weights:
    """How grams are weighted and how the features become one confidence.

    Scoring has two logistic stages, both fitted by ``python -m benchmarks.calibrate``
    on the tuning part of our labelled questions and on half of the Tianchi
    benchmark.  The *ranking* logit is ``bias`` plus ``coefficients`` times
    :data:`FEATURES`; the *confidence* is a logistic function of
    :data:`ACCEPTANCE_FEATURES` with ``acceptance`` = (bias, coefficients…): the
    same features, the candidate's lead in ranking logit over the best other
    candidate (one that barely beats a near-twin is less sure than one far
    ahead), that lead and the entry coverage times the entry's phrasings, and
    the lead times the share of the question the FAQ has never seen (a large
    lead earned on a few known words while the rest is foreign means little).
    The weights of the cautionary inputs (unexplained or unseen content, a kind
    of question the phrasing does not ask, a risky difference) are fitted with
    the constraint that they never raise confidence.
    """

    pinyin: float = 0.5
    form: float = 1.0
    equivalent: float = 0.5
    # An unseen character gram that sounds like a known one (a likely typing slip) counts this
    # much of an unseen gram's weight in the question's unexplained content.
    homophone: float = 0.5
    function: float = 0.3
    keep_power: float = 2.0
    coefficients: tuple[float, ...] = (
        2.186,
        3.093,
        2.941,
        0.476,
        1.781,
        -0.36,
        0.38,
        -0.069,
        -3.691,
        0.0,
        -0.857,
        -1.75,
        0.0,
        0.596,
        -0.021,
        -0.993,
        1.864,
        1.007,
        0.0,
    )
    bias: float = 0.000
    acceptance: tuple[float, ...] = (
        -3.392,
        1.25,
        0.513,
        -4.383,
        -0.72,
        4.418,
        -0.926,
        0.01,
        -0.759,
        -2.79,
        -0.042,
        -1.482,
        -0.952,
        1.163,
        0.0,
        -1.643,
        0.0,
        -0.233,
        0.126,
        -3.438,
        0.353,
        -0.002,
        3.579,
        -0.396,
    )
    rerank_depth: int = 30


_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_PINYIN = "\x02"
_FORM = "\x03"
_PAIR = "\x1f"
_EQUIVALENT = "\x04"


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
    found.update(_EQUIVALENT + word for word in phrases.equivalents(rewritten))
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
    if gram.startswith(_EQUIVALENT):
        return weights.equivalent
    factor = 1.0
    parts = gram.split(_PAIR)
    for part in parts:
        factor *= _char_factor(part, weights)
    return float(factor ** (1 / len(parts)))


def _misspelt_grams(rewritten: str, known_of: dict[str, bool]) -> frozenset[str]:
    """Character grams the FAQ never uses although it uses their sound: likely typing slips (双白 for 双百).

    A pair of characters counts when its pinyin pair is known; its characters
    count with it.  Single sounds are not enough: too many characters share one.
    """
    han = [tok for tok in tokens(rewritten) if _HAN_RE.match(tok)]
    found: set[str] = set()
    for a, b in itertools.pairwise(han):
        if known_of.get(_PINYIN + (reading(a) or a) + " " + (reading(b) or b)):
            found.update((a, b, a + _PAIR + b))
    return frozenset(gram for gram in found if not known_of.get(gram, True))


_PHRASINGS = FEATURES.index("phrasings")
_ENTRY_COVERAGE = FEATURES.index("entry_coverage")
_UNKNOWN_SHARE = FEATURES.index("unknown_share")


def acceptance_inputs(features: Sequence[float], lead: float) -> tuple[float, ...]:
    """The confidence stage's inputs (:data:`ACCEPTANCE_FEATURES`) for one candidate.

    Two products let confidence depend on how richly the entry is phrased: a
    lead or a coverage means more for an entry written ten ways than for one
    written once, whose near-twins are likely.  A third discounts a lead that
    rests on a question largely made of words the FAQ has never seen
    (江苏和浙江哪个省GDP高 is far from every other entry, yet not about the
    destinations).
    """
    phrasings = features[_PHRASINGS]
    return (
        *features,
        lead,
        phrasings * lead,
        phrasings * features[_ENTRY_COVERAGE],
        features[_UNKNOWN_SHARE] * lead,
    )


def spans(query: str) -> list[str]:
    """The closing clauses of a message of several, re-read alone: its last :data:`MAX_SPAN` … 1 clauses."""
    parts = clauses(query)
    return [",".join(parts[start:]) for start in range(max(1, len(parts) - MAX_SPAN), len(parts))]


def change_risk(query_chars: set[str], question: str) -> float:
    """How likely the characters on one side only make the two questions ask different things.

    Sums the learned :data:`~bot.core.matching.learned.CHANGE_RISK` of each character in
    the symmetric difference (scaled by 1/10); a differing character the table
    does not know counts :data:`UNKNOWN_CHANGE_RISK`.
    """
    differing = query_chars.symmetric_difference(tokens(question))
    return sum(CHANGE_RISK.get(char, UNKNOWN_CHANGE_RISK) for char in differing) / 10.0


def gram_key(gram: str) -> int:
    """A stable 32-bit id of a gram (the same in every process)."""
    return zlib.crc32(gram.encode("utf-8", "surrogatepass"))


def _pointer(sorted_ids: NDArray[np.int32], size: int) -> NDArray[np.int64]:
    """CSR row pointer: postings of gram g are ``[pointer[g], pointer[g + 1])``."""
    return np.concatenate([[0], np.cumsum(np.bincount(sorted_ids, minlength=size))]).astype(np.int64)


def _gather(
    pointer: NDArray[np.int64],
    postings: NDArray[np.int32],
    gram_ids: list[int],
    query_weights: NDArray[np.float64],
    values: NDArray[np.float32] | None = None,
) -> tuple[NDArray[np.int32], NDArray[np.float32], NDArray[np.float64]]:
    """The postings of the query's grams, their stored values and the query weight of each."""
    spans = [(int(pointer[g]), int(pointer[g + 1])) for g in gram_ids]
    found = np.concatenate([postings[a:b] for a, b in spans]) if spans else np.zeros(0, np.int32)
    stored = (
        np.concatenate([values[a:b] for a, b in spans]) if values is not None and spans else np.zeros(0, np.float32)
    )
    repeated = np.repeat(query_weights, [b - a for a, b in spans])
    return found, stored, repeated


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
    grams: tuple[tuple[int, float], ...] = ()  # every gram (known or not) as (hash, weight)


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
        self.thresholds = thresholds or knowledge.thresholds or Thresholds()
        self.weights = weights or Weights()
        self.synonyms = SynonymTable(knowledge.synonyms)
        self.focus = Focus(knowledge.context, self.synonyms)
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
        # A phrasing asked word for word (after normalisation) is answered by its entry: the one
        # entry whose phrasings read so, or None where two entries share the phrasing.
        self._verbatim: dict[str, int | None] = {}
        for text, owner in zip(rewritten, owners, strict=True):
            self._verbatim[text] = owner if self._verbatim.get(text, owner) == owner else None
        shared: dict[frozenset[str], frozenset[str]] = {}
        self._forms = [shared.setdefault(found, found) for found in map(phrases.forms, rewritten)]
        self._build_index(rewritten)
        # What the entries say besides their phrasings: the answer, the paragraph of the article it
        # rests on, and the whole article.  An answer that only repeats a question (a benchmark FAQ
        # without answers) adds nothing, and nor does its paragraph.
        self._answer_grams: list[frozenset[int]] = []
        self._paragraph_grams: list[frozenset[int]] = []
        for entry in knowledge.entries:
            has_answer = entry.answer not in entry.questions
            self._answer_grams.append(self._gram_keys(entry.answer) if has_answer else frozenset())
            paragraph = entry.passage.paragraph.text if entry.passage and has_answer else ""
            self._paragraph_grams.append(self._gram_keys(paragraph))
        article = knowledge.article
        self._article_grams = self._gram_keys(" ".join(p.text for p in article.paragraphs) if article else "")

    def _gram_keys(self, text: str) -> frozenset[int]:
        """The gram hashes of a text read the way questions are."""
        if not text:
            return frozenset()
        return frozenset(gram_key(gram) for gram in grams(phrases.rewrite(normalize(text, self.synonyms))))

    @staticmethod
    def _coverage(query: Query, found: frozenset[int]) -> float:
        """The share of the question's weight (all its grams, seen or not) among ``found``."""
        if not found:
            return 0.0
        return sum(weight for key, weight in query.grams if key in found) / query.total

    def _build_index(self, texts: list[str]) -> None:
        """Build compressed inverted indexes (CSR arrays keyed by gram hash).

        Grams are identified by a stable 32-bit hash, so the index holds no
        string per gram: a rare collision merges two grams, deterministically.
        """
        entry_count = len(self._entry_ids)
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
                    factors_in_order.append(_kind_factor(gram, self.weights))
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
        self._vocabulary = first_seen[by_key]
        vocabulary_size = len(self._vocabulary)
        factors = np.asarray(factors_in_order, np.float64)[by_key]
        gram_ids = rank[np.frombuffer(gram_of_row, dtype=np.int32)]
        del id_of, factors_in_order

        # Document frequency counts entries, not questions: an entry with many
        # phrasings must not make its own words look common.
        row_owner = self._owners[rows].astype(np.int64)
        entry_pairs = np.unique(gram_ids.astype(np.int64) * max(entry_count, 1) + row_owner)
        entry_gram = (entry_pairs // max(entry_count, 1)).astype(np.int32)
        entry_of_pair = (entry_pairs % max(entry_count, 1)).astype(np.int32)
        df = np.bincount(entry_gram, minlength=vocabulary_size).astype(np.float64)
        total = max(entry_count, 1)
        self._gram_weight = np.log1p(total / np.maximum(df, 1)) * factors
        self._unknown_idf = math.log1p(total)

        weight = (tf * self._gram_weight[gram_ids]).astype(np.float32)
        self._row_norms = np.sqrt(np.bincount(rows, weights=weight.astype(np.float64) ** 2, minlength=len(texts)))
        self._row_norms[self._row_norms == 0] = 1.0
        self._row_totals = np.maximum(np.bincount(rows, weights=weight, minlength=len(texts)), 1e-9)
        order = np.argsort(gram_ids, kind="stable")
        self._row_pointer = _pointer(gram_ids[order], vocabulary_size)
        self._row_postings = rows[order]
        self._row_values = weight[order]
        self._entry_pointer = _pointer(entry_gram, vocabulary_size)
        self._entry_postings = entry_of_pair

        starts = np.searchsorted(self._owners, np.arange(entry_count + 1))
        self._entry_rows = [(int(starts[e]), int(starts[e + 1])) for e in range(entry_count)]
        # How many ways the staff wrote an entry: log(1 + questions).  A well-phrased
        # entry's coverage means more than a single question's, whose near-twins
        # (other entries written once) are likely.
        self._phrasings = [math.log1p(end - start) for start, end in self._entry_rows]

    def _lookup(self, keys: NDArray[np.uint32]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
        """Index ids of gram hashes, and which of them the index knows."""
        if not len(self._vocabulary):
            return np.zeros(len(keys), np.int64), np.zeros(len(keys), bool)
        ids = np.minimum(np.searchsorted(self._vocabulary, keys), len(self._vocabulary) - 1)
        return ids.astype(np.int64), self._vocabulary[ids] == keys

    def prepare(self, query: str) -> Query:
        """Normalise ``query`` and weigh its grams against this index."""
        normalized = normalize(query, self.synonyms)
        rewritten = phrases.rewrite(normalized)
        found = grams(rewritten)
        keys = np.fromiter((gram_key(gram) for gram in found), np.uint32, len(found))
        ids, known = self._lookup(keys)
        counts = np.fromiter(found.values(), np.float64, len(found))
        idf = np.full(len(found), self._unknown_idf)
        idf[known] = self._gram_weight[ids[known]]
        known_of = dict(zip(found, known.tolist(), strict=True))
        misspelt = _misspelt_grams(rewritten, known_of) if self.weights.homophone != 1.0 else frozenset()
        unknown_factor = np.fromiter(
            (
                _kind_factor(gram, self.weights) * (self.weights.homophone if gram in misspelt else 1.0)
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
        is_pair = np.fromiter((_PAIR in gram for gram in found), bool, len(found))
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
            tuple(zip(keys.tolist(), weights.tolist(), strict=True)),
        )

    def match(self, query: str, limit: int = 5) -> MatchResult:
        """Match one question; never raises for any string."""
        prepared = self.prepare(query)
        if not prepared.normalized or not self._rewritten:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, ())
        candidates = self._candidates(prepared, limit)
        if not candidates:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, ())
        candidates = self._focus(query, candidates, limit)
        question = self.focus.question(query, prepared.normalized)
        if question is not None:
            candidates = self._without_context(candidates, self._read(question, limit))
        candidates = self._verbatim_first(prepared.rewritten, candidates)
        best = candidates[0].score
        second = candidates[1].score if len(candidates) > 1 else 0.0
        outcome = self.thresholds.decide(best, best - second)
        related = outcome is not Outcome.DECLINE or self.focus.names_context(query, prepared.normalized)
        return MatchResult(query, prepared.normalized, outcome, candidates, related)

    def _verbatim_first(self, rewritten: str, candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """A question that is one of the FAQ's phrasings word for word: its entry first, fully sure.

        Staff who write a phrasing may rely on it being answered by its entry, whatever the model
        makes of the words around it.
        """
        owner = self._verbatim.get(rewritten)
        if owner is None:
            return candidates
        entry_id = self._entry_ids[owner]
        others = tuple(c for c in candidates if c.entry_id != entry_id)
        if any(self._near_twin(rewritten, other.question) for other in others[:1]):
            return candidates  # another entry is phrased almost the same: the FAQ itself is ambiguous here
        own = next((c.question for c in candidates if c.entry_id == entry_id), None)
        question = own or next(q for q, o in zip(self._originals, self._owners.tolist(), strict=True) if o == owner)
        return (Candidate(entry_id, question, 100.0), *others)

    def _near_twin(self, rewritten: str, question: str) -> bool:
        other = phrases.rewrite(normalize(question, self.synonyms))
        return fuzz.ratio(rewritten, other) >= NEAR_TWIN

    def _read(self, text: str, limit: int) -> tuple[Candidate, ...]:
        """The candidates for one reading of a message, its closing clauses re-read."""
        candidates = self._candidates(self.prepare(text), limit)
        return self._focus(text, candidates, limit) if candidates else candidates

    @staticmethod
    def _without_context(whole: tuple[Candidate, ...], focused: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """Choose between the message read whole and read without its context.

        Context is shared by every entry, so the reading without it decides which entry is meant;
        when both readings agree, the more confident one stands.
        """
        if not focused:
            return whole
        if whole and whole[0].entry_id == focused[0].entry_id and whole[0].score > focused[0].score:
            return whole
        return focused

    def _candidates(self, prepared: Query, limit: int) -> tuple[Candidate, ...]:
        scored = self.score(prepared)[:limit]
        return tuple(Candidate(self._entry_ids[item.entry], self._originals[item.row], item.score) for item in scored)

    def _focus(self, query: str, candidates: tuple[Candidate, ...], limit: int) -> tuple[Candidate, ...]:
        """Re-read a message of several clauses by its closing clauses.

        Greetings, self-introductions and context (我是相山区的，刚听同事提起…)
        dilute a question: the whole message explains itself poorly, so its
        confidence drops although it ranks the right entry first.  The closing
        clauses, where the question usually stands, are matched alone (see
        :func:`spans`); they may raise the confidence in the entry the whole
        message ranks first, never pick another one, so a context clause
        cannot steer the answer elsewhere.
        """
        chosen = candidates
        for span in spans(query):
            found = self._candidates(self.prepare(span), limit)
            if found and found[0].entry_id == candidates[0].entry_id and found[0].score > chosen[0].score:
                chosen = found
        return chosen

    def score(self, query: Query) -> list[Scored]:
        """Every candidate entry for ``query`` with its features and confidence, best first."""
        if not len(query.ids):
            return []
        gram_ids = query.ids.tolist()
        q_weights = query.weights
        rows, row_values, row_q = _gather(self._row_pointer, self._row_postings, gram_ids, q_weights, self._row_values)
        size = len(self._rewritten)
        dots = np.bincount(rows, weights=row_values * row_q, minlength=size)
        cosines = dots / (self._row_norms * query.norm)
        row_coverage = np.bincount(rows, weights=row_q, minlength=size) / query.total
        if query.pair_weights is not None:
            _, _, row_pairs = _gather(self._row_pointer, self._row_postings, gram_ids, query.pair_weights)
            pair_coverage = np.bincount(rows, weights=row_pairs, minlength=size) / query.pair_total
        else:
            pair_coverage = np.zeros(size)
        row_recall = np.bincount(rows, weights=row_values, minlength=size) / self._row_totals
        entries, _, entry_q = _gather(self._entry_pointer, self._entry_postings, gram_ids, q_weights)
        entry_coverage = np.bincount(entries, weights=entry_q, minlength=len(self._entry_ids)) / query.total

        depth = min(self.weights.rerank_depth, size)
        ranking = cosines + row_coverage
        top_rows = np.argpartition(-ranking, depth - 1)[:depth]
        candidates = {int(self._owners[row]) for row in top_rows.tolist() if ranking[row] > 0}
        entry_depth = min(self.weights.rerank_depth, len(self._entry_ids))
        top_entries = np.argpartition(-entry_coverage, entry_depth - 1)[:entry_depth]
        candidates.update(int(e) for e in top_entries.tolist() if entry_coverage[e] > 0)

        coefficients = self.weights.coefficients
        query_chars = set(tokens(query.rewritten))
        # How much the question says, in units of the rarest possible gram.
        information = query.total / self._unknown_idf
        log_information = math.log1p(information)
        article_coverage = self._coverage(query, self._article_grams)
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
                other_form,
                float(shared_form),
                min(lengths) / max(*lengths, 1),
                change_risk(query_chars, self._rewritten[row]),
                query.unknown,
                self._phrasings[entry],
                float(pair_coverage[row]),
                log_information,
                (1.0 - float(row_coverage[row])) * information,
                float(bool(query.forms) and not row_forms),
                (1.0 - float(entry_coverage[entry])) * information,
                self._coverage(query, self._answer_grams[entry]),
                self._coverage(query, self._paragraph_grams[entry]),
                article_coverage,
            )
            logit = self.weights.bias + sum(c * f for c, f in zip(coefficients, features, strict=True))
            scored.append(Scored(entry, row, features, logit))
        return self._confidences(scored)

    def _confidences(self, scored: list[Scored]) -> list[Scored]:
        """Turn ranking logits into 0–100 confidences, in ranking order.

        A candidate is never more confident than one ranked above it, so the
        scores fall from the first candidate on.
        """
        scored.sort(key=lambda item: (-item.score, item.entry))
        bias, *coefficients = self.weights.acceptance
        result = []
        ceiling = 100.0
        for position, item in enumerate(scored):
            other = scored[1 if position == 0 else 0].score if len(scored) > 1 else item.score - LONE_LEAD
            values = acceptance_inputs(item.features, item.score - other)
            logit = bias + sum(c * v for c, v in zip(coefficients, values, strict=True))
            ceiling = min(ceiling, 100.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0))))
            result.append(Scored(item.entry, item.row, item.features, round(ceiling, 1)))
        return result

    def entry_index(self, entry_id: str) -> int:
        """The position of ``entry_id`` among the entries (for calibration)."""
        return self._entry_ids.index(entry_id)

    @property
    def entry_ids(self) -> Sequence[str]:
        return self._entry_ids
