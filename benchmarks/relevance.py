"""Fit how likely a message is about the FAQ at all (the relevance stage) on the tuning part only.

    python -m benchmarks.relevance [--tianchi PATH] [--write]

An unsure question gets "did you mean" buttons when it is about the FAQ and a decline (the bot
answers questions about the programme only) when it is not.  The best confidence tells the right
entry from the others; whether the message is about the FAQ is asked here, by a logistic model
over :data:`~bot.core.matching.features.RELEVANCE_FEATURES`: every answerable tuning question against
every unrelated or uncovered one (about the programme, answered nowhere: declined with the contact
rather than offered entries that do not fit), each read as the bot reads it (the shipped FAQ, a
question among the examples matched without its fold).  Prints the weights and what a few
suggest limits decline on the tuning part; ``--write`` stores the weights in
``bot/core/matching/fitted_relevance.py``.  It also prints the default suggest limit for an FAQ
without calibration (:class:`~bot.core.matching.thresholds.Thresholds`), with the default answer
limits and the weights shipped when it starts (after ``--write``, run it again): the limit
:func:`~bot.core.matching.calibration.suggest_limit` chooses on our tuning part, or less if Tianchi part A
(which has no unrelated questions) would then decline more than its budget.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from benchmarks.calibrate import Sample, fit
from benchmarks.datasets import OWN_KNOWLEDGE, PART_A, own_dataset, tianchi_available, tianchi_dataset, tianchi_path
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.calibration import Costs, suggest_limit
from bot.core.matching.evaluation import TUNING, Kind, LabelledQuestion
from bot.core.matching.examples import HeldOut
from bot.core.matching.features import RELEVANCE_FEATURES, relevance_inputs
from bot.core.matching.matcher import Matcher, MatchResult
from bot.core.matching.thresholds import Outcome, Thresholds

TARGET = Path(__file__).resolve().parent.parent / "bot" / "core" / "matching" / "fitted_relevance.py"
HEADER = '''"""Relevance weights fitted by ``python -m benchmarks.relevance --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml, never on a held-out part.
``RELEVANCE`` weighs each input of :data:`~bot.core.matching.features.RELEVANCE_FEATURES`
into the logit of how likely (0-100) a message is about the FAQ.
"""
'''
ASKED = {Kind.POSITIVE, Kind.UNCOVERED, Kind.UNRELATED}


def inputs(matcher: Matcher, text: str) -> tuple[NDArray[np.float64], bool]:
    """The relevance inputs of one message, as :meth:`Matcher.match` computes them, and whether it is answered."""
    result = matcher.match(text)
    ranking = matcher.scorer.rank(matcher.prepare(matcher.focus.question(text) or text))  # without its context
    return relevance_inputs(
        ranking.features, result.best.score if result.best else 0.0
    ), result.outcome is Outcome.ANSWER


def fit_relevance(rows: NDArray[np.float64], related: NDArray[np.bool_], l2: float = 1e-3) -> NDArray[np.float64]:
    """Logistic regression of ``related`` (answerable) on ``rows``, the two classes weighed alike: bias, then coefficients."""
    groups = [
        (
            [
                Sample(
                    Kind.POSITIVE,
                    rows[related == label],
                    related[related == label].astype(np.float64),
                    np.zeros(0, bool),
                )
            ],
            1.0,
        )
        for label in (True, False)
    ]
    return fit(groups, l2=l2)


def render(weights: Sequence[float]) -> str:
    lines = "".join(
        f'    "{name}": {round(float(value), 3)!r},\n'
        for name, value in zip(RELEVANCE_FEATURES, weights[1:], strict=True)
    )
    return f"{HEADER}\nRELEVANCE_BIAS = {round(float(weights[0]), 3)!r}\nRELEVANCE = {{\n{lines}}}\n"


def default_suggest(
    questions: Sequence[LabelledQuestion], match: Callable[[str], MatchResult], costs: Costs | None = None
) -> float:
    """The suggest limit :func:`suggest_limit` chooses for these questions with the default answer limits."""
    limits = Thresholds()
    related: list[float] = []
    unrelated: list[float] = []
    for question in questions:
        result = match(question.text)
        answered = result.best is not None and limits.answers(result.best.score, result.margin)
        if not answered:
            (unrelated if question.kind is Kind.UNRELATED else related).append(result.relevance)
    positives = sum(question.kind is not Kind.UNRELATED for question in questions)
    return suggest_limit(related, unrelated, positives, costs or Costs())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tianchi", help="Tianchi folder (default $FAQBOT_TIANCHI or ../shared/bench/tianchi)")
    parser.add_argument("--write", action="store_true", help=f"store the fitted weights in {TARGET.name}")
    args = parser.parse_args(argv)
    held = HeldOut(Snapshot.load(OWN_KNOWLEDGE))
    questions = [q for q in own_dataset().parts[TUNING] if q.kind in ASKED]
    read = [inputs(held.snapshot_for(q.text).matcher, q.text) for q in questions]
    rows = np.asarray([row for row, _ in read])
    answered = np.asarray([answered for _, answered in read])
    related = np.asarray([q.kind is Kind.POSITIVE for q in questions])
    weights = fit_relevance(rows, related)
    text = render(weights.tolist())
    print(text)
    logits = weights[0] + rows @ weights[1:]
    values = 100.0 / (1.0 + np.exp(-logits))
    print(f"tuning part, in sample: {int(related.sum())} answerable questions, {int((~related).sum())} others")
    for limit in (1, 5, 10, 20, 30, 50):
        declined = values < limit
        print(
            f"  suggest ≥ {limit:>2}: declines {int((declined & related & ~answered).sum())} answerable questions"
            f" and {int((declined & ~related & ~answered).sum())} others"
        )
    if args.write:
        TARGET.write_text(text, encoding="utf-8")
        print(f"written to {TARGET}")
    asked = [q for q in questions if q.kind in {Kind.POSITIVE, Kind.UNRELATED}]
    found = {"our FAQ (tuning)": default_suggest(asked, held.match)}
    path = tianchi_path(args.tianchi)
    if tianchi_available(path):
        # Tianchi has no unrelated questions: only its budget of declines counts there.
        tianchi = tianchi_dataset(path)
        budget = Costs(decline_weight=0.0)
        found["Tianchi A, budget only"] = default_suggest(
            tianchi.parts[PART_A], Matcher(tianchi.knowledge).match, budget
        )
    shown = ", ".join(f"{name} {value:g}" for name, value in found.items())
    print(f"default suggest limit (the lower, shipped weights): {min(found.values()):g} ({shown})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
