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

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.matching import fitted
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


def change_risk(query_chars: set[str], question: str) -> float:
    """How likely the characters on one side only make the two questions ask different things.

    Sums the learned :data:`~bot.core.matching.learned.CHANGE_RISK` of each character in
    the symmetric difference (scaled by 1/10); a differing character the table
    does not know counts :data:`UNKNOWN_CHANGE_RISK`.
    """
    differing = query_chars.symmetric_difference(tokens(question))
    return sum(CHANGE_RISK.get(char, UNKNOWN_CHANGE_RISK) for char in differing) / 10.0
