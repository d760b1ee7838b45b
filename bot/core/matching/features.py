"""What the engine scores a candidate entry on, and the fitted weights that turn it into a confidence.

A question's best candidates get a handful of features (:data:`FEATURES`: the
TF-IDF cosine and coverages the index gives, the rapidfuzz edit ratio, a
learned risk that the differing characters change the meaning, whether the
question asks a different kind of thing, how much the question says at all and
how much of it the phrasing and the entry leave unexplained); one logistic
model ranks them, a second turns each candidate's features and lead over the
runner-up into a 0–100 confidence (:data:`ACCEPTANCE_FEATURES`).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.core.matching import fitted, fitted_relevance
from bot.core.matching.keys import runs
from bot.core.matching.learned import CHANGE_RISK
from bot.core.matching.text import tokens

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
# Whether a message is about the FAQ at all, whichever entry it means: the best confidence (as log(1 + it))
# and, for each feature read off the phrasings, the most any candidate has of it.  An unsure question about
# the programme (锻炼岗位跟产业链搭不搭界啊) still has candidates that cover much of it; a question about
# the weather has none.  What depends on how the FAQ is written rather than on the message is left out (what
# the entries say besides their phrasings, how many phrasings they have), so that a small FAQ, or one
# without answers or an article, is read alike; on the tuning part they add nothing (AUC 0.968 either way,
# whole messages, uncovered counted as related: the measure the choice was made on).
_OF_THE_FAQ = ("answer_coverage", "paragraph_coverage", "article_coverage", "phrasings")
_READ = [index for index, name in enumerate(FEATURES) if name not in _OF_THE_FAQ]
RELEVANCE_FEATURES = ("confidence", *(FEATURES[index] for index in _READ))
UNKNOWN_CHANGE_RISK = 1.0
LONE_LEAD = 10.0  # the lead of a candidate without any rival


@dataclass(frozen=True)
class Weights:
    """How grams are weighted and how the features become one confidence.

    Scoring has two logistic stages, both fitted by ``python -m benchmarks.calibrate``
    on the tuning part of our labelled questions and on half of the Tianchi
    benchmark; it writes their weights, by feature name, into
    :mod:`bot.core.matching.fitted`.  The *ranking* logit is ``bias`` plus ``coefficients`` times
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
    coefficients: tuple[float, ...] = tuple(fitted.RANKING[name] for name in FEATURES)
    bias: float = fitted.RANKING_BIAS
    acceptance: tuple[float, ...] = (fitted.ACCEPTANCE_BIAS, *(fitted.ACCEPTANCE[name] for name in ACCEPTANCE_FEATURES))
    rerank_depth: int = 30


_PHRASINGS = FEATURES.index("phrasings")
_ENTRY_COVERAGE = FEATURES.index("entry_coverage")
_UNKNOWN_SHARE = FEATURES.index("unknown_share")


