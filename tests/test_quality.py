"""Answer quality on the labelled questions (tests/data/questions.yaml), both parts, as a cadre gets it.

The limits in knowledge/calibration.yaml were fitted on the tuning part only (``faqbot calibrate``); the
holdout part is measured, never tuned on.  The floors below are what the bot achieves (the README's
Performance section); the understanding issue's targets are kept as strict expected failures, so that
reaching one is noticed.
"""

from __future__ import annotations

import functools

import pytest

from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.evaluation import HOLDOUT, TUNING, Report, evaluate, load_labelled, unknown_labels
from bot.core.matching.examples import HeldOut
from bot.core.matching.matcher import Matcher
from bot.core.matching.scorecard import (
    AFTER_A_TURN,
    EARLIER,
    FOLLOW_UP,
    Tally,
    Verdict,
    load_conversations,
    merge,
    score_after_a_turn,
    score_conversations,
    score_questions,
)
from bot.core.matching.thresholds import Outcome
from bot.paths import PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "tests" / "data" / "questions.yaml"
CONTEXT_FORMS = ("name", "self", "hearsay", "polite", "multi")
POSITIVE_FORMS = ("bare", "typo", "traditional", "keyword", EARLIER, *CONTEXT_FORMS)


@functools.cache
def snapshot() -> Snapshot:
    return Snapshot.load(PROJECT_ROOT / "knowledge")


def matcher() -> Matcher:
    return snapshot().matcher


@functools.cache
def report(split: str) -> Report:
    questions = [q for q in load_labelled(QUESTIONS) if q.split == split]
    assert questions
    return evaluate(HeldOut(snapshot()), questions)


@functools.cache
def scorecard() -> dict[tuple[str, str], Tally]:
    ask = HeldOut(snapshot()).asker()
    knowledge = snapshot().knowledge
    questions, conversations = load_labelled(QUESTIONS), load_conversations(QUESTIONS)
    return merge(
        score_questions(knowledge, ask, questions),
        score_conversations(knowledge, ask, conversations),
        score_after_a_turn(knowledge, ask, questions, conversations),
    )


def pooled(split: str, groups: tuple[str, ...]) -> Tally:
    total = Tally()
    for group in groups:
        for verdict, count in scorecard()[split, group].counts.items():
            total.counts[verdict] += count
    return total


def test_labels_name_existing_entries() -> None:
    assert unknown_labels(matcher(), load_labelled(QUESTIONS)) == []
    conversations = load_conversations(QUESTIONS)
    assert len(conversations) >= 60
    labels = {turn.entry_id for conversation in conversations for turn in conversation.turns if turn.entry_id}
    assert labels <= {entry.id for entry in snapshot().knowledge.entries}


@pytest.mark.parametrize(
    ("split", "right", "helpful", "top1"),
    [
        (TUNING, 0.83, 0.975, 0.96),
        (HOLDOUT, 0.82, 0.975, 0.95),
    ],
)
def test_quality_floors(split: str, right: float, helpful: float, top1: float) -> None:
    positives = pooled(split, POSITIVE_FORMS)
    assert positives.right >= right
    assert positives.helpful >= helpful
    assert report(split).rate(report(split).top1, report(split).positives) >= top1


def test_the_costs_hold_on_tuning() -> None:
    """What the limits were fitted to, each example held out: at most 0.5 % of answerable questions answered
    wrongly, 1 % of the unrelated and uncovered ones answered with facts, and 2 % of answerable ones declined
    outright (measured 0.5 %, 8 of 1,532, while 74.8 % of the unrelated ones are declined)."""
    positives = pooled(TUNING, POSITIVE_FORMS)
    assert positives.wrong <= 0.005
    assert positives.declined <= 0.01
    assert report(TUNING).declined_rate >= 0.74
    assert pooled(TUNING, ("unrelated", "uncovered")).wrong <= 0.01


def test_the_costs_on_holdout() -> None:
    """Measured on holdout (sets A–L): 0.5 % wrong (4 of 795), 0.6 % declined (5), unrelated 1.8 % answered
    (4 of 220) and 69 % declined outright, and two uncovered questions of 70 answered with facts.  Sets J
    and K brought harder unrelated and uncovered questions (a generic frame about another subject: 入党要走
    什么流程); with sets A–I the figures were 0.3 %, 0.9 %, 1.1 % and 75 %."""
    positives = pooled(HOLDOUT, POSITIVE_FORMS)
    assert positives.wrong <= 0.009
    assert positives.declined <= 0.01
    assert report(HOLDOUT).declined_rate >= 0.68
    assert scorecard()[HOLDOUT, "unrelated"].wrong <= 0.02
    assert scorecard()[HOLDOUT, "uncovered"].wrong <= 0.05


