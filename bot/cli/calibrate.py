"""``faqbot calibrate``: learn examples and fit the answer/suggest/decline limits of one FAQ on labelled questions."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import add_knowledge_option, load_labelled_run
from bot.cli.evaluate import DEFAULT_QUESTIONS
from bot.core.files.locations import calibration_path, examples_path
from bot.core.files.problems import display_path
from bot.core.knowledge.examples_file import write_examples
from bot.core.matching.calibration import DEFAULT_SLACK, Costs, Fit, evaluate_thresholds, write_calibration
from bot.core.matching.evaluation import HOLDOUT, TUNING
from bot.core.matching.examples import FOLDS, learn, observe


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="learn examples and fit the confidence limits of an FAQ on the tuning part of labelled questions",
    )
    add_knowledge_option(parser)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_QUESTIONS, help="labelled question file")
    defaults = Costs()
    parser.add_argument(
        "--max-wrong",
        type=float,
        default=defaults.wrong,
        help=f"allowed share of related questions answered wrongly (default {defaults.wrong})",
    )
    parser.add_argument(
        "--max-unrelated",
        type=float,
        default=defaults.unrelated_answered,
        help=f"allowed share of unrelated (or uncovered) questions answered with facts (default {defaults.unrelated_answered})",
    )
    parser.add_argument(
        "--max-declined",
        type=float,
        default=defaults.declined,
        help=f"allowed share of related questions declined without suggestions (default {defaults.declined})",
    )
    parser.add_argument(
        "--slack",
        type=float,
        default=DEFAULT_SLACK,
        help=f"take the most cautious limits within this share of the best right-answer rate (default {DEFAULT_SLACK})",
    )
    parser.add_argument("--write", action="store_true", help="write examples.yaml and calibration.yaml beside the FAQ")
    parser.set_defaults(func=run)


def describe(name: str, fit: Fit) -> str:
    return (
        f"{name:<8} right answers {fit.right_rate:6.1%} ({fit.right}/{fit.positives}), "
        f"confident wrong {fit.wrong}, related declined {fit.positives_declined}, "
        f"unrelated or uncovered answered with facts {fit.unrelated_answered}/{fit.unrelated}"
    )


def run(args: argparse.Namespace) -> int:
    loaded = load_labelled_run(args)
    if loaded is None:
        return 1
    snapshot, questions = loaded
    costs = Costs(wrong=args.max_wrong, unrelated_answered=args.max_unrelated, declined=args.max_declined)
    tuning = [q for q in questions if q.split == TUNING]
    learned = learn(snapshot.knowledge, tuning, costs=costs, slack=args.slack)
    print(describe("phrasings alone", learned.alone))
    count = sum(map(len, learned.examples.values()))
    print(
        f"examples: {count} tuning questions the phrasings alone do not answer right, under {len(learned.examples)} entries"
    )
    t = learned.fit.thresholds
    print(f"limits: answer ≥ {t.answer:g} with a lead ≥ {t.margin:g} (or ≥ {t.sure:g}); suggest ≥ {t.suggest:g}")
    print(describe(TUNING, learned.fit) + f"   (each example held out by {FOLDS} folds)")
    holdout = observe(learned.snapshot.matcher, [q for q in questions if q.split == HOLDOUT])
    if holdout:
        print(describe(HOLDOUT, evaluate_thresholds(holdout, t)) + "   (reported only, not fitted)")
    if args.write:
        source = snapshot.knowledge.source
        assert source is not None
        where = f"the tuning part of {args.file.name}"
        write_examples(examples_path(source), learned.examples, where)
        write_calibration(
            calibration_path(source), learned.fit, f"{where} ({len(tuning)} questions, examples held out)"
        )
        print(f"wrote {display_path(examples_path(source))} and {display_path(calibration_path(source))}")
    return 0
