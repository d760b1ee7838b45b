"""Judge ``faqbot calibrate``'s whole pipeline (examples, then limits) inside the tuning part.

    python -m benchmarks.nested [--folds 3] [--seeds 2]

The tuning questions are split into folds (by CRC32 of a seed and the text); for each fold,
:func:`~bot.core.matching.examples.learn` chooses the examples and fits the limits on the other
folds, exactly as ``faqbot calibrate`` does on the whole tuning part, and the fold is then answered
by the FAQ it learned.  The same is done with the phrasings alone (limits fitted, no examples).
The sums over the folds estimate what the pipeline gives on questions it has never seen; the
holdout part is not read.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from benchmarks.crossval import Tally, fold_of
from benchmarks.datasets import own_dataset
from bot.core.matching.calibration import DEFAULT_SLACK, evaluate_thresholds, fit_thresholds
from bot.core.matching.evaluation import TUNING, LabelledQuestion
from bot.core.matching.examples import learn, observe, without_examples
from bot.core.matching.matcher import Matcher


def line(name: str, tally: Tally) -> str:
    share = max(tally.positives, 1)
    return (
        f"{name:<16} right {tally.right / share:6.1%}  wrong {tally.wrong / share:5.2%} ({tally.wrong}/{tally.positives})"
        f"  declined {tally.declined / share:5.1%}  unrelated or uncovered answered"
        f" {tally.unrelated_answered / max(tally.unrelated, 1):5.2%} ({tally.unrelated_answered}/{tally.unrelated})"
    )


def split(questions: Sequence[LabelledQuestion], folds: int, seed: int) -> list[list[LabelledQuestion]]:
    """The questions in ``folds`` parts, assigned as :mod:`benchmarks.crossval` assigns them."""
    parts: list[list[LabelledQuestion]] = [[] for _ in range(folds)]
    for question in questions:
        parts[fold_of(question.text, folds, seed)].append(question)
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=2, help="repeat with this many different fold assignments")
    parser.add_argument(
        "--slack", type=float, default=DEFAULT_SLACK, help="the limits' slack (faqbot calibrate --slack)"
    )
    args = parser.parse_args(argv)
    dataset = own_dataset()
    plain = without_examples(dataset.knowledge)
    matcher = Matcher(plain)  # the phrasings alone: observations do not depend on any limits
    alone, taught = Tally(), Tally()
    for seed in range(args.seeds):
        parts = split(dataset.parts[TUNING], args.folds, seed)
        for index, held in enumerate(parts):
            rest = [question for other, part in enumerate(parts) if other != index for question in part]
            fit = fit_thresholds(observe(matcher, rest), slack=args.slack)
            alone.add(evaluate_thresholds(observe(matcher, held), fit.thresholds))
            learned = learn(plain, rest, slack=args.slack)
            taught.add(evaluate_thresholds(observe(learned.snapshot.matcher, held), learned.fit.thresholds))
    print(f"{args.folds}-fold nested cross-validation inside the tuning part, {args.seeds} fold assignment(s):")
    print(line("phrasings alone", alone))
    print(line("with examples", taught))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