@pytest.mark.parametrize(("split", "floor"), [(TUNING, 0.96), (HOLDOUT, 0.91)])
def test_small_talk_gets_a_friendly_line(split: str, floor: float) -> None:
    assert scorecard()[split, "smalltalk"].share(Verdict.OK) >= floor


@pytest.mark.parametrize(("split", "right", "helpful"), [(TUNING, 0.42, 0.88), (HOLDOUT, 0.36, 0.86)])
def test_a_follow_up_in_context_finds_its_entry(split: str, right: float, helpful: float) -> None:
    """Measured: tuning 42.9 % right, 88.4 % helpful (198); holdout 36.1 %, 86.6 % (97)."""
    assert scorecard()[split, FOLLOW_UP].right >= right
    assert scorecard()[split, FOLLOW_UP].helpful >= helpful


@pytest.mark.parametrize(("split", "ceiling"), [(TUNING, 0.01), (HOLDOUT, 0.02)])
def test_the_answer_before_does_not_change_a_question_that_stands_alone(split: str, ceiling: float) -> None:
    """Each labelled question asked right after another answer: few more wrong answers than alone."""
    assert scorecard()[split, AFTER_A_TURN].wrong <= ceiling


@pytest.mark.parametrize(
    "question",
    [
        "江苏和浙江哪个省GDP高",  # the destinations, but a question the article does not answer
        "长三角哪个城市房价最高",
        "苏州有什么好玩的",
        "集成电路是什么",  # a term the FAQ only lists
        "煤化工是什么",
        "蘇州到杭州怎麼走",
    ],
)
def test_topical_traps_are_not_answered(question: str) -> None:
    assert matcher().match(question).outcome is not Outcome.ANSWER


@pytest.mark.parametrize(("split", "floor"), [(TUNING, 0.98), (HOLDOUT, 0.99)])
def test_the_right_entry_is_almost_always_among_the_suggestions(split: str, floor: float) -> None:
    result = report(split)
    assert result.rate(result.top3, result.positives) >= floor


# -- the understanding issue's targets (holdout); those not met yet are strict expected failures ---------


@pytest.mark.xfail(strict=True, reason="target: 92 % right answers on bare questions; measured 84.8 % (112 of 132)")
def test_target_bare_questions() -> None:
    assert scorecard()[HOLDOUT, "bare"].right >= 0.92


@pytest.mark.xfail(
    strict=True, reason="target: context forms within 3 points of bare; measured 78.8 % vs 84.8 % (sets A–L)"
)
def test_context_forms_are_within_three_points_of_bare_questions_on_holdout() -> None:
    """The same question with the programme's name, the asker's situation, hearsay or politeness around it.

    Met on sets A–I (78.8 % vs 81.0 %); with sets J–L's holdout not (78.8 % vs 84.8 % on A–L), and on the
    tuning part it never was (76.6 % vs 87.3 %): hearsay and several clauses around a question lower the
    confidence.
    """
    assert pooled(HOLDOUT, CONTEXT_FORMS).right >= scorecard()[HOLDOUT, "bare"].right - 0.03


@pytest.mark.xfail(strict=True, reason="target: 85 % of follow-ups answered right in context; measured 36 % (35 of 97)")
def test_target_follow_ups() -> None:
    assert scorecard()[HOLDOUT, FOLLOW_UP].right >= 0.85


def test_target_helpful() -> None:
    """Met since suggest-or-decline reads relevance: 98.6 % of 795."""
    assert pooled(HOLDOUT, POSITIVE_FORMS).helpful >= 0.98


@pytest.mark.xfail(strict=True, reason="target: confident wrong ≤ 0.5 % on holdout; measured 0.503 % (4 of 795)")
def test_target_confident_wrong() -> None:
    """Met from set H to set K (0.42 %, 3 of 718); with set L's holdout and the limits refitted on its
    tuning part, one question over (0.38 %, 3 of 795, before the refit; 0.26 % on tuning)."""
    assert pooled(HOLDOUT, POSITIVE_FORMS).wrong <= 0.005


def test_target_declined() -> None:
    assert pooled(HOLDOUT, POSITIVE_FORMS).declined <= 0.02


@pytest.mark.xfail(strict=True, reason="target: unrelated answered ≤ 1 % on holdout; measured 1.8 % (4 of 220)")
def test_target_unrelated() -> None:
    assert scorecard()[HOLDOUT, "unrelated"].wrong <= 0.01
