"""Answer quality on the labelled questions (tests/data/questions.yaml), both parts.

The thresholds were calibrated on the tuning part only; the holdout part is
measured, never tuned on.  The floors below are what the engine achieves (see
the README's Performance section); the issue's 95 % target for right answers is
kept as a strict expected failure so that reaching it is noticed.
"""

from __future__ import annotations

import functools

import pytest

from bot.core.evaluation import HOLDOUT, TUNING, Report, evaluate, load_labelled, unknown_labels
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.paths import PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "tests" / "data" / "questions.yaml"


@functools.cache
def report(split: str) -> Report:
    matcher = Matcher(load_knowledge(PROJECT_ROOT / "knowledge"))
    questions = [q for q in load_labelled(QUESTIONS) if q.split == split]
    assert questions
    return evaluate(matcher, questions)


def test_labels_name_existing_entries() -> None:
    matcher = Matcher(load_knowledge(PROJECT_ROOT / "knowledge"))
    assert unknown_labels(matcher, load_labelled(QUESTIONS)) == []


@pytest.mark.parametrize(
    ("split", "right", "top1", "declined"),
    [
        (TUNING, 0.72, 0.95, 0.95),
        (HOLDOUT, 0.64, 0.88, 0.85),
    ],
)
def test_quality_floors(split: str, right: float, top1: float, declined: float) -> None:
    result = report(split)
    assert result.right_answer_rate >= right
    assert result.rate(result.top1, result.positives) >= top1
    assert result.declined_rate >= declined


@pytest.mark.parametrize(("split", "most"), [(TUNING, 0), (HOLDOUT, 1)])
def test_confident_wrong_answers_are_rare(split: str, most: int) -> None:
    result = report(split)
    assert result.answered_wrong <= most
    assert result.precision >= 0.98


def test_no_unrelated_tuning_question_is_answered() -> None:
    assert report(TUNING).unrelated_answered == 0


@pytest.mark.parametrize(("split", "floor"), [(TUNING, 0.97), (HOLDOUT, 0.95)])
def test_the_right_entry_is_almost_always_among_the_suggestions(split: str, floor: float) -> None:
    result = report(split)
    assert result.rate(result.top3, result.positives) >= floor


@pytest.mark.xfail(strict=True, reason="issue 2 target: 95 % right answers needs paraphrase knowledge the engine lacks")
@pytest.mark.parametrize("split", [TUNING, HOLDOUT])
def test_issue_target_of_95_percent_right_answers(split: str) -> None:
    assert report(split).right_answer_rate >= 0.95
