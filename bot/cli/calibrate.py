"""``faqbot calibrate``: fit the answer/suggest/decline limits of one FAQ on labelled questions."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bot.cli.common import add_knowledge_option, load_labelled_run
from bot.cli.evaluate import DEFAULT_QUESTIONS
from bot.core.files.locations import calibration_path
from bot.core.files.problems import display_path
from bot.core.matching.calibration import (
    Costs,
    Fit,
    Observation,
    evaluate_thresholds,
    fit_thresholds,
    write_calibration,
)
from bot.core.matching.evaluation import HOLDOUT, TUNING, Kind, LabelledQuestion
from bot.core.matching.matcher import Matcher
from bot.core.matching.scorecard import refers_to_staff


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "calibrate", help="fit the confidence limits of an FAQ on the tuning part of labelled questions"
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
        default=0.0,
        help="take the most cautious limits within this share of the best right-answer rate (default 0)",
    )
    parser.add_argument("--write", action="store_true", help="write calibration.yaml beside the FAQ")
    parser.set_defaults(func=run)


def observe(matcher: Matcher, questions: Sequence[LabelledQuestion]) -> list[Observation]:
    """Match each positive, unrelated or uncovered question (scores do not depend on any limits).

    An uncovered question (about the programme, answered nowhere) must not be answered with the facts
    of the entry it resembles most, so it counts as unrelated; where that entry sends the asker to a
    person (an ``nc_`` entry), any outcome is right and it is left out.
    """
    observations = []
    for question in questions:
        if question.kind not in {Kind.POSITIVE, Kind.UNRELATED, Kind.UNCOVERED}:
            continue
        result = matcher.match(question.text)
        best = result.best
        if question.kind is Kind.UNCOVERED and (best is None or refers_to_staff(matcher.knowledge, best.entry_id)):
            continue
        observations.append(
            Observation(
                score=best.score if best else 0.0,
                margin=result.margin,
                related=question.kind is Kind.POSITIVE,
                correct=best is not None and best.entry_id == question.entry_id,
            )
        )
    return observations


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
    matcher = snapshot.matcher
    tuning = observe(matcher, [q for q in questions if q.split == TUNING])
    costs = Costs(wrong=args.max_wrong, unrelated_answered=args.max_unrelated, declined=args.max_declined)
    fit = fit_thresholds(tuning, costs=costs, slack=args.slack)
    t = fit.thresholds
    print(f"limits: answer ≥ {t.answer:g} with a lead ≥ {t.margin:g} (or ≥ {t.sure:g}); suggest ≥ {t.suggest:g}")
    print(describe(TUNING, fit))
    holdout = observe(matcher, [q for q in questions if q.split == HOLDOUT])
    if holdout:
        print(describe(HOLDOUT, evaluate_thresholds(holdout, fit.thresholds)) + "   (reported only, not fitted)")
    if args.write:
        source = snapshot.knowledge.source
        assert source is not None
        target = calibration_path(source)
        write_calibration(target, fit, f"the tuning part of {args.file.name} ({len(tuning)} questions)")
        print(f"wrote {display_path(target)}")
    return 0
