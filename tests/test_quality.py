"""Answer quality on the labelled questions (tests/data/questions.yaml), both parts.

The limits in knowledge/calibration.yaml were fitted on the tuning part only
(``faqbot calibrate``); the holdout part is measured, never tuned on.  The floors below are what the engine achieves (see
the README's Performance section); the issue's 95 % target for right answers is
kept as a strict expected failure so that reaching it is noticed.
"""

from __future__ import annotations

import functools

import pytest

from bot.core.evaluation import HOLDOUT, TUNING, Report, evaluate, load_labelled, unknown_labels
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher, Outcome
from bot.paths import PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "tests" / "data" / "questions.yaml"


@functools.cache
def matcher() -> Matcher:
    return Matcher(load_knowledge(PROJECT_ROOT / "knowledge"))


@functools.cache
def report(split: str) -> Report:
    questions = [q for q in load_labelled(QUESTIONS) if q.split == split]
    assert questions
    return evaluate(matcher(), questions)


def test_labels_name_existing_entries() -> None:
    assert unknown_labels(matcher(), load_labelled(QUESTIONS)) == []


@pytest.mark.parametrize(
    ("split", "right", "top1", "declined"),
    [
        (TUNING, 0.86, 0.98, 0.96),
        (HOLDOUT, 0.80, 0.95, 0.93),
    ],
)
def test_quality_floors(split: str, right: float, top1: float, declined: float) -> None:
    result = report(split)
    assert result.right_answer_rate >= right
    assert result.rate(result.top1, result.positives) >= top1
    assert result.declined_rate >= declined


@pytest.mark.parametrize(("split", "most"), [(TUNING, 2), (HOLDOUT, 3)])
def test_confident_wrong_answers_are_rare(split: str, most: int) -> None:
    """Wrong entries given to related questions plus answers given to unrelated ones."""
    result = report(split)
    assert result.answered_wrong + result.unrelated_answered <= most
    assert result.precision >= 0.97


@pytest.mark.parametrize(
    "question",
    [
        "江苏和浙江哪个省GDP高",  # the destinations, but a question the article does not answer
        "集成电路是什么",  # a term the FAQ only lists
        "煤化工是什么",
        "蘇州到杭州怎麼走",
    ],
)
def test_topical_traps_are_not_answered(question: str) -> None:
    assert matcher().match(question).outcome is not Outcome.ANSWER


@pytest.mark.parametrize(("split", "floor"), [(TUNING, 0.97), (HOLDOUT, 0.95)])
def test_the_right_entry_is_almost_always_among_the_suggestions(split: str, floor: float) -> None:
    result = report(split)
    assert result.rate(result.top3, result.positives) >= floor


@pytest.mark.xfail(strict=True, reason="issue 2 target: 95 % right answers needs paraphrase knowledge the engine lacks")
@pytest.mark.parametrize("split", [TUNING, HOLDOUT])
def test_issue_target_of_95_percent_right_answers(split: str) -> None:
    assert report(split).right_answer_rate >= 0.95
