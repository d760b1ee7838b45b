"""``faqbot eval``: answer quality on a labelled question file (a question that is one of the examples held out)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import add_knowledge_option, load_labelled_run
from bot.core.matching.evaluation import HOLDOUT, TUNING, Report, evaluate, unknown_labels
from bot.core.matching.examples import HeldOut
from bot.paths import PROJECT_ROOT

DEFAULT_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "questions.yaml"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("eval", help="measure answer quality on labelled questions")
    add_knowledge_option(parser)
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_QUESTIONS, help="labelled question file")
    parser.add_argument("--split", choices=("all", TUNING, HOLDOUT), default="all", help="which part to run")
    parser.add_argument("--quiet", action="store_true", help="do not list the misses")
    parser.set_defaults(func=run)


def format_report(name: str, report: Report) -> list[str]:
    lines = [f"== {name} =="]
    if report.positives:
        lines.append(
            f"right answers     {report.right_answer_rate:7.1%}  ({report.answered_right}/{report.positives};"
            f" top-1 {report.rate(report.top1, report.positives):.1%}, top-3 {report.rate(report.top3, report.positives):.1%},"
            f" suggested {report.suggested}, wrong answers {report.answered_wrong},"
            f" precision {report.precision:.1%})"
        )
    if report.unrelated:
        lines.append(
            f"unrelated declined {report.declined_rate:6.1%}  ({report.unrelated_declined}/{report.unrelated};"
            f" answered {report.unrelated_answered})"
        )
    if report.negatives:
        rate = report.rate(report.negatives_wrongly_answered, report.negatives)
        lines.append(
            f"negatives answered with the entry they do not mean {rate:.1%}"
            f" ({report.negatives_wrongly_answered}/{report.negatives})"
        )
    return lines


def run(args: argparse.Namespace) -> int:
    loaded = load_labelled_run(args)
    if loaded is None:
        return 1
    snapshot, questions = loaded
    for label in unknown_labels(snapshot.matcher, questions):
        print(f"warning: label {label!r} names no entry of the FAQ")
    splits = [TUNING, HOLDOUT] if args.split == "all" else [args.split]
    for split in splits:
        part = [q for q in questions if q.split == split]
        if not part:
            continue
        report = evaluate(HeldOut(snapshot), part)
        print("\n".join(format_report(f"{split} ({len(part)} questions)", report)))
        if not args.quiet:
            for miss in report.misses:
                expected = miss.question.entry_id or "(decline)"
                print(
                    f"  miss [{miss.question.kind.value}] {miss.question.text!r}: expected {expected},"
                    f" got {miss.outcome.value} {miss.got or '-'} ({miss.score:.1f})"
                )
    return 0
