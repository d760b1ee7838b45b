"""The three outcomes of a question and the confidence limits between them."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Outcome(enum.StrEnum):
    """What the bot does with a question."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    DECLINE = "decline"


@dataclass(frozen=True)
class Thresholds:
    """Confidence limits for the three outcomes.

    A question is answered when the best entry scores at least ``answer`` and leads
    the runner-up by at least ``margin`` (or scores ``sure`` or more); otherwise it
    gets suggestions when its relevance (how likely it is about the FAQ at all,
    :func:`~bot.core.matching.features.relevance`) is at least ``suggest``, and is
    declined when not.  The defaults serve an FAQ without a calibration file and
    follow the same costs as :func:`fit_thresholds`: the answer limits, chosen on
    the Tianchi benchmark's learning half (part A), keep confident answers ≥ 97 %
    precise there, and ``suggest`` (``python -m benchmarks.relevance``) is the limit
    :func:`~bot.core.matching.calibration.suggest_limit` chooses on our tuning part (4),
    lowered until Tianchi A, which has no unrelated questions, declines at most 2 % of
    its answerable questions (2); the rest get "did you mean" buttons.
    """

    answer: float = 80.0
    margin: float = 5.0
    sure: float = 95.0
    suggest: float = 2.0

    def answers(self, best: float, margin: float) -> bool:
        """Whether a best confidence with this lead over the runner-up is answered (whatever its relevance)."""
        return best >= self.sure or (best >= self.answer and margin >= self.margin)

    def decide(self, best: float, margin: float, relevance: float) -> Outcome:
        if self.answers(best, margin):
            return Outcome.ANSWER
        if relevance >= self.suggest:
            return Outcome.SUGGEST
        return Outcome.DECLINE