def leads(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each candidate's ranking logit minus the best other candidate's (:data:`LONE_LEAD` when alone)."""
    if len(logits) == 1:
        return np.asarray([LONE_LEAD], dtype=np.float64)
    order = np.sort(logits)
    best, second = order[-1], order[-2]
    return np.asarray(logits - np.where(logits == best, second, best), dtype=np.float64)


def acceptance_inputs(features: NDArray[np.float64], lead: NDArray[np.float64]) -> NDArray[np.float64]:
    """The confidence stage's inputs (:data:`ACCEPTANCE_FEATURES`), one row per candidate.

    Two products let confidence depend on how richly the entry is phrased: a
    lead or a coverage means more for an entry written ten ways than for one
    written once, whose near-twins are likely.  A third discounts a lead that
    rests on a question largely made of words the FAQ has never seen
    (江苏和浙江哪个省GDP高 is far from every other entry, yet not about the
    destinations).
    """
    phrasings = features[:, _PHRASINGS]
    return np.column_stack(
        (
            features,
            lead,
            phrasings * lead,
            phrasings * features[:, _ENTRY_COVERAGE],
            features[:, _UNKNOWN_SHARE] * lead,
        )
    )


def confidences(features: NDArray[np.float64], logits: NDArray[np.float64], weights: Weights) -> NDArray[np.float64]:
    """Each candidate's 0–100 confidence from its features and its lead in ranking ``logits``."""
    bias, *coefficients = weights.acceptance
    accepted = bias + acceptance_inputs(features, leads(logits)) @ np.asarray(coefficients)
    return np.asarray(100.0 / (1.0 + np.exp(-np.clip(accepted, -50.0, 50.0))), dtype=np.float64)


def relevance_inputs(features: NDArray[np.float64], confidence: float) -> NDArray[np.float64]:
    """The relevance stage's inputs (:data:`RELEVANCE_FEATURES`) for a message's candidates (one row of features each)."""
    most = features[:, _READ].max(axis=0) if len(features) else np.zeros(len(_READ))
    return np.concatenate(([np.log1p(confidence)], most))


_RELEVANCE = np.asarray([fitted_relevance.RELEVANCE[name] for name in RELEVANCE_FEATURES])


def relevance(features: NDArray[np.float64], confidence: float) -> float:
    """How likely (0–100) a message whose candidates have ``features`` is about the FAQ, from its best ``confidence``.

    A logistic model fitted by ``python -m benchmarks.relevance --write`` on the tuning part: answerable
    questions against unrelated and uncovered ones.  It decides between a "did you mean" list and a
    decline better than the best confidence does, which is fitted to tell the right entry from the
    others, not a question the FAQ answers from one about something else.
    """
    logit = fitted_relevance.RELEVANCE_BIAS + float(relevance_inputs(features, confidence) @ _RELEVANCE)
    return round(100.0 / (1.0 + math.exp(-min(max(logit, -50.0), 50.0))), 1)


class ChangeRisk:
    """How likely the characters on one side only make a question and a phrasing ask different things.

    Sums the learned :data:`~bot.core.matching.learned.CHANGE_RISK` of each
    character in the symmetric difference of their character sets (scaled by
    1/10); a differing character the table does not know counts
    :data:`UNKNOWN_CHANGE_RISK`.  The sum over the difference is the sum over
    both sides less twice the sum over the characters they share.
    """

    def __init__(self, phrasings: Sequence[str]) -> None:
        self._char_ids: dict[str, int] = {}
        flat: array[int] = array("i")
        ends: array[int] = array("q", [0])
        for text in phrasings:
            flat.extend(self._char_ids.setdefault(char, len(self._char_ids)) for char in set(tokens(text)))
            ends.append(len(flat))
        # Each phrasing's distinct characters (as ids), one phrasing after the other.
        self._chars = np.frombuffer(flat, np.int32) if flat else np.zeros(0, np.int32)
        self._pointer = np.frombuffer(ends, np.int64)
        self._risks = np.fromiter(map(_risk, self._char_ids), np.float64, len(self._char_ids))

    def of(self, question: str, rows: NDArray[np.int64]) -> NDArray[np.float64]:
        """The change risk between ``question`` (rewritten) and each of the phrasings ``rows``."""
        chars = set(tokens(question))
        known = np.fromiter((self._char_ids[char] for char in chars if char in self._char_ids), np.int32)
        positions, lengths = runs(self._pointer, rows)
        found = self._chars[positions]
        risks = self._risks[found]
        shared = np.isin(found, known)
        of_row = np.repeat(np.arange(len(rows)), lengths)
        own = np.bincount(of_row, weights=risks, minlength=len(rows))
        common = np.bincount(of_row[shared], weights=risks[shared], minlength=len(rows))
        return np.asarray((sum(map(_risk, chars)) + own - 2.0 * common) / 10.0, dtype=np.float64)


def _risk(char: str) -> float:
    return CHANGE_RISK.get(char, UNKNOWN_CHANGE_RISK)
