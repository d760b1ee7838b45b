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
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.datasets import own_dataset
from bot.core.matching.calibration import Fit, evaluate_thresholds, fit_thresholds
from bot.core.matching.evaluation import TUNING, LabelledQuestion
from bot.core.matching.examples import learn, observe, without_examples
from bot.core.matching.matcher import Matcher


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    positives: int = 0
    declined: int = 0
    unrelated_answered: int = 0
    unrelated: int = 0

    def add(self, fit: Fit) -> None:
        self.right += fit.right
        self.wrong += fit.wrong
        self.positives += fit.positives
        self.declined += fit.positives_declined
        self.unrelated_answered += fit.unrelated_answered
        self.unrelated += fit.unrelated

    def line(self, name: str) -> str:
        share = max(self.positives, 1)
        return (
            f"{name:<16} right {self.right / share:6.1%}  wrong {self.wrong / share:5.2%} ({self.wrong}/{self.positives})"
            f"  declined {self.declined / share:5.1%}  unrelated or uncovered answered"
            f" {self.unrelated_answered / max(self.unrelated, 1):5.2%} ({self.unrelated_answered}/{self.unrelated})"
        )


def split(questions: Sequence[LabelledQuestion], folds: int, seed: int) -> list[list[LabelledQuestion]]:
    parts: list[list[LabelledQuestion]] = [[] for _ in range(folds)]
    for question in questions:
        parts[zlib.crc32(f"{seed}:{question.text}".encode()) % folds].append(question)
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=2, help="repeat with this many different fold assignments")
    args = parser.parse_args(argv)
    dataset = own_dataset()
    plain = without_examples(dataset.knowledge)
    alone, taught = Tally(), Tally()
    for seed in range(args.seeds):
        parts = split(dataset.parts[TUNING], args.folds, seed)
        for index, held in enumerate(parts):
            rest = [question for other, part in enumerate(parts) if other != index for question in part]
            fit = fit_thresholds(observe(Matcher(plain), rest))
            alone.add(evaluate_thresholds(observe(Matcher(plain), held), fit.thresholds))
            learned = learn(plain, rest)
            taught.add(evaluate_thresholds(observe(learned.snapshot.matcher, held), learned.fit.thresholds))
    print(f"{args.folds}-fold nested cross-validation inside the tuning part, {args.seeds} fold assignment(s):")
    print(alone.line("phrasings alone"))
    print(taught.line("with examples"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
