"""Cross-validate the whole fitting inside the tuning part of our labelled questions.

    python -m benchmarks.crossval [--tianchi PATH] [--folds 5] [--seeds 4] [--slack 0 0.01 0.03]

Our holdout part is for reporting only, so an idea about scoring or fitting is
judged here instead: the tuning questions are split into folds (by CRC32 of the
text and a seed); for each fold the ranking and confidence models are refitted
(:mod:`benchmarks.calibrate`, with Tianchi part A) and the limits chosen
(:func:`~bot.core.matching.calibration.fit_thresholds`) on the other folds, and the fold
itself is then answered with them.  The counts over all held-out folds estimate
what ``faqbot calibrate`` will give on questions it has not seen.
"""

from __future__ import annotations

import argparse
import dataclasses
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from benchmarks.calibrate import (
    Sample,
    best_two,
    collect,
    fit_acceptance,
    fit_softmax,
    weighted_groups,
)
from benchmarks.datasets import PART_A, own_dataset, tianchi_available, tianchi_dataset, tianchi_path
from bot.core.matching.calibration import Costs, Fit, Observation, evaluate_thresholds, fit_thresholds
from bot.core.matching.evaluation import TUNING, Kind
from bot.core.matching.features import Weights, relevance


@dataclass
class Tally:
    """Outcomes on held-out folds, added up."""

    right: int = 0
    wrong: int = 0
    positives: int = 0
    declined: int = 0  # related questions declined
    unrelated_declined: int = 0
    unrelated_answered: int = 0
    unrelated: int = 0

    def add(self, fit: Fit) -> None:
        """Add what one fold's limits did with that fold."""
        self.right += fit.right
        self.wrong += fit.wrong
        self.positives += fit.positives
        self.declined += fit.positives_declined
        self.unrelated_declined += fit.unrelated_declined
        self.unrelated_answered += fit.unrelated_answered
        self.unrelated += fit.unrelated

    def line(self, name: str) -> str:
        shown = self.positives + self.unrelated
        return (
            f"{name}: right answers {self.right / max(self.positives, 1):.1%} ({self.right}/{self.positives}), "
            f"confident wrong {self.wrong} ({self.wrong / max(shown, 1):.2%}), "
            f"unrelated declined {self.unrelated_declined / max(self.unrelated, 1):.1%}"
            f" ({self.unrelated_declined}/{self.unrelated}), answered {self.unrelated_answered}"
        )


def fold_of(sample_text: str, folds: int, seed: int) -> int:
    return zlib.crc32(f"{sample_text}\x00{seed}".encode()) % folds


Fitted = tuple[NDArray[np.float64], NDArray[np.float64]]  # ranking and confidence weights


def observations(samples: Sequence[Sample], fitted: Fitted) -> list[Observation]:
    result = []
    for sample in samples:
        best, margin, winner = best_two(sample, *fitted)
        correct = winner >= 0 and bool(sample.labels[winner])
        about = relevance(sample.features, best)
        result.append(Observation(best, margin, sample.kind is Kind.POSITIVE, correct, about))
    return result


def cross_validate(
    own: Sequence[tuple[str, Sample]],
    tianchi: Sequence[Sample],
    *,
    folds: int = 5,
    seeds: int = 1,
    slacks: Sequence[float] = (0.0,),
    faq_weight: float = 2.0,
    unrelated_weight: float = 4.0,
    max_wrong: float = 0.005,
) -> dict[float, Tally]:
    """Out-of-fold outcomes for each slack of :func:`fit_thresholds` (``own``: question text and its sample)."""
    tallies = {slack: Tally() for slack in slacks}
    for seed in range(seeds):
        assigned = [fold_of(text, folds, seed) for text, _ in own]
        for fold in range(folds):
            train = [sample for (_, sample), f in zip(own, assigned, strict=True) if f != fold]
            test = [sample for (_, sample), f in zip(own, assigned, strict=True) if f == fold]
            groups = weighted_groups(train, tianchi, faq_weight, unrelated_weight)
            beta = fit_softmax(groups)
            fitted = (beta, fit_acceptance(groups, beta))
            seen, unseen = observations(train, fitted), observations(test, fitted)
            for slack, tally in tallies.items():
                limits = fit_thresholds(seen, slack=slack, costs=Costs(wrong=max_wrong)).thresholds
                tally.add(evaluate_thresholds(unseen, limits))
    return tallies


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tianchi", help="Tianchi folder (default $FAQBOT_TIANCHI or ../shared/bench/tianchi)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=4, help="repeat with this many different fold assignments")
    parser.add_argument("--slack", type=float, nargs="+", default=[0.0, 0.01, 0.03], help="slacks of fit_thresholds")
    parser.add_argument("--faq-weight", type=float, default=2.0, help="weight of our FAQ against Tianchi A")
    parser.add_argument("--unrelated-weight", type=float, default=4.0, help="weight of our unrelated questions")
    parser.add_argument("--max-wrong", type=float, default=0.005, help="max_wrong_rate of fit_thresholds")
    parser.add_argument("--whole", action="store_true", help="read each question whole (no clause spans)")
    args = parser.parse_args(argv)
    own = own_dataset()
    questions = [q for q in own.parts[TUNING] if q.kind in {Kind.POSITIVE, Kind.UNRELATED}]
    own_samples = collect(own, TUNING, Weights())
    by_text = {id(q): s for q, s in zip(own.parts[TUNING], own_samples, strict=True)}
    pairs = [(q.text, by_text[id(q)]) for q in questions]
    if args.whole:
        pairs = [(text, dataclasses.replace(sample, spans=())) for text, sample in pairs]
    path = tianchi_path(args.tianchi)
    tianchi = collect(tianchi_dataset(path), PART_A, Weights()) if tianchi_available(path) else []
    if not tianchi:
        print(f"no Tianchi data at {path}: fitting on our tuning folds alone")
    tallies = cross_validate(
        pairs,
        tianchi,
        folds=args.folds,
        seeds=args.seeds,
        slacks=args.slack,
        faq_weight=args.faq_weight,
        unrelated_weight=args.unrelated_weight,
        max_wrong=args.max_wrong,
    )
    print(f"{args.folds}-fold cross-validation inside the tuning part, {args.seeds} fold assignment(s):")
    for slack, tally in tallies.items():
        print(tally.line(f"slack {slack:g}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
