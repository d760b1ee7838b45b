"""Per-FAQ confidence limits: fitting them, storing them beside the FAQ, and using them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.core.files.locations import CALIBRATION_FILE
from bot.core.knowledge.faq_file import check_faq, load_knowledge
from bot.core.knowledge.model import content_digest
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.calibration import (
    Costs,
    Observation,
    evaluate_thresholds,
    fit_thresholds,
    load_calibration,
    suggest_limit,
)
from bot.core.matching.thresholds import Outcome, Thresholds

FAQ = "entries:\n  - id: a\n    questions: [香蕉多少钱一斤, 香蕉的价格]\n    answer: 三元\n"


def right(score: float, margin: float = 50.0, relevance: float | None = None) -> Observation:
    return Observation(score, margin, related=True, correct=True, relevance=score if relevance is None else relevance)


def wrong(score: float, margin: float = 50.0) -> Observation:
    return Observation(score, margin, related=True, correct=False, relevance=score)


def unrelated(score: float, relevance: float | None = None) -> Observation:
    return Observation(score, 50.0, related=False, correct=False, relevance=score if relevance is None else relevance)


@pytest.mark.parametrize(
    ("best", "margin", "relevance", "outcome"),
    [
        (96, 0, 0, Outcome.ANSWER),  # sure, whatever the margin
        (80, 5, 0, Outcome.ANSWER),  # relevance only decides between suggesting and declining
        (80, 4, 50, Outcome.SUGGEST),
        (5, 50, 2, Outcome.SUGGEST),  # unsure, but about the FAQ
        (79, 50, 1.9, Outcome.DECLINE),  # fairly confident in some entry, yet not about the FAQ
    ],
)
def test_default_limits_decide(best: float, margin: float, relevance: float, outcome: Outcome) -> None:
    assert Thresholds().decide(best, margin, relevance) is outcome


def test_fit_answers_everything_separable() -> None:
    observations = [right(s) for s in (40, 50, 60, 90)] + [unrelated(s) for s in (1, 2, 3, 10)]
    fit = fit_thresholds(observations)
    assert fit.right == 4
    assert fit.wrong == 0
    assert fit.unrelated_declined == 4
    assert 10 < fit.thresholds.answer <= 40


def test_fit_stays_above_wrong_answers() -> None:
    observations = [right(s) for s in range(50, 100)] + [wrong(45), wrong(47)] + [unrelated(1)] * 10
    fit = fit_thresholds(observations, costs=Costs(wrong=0.0), slack=0.0)
    assert fit.wrong == 0
    assert fit.thresholds.answer > 47
    assert fit.right == 50


def test_fit_uses_the_margin_when_scores_alone_cannot_separate() -> None:
    observations = [right(70, margin=30)] * 20 + [wrong(70, margin=1)] * 5 + [unrelated(0)] * 10
    fit = fit_thresholds(observations, costs=Costs(wrong=0.0))
    assert fit.wrong == 0
    assert fit.right == 20
    assert 1 < fit.thresholds.margin <= 30


def test_fit_prefers_the_cautious_end_of_a_plateau() -> None:
    observations = [right(s) for s in (90, 91, 92, 93)] + [unrelated(5)] * 4
    assert fit_thresholds(observations).thresholds.answer == 90


def test_suggest_declines_few_answerable_questions() -> None:
    """Below the answer limit, suggestions rather than a decline: at most the declined budget is declined."""
    observations = [right(s, relevance=s) for s in range(0, 100, 2)] + [unrelated(0, relevance=s) for s in range(50)]
    fit = fit_thresholds(observations, costs=Costs(wrong=0.0, unrelated_answered=0.0, declined=0.1))
    assert fit.positives_declined <= 0.1 * fit.positives
    limits = fit.thresholds
    assert fit.positives_declined == sum(s < limits.suggest and s < limits.answer for s in range(0, 100, 2))
    assert limits.suggest > 1
    assert evaluate_thresholds(observations, fit.thresholds) == fit


@pytest.mark.parametrize(
    ("weight", "suggest"),
    [
        (0.5, 30.0),  # a decline costs less than an unrelated question given suggestions: decline all three
        (2.0, 20.0),  # two unrelated questions above 20 are worth one decline below it
        (10.0, 10.0),  # declines are dear: only the unrelated questions below every related one
    ],
)
def test_suggest_limit_weighs_declines_against_unrelated_suggestions(weight: float, suggest: float) -> None:
    related = [10.0, 20.0, 30.0, 90.0]  # the unanswered questions about the FAQ, by relevance
    unrelated_ones = [1.0, 5.0, 12.0, 14.0, 16.0, 25.0]
    costs = Costs(declined=0.5, decline_weight=weight)
    assert suggest_limit(related, unrelated_ones, positives=10, costs=costs) == suggest


def test_suggest_limit_keeps_to_the_declined_budget() -> None:
    related = [float(s) for s in range(1, 11)]
    unrelated_ones = [50.0] * 100  # declining them all would cost every related question
    assert suggest_limit(related, unrelated_ones, positives=100, costs=Costs(declined=0.03, decline_weight=0.0)) == 4.0


def test_unrelated_questions_answered_stay_within_their_budget() -> None:
    observations = [right(s) for s in range(60, 100)] + [unrelated(s) for s in (65, 70, 20, 10)]
    assert fit_thresholds(observations, costs=Costs(unrelated_answered=0.0)).thresholds.answer > 70
    assert fit_thresholds(observations, costs=Costs(unrelated_answered=0.5), slack=0.0).thresholds.answer <= 65


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("answer: 50\nmargn: 3\n", ["margn", "margin"]),
        ("answer: 150\n", ["answer", "0 到 100"]),
        ("answer: high\n", ["answer"]),
        ("- 1\n", ["键"]),
    ],
)
def test_bad_calibration_file_is_reported(tmp_path: Path, text: str, words: list[str]) -> None:
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    (tmp_path / CALIBRATION_FILE).write_text(text, encoding="utf-8")
    knowledge, problems = check_faq(tmp_path)
    assert knowledge is None
    message = "\n".join(map(str, problems))
    assert CALIBRATION_FILE in message
    for word in words:
        assert word in message


def test_calibration_beside_the_faq_sets_the_matchers_limits(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    assert Snapshot.load(tmp_path).matcher.thresholds == Thresholds()
    before = content_digest(tmp_path / "faq.yaml")
    (tmp_path / CALIBRATION_FILE).write_text("answer: 42\nmargin: 3\nsure: 95\nsuggest: 20\n", encoding="utf-8")
    assert load_calibration(tmp_path / CALIBRATION_FILE) == (Thresholds(42, 3, 95, 20), [])
    assert Snapshot.load(tmp_path).matcher.thresholds == Thresholds(42, 3, 95, 20)
    assert load_knowledge(tmp_path).digest != before  # a calibration change is a knowledge change


def test_calibrate_command_writes_a_file_that_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    labelled = tmp_path / "q.yaml"
    labelled.write_text(
        'positives:\n  - {q: "香蕉几块钱一斤", id: a}\n  - {q: "香蕉贵不贵", id: a, split: holdout}\n'
        'unrelated:\n  - {q: "明天下雨吗"}\n',
        encoding="utf-8",
    )
    assert main(["calibrate", "--knowledge", str(tmp_path), str(labelled), "--write"]) == 0
    out = capsys.readouterr().out
    assert "tuning" in out
    assert "holdout" in out
    assert "reported only" in out
    thresholds, problems = load_calibration(tmp_path / CALIBRATION_FILE)
    assert problems == []
    assert thresholds is not None
    assert "faqbot calibrate" in (tmp_path / CALIBRATION_FILE).read_text(encoding="utf-8")


def test_slack_trades_right_answers_for_caution() -> None:
    observations = [right(s) for s in range(40, 100)] + [wrong(35)] + [unrelated(1)] * 10
    tight = fit_thresholds(observations, costs=Costs(wrong=0.0), slack=0.0)
    cautious = fit_thresholds(observations, costs=Costs(wrong=0.0), slack=0.1)
    assert tight.thresholds.answer < cautious.thresholds.answer
    assert cautious.right_rate >= tight.right_rate - 0.1


FACTS_AND_CONTACT = (
    "entries:\n"
    "  - id: price\n    questions: [香蕉多少钱一斤, 香蕉的价格]\n    answer: 三元一斤\n"
    "  - id: nc_delivery\n    questions: [香蕉能送货上门吗, 送货吗]\n    answer: 报道没有说，请咨询{contact}\n"
)


@pytest.mark.parametrize(
    ("question", "observed"),
    [
        ("香蕉的价格是多少一斤呢", [Observation]),  # resembles a fact entry: it must not get its facts
        ("香蕉送货上门要多久", []),  # resembles an entry that sends the asker to a person: any outcome is right
    ],
)
def test_an_uncovered_question_counts_as_unrelated_where_it_could_get_facts(
    tmp_path: Path, question: str, observed: list[type[Observation]]
) -> None:
    from bot.core.matching.evaluation import Kind, LabelledQuestion
    from bot.core.matching.examples import observe

    (tmp_path / "faq.yaml").write_text(FACTS_AND_CONTACT, encoding="utf-8")
    matcher = Snapshot.load(tmp_path).matcher
    observations = observe(matcher, [LabelledQuestion(question, Kind.UNCOVERED)])
    assert [type(item) for item in observations] == observed
    assert all(not item.related for item in observations)


def test_the_fit_never_answers_on_a_lead_under_ten_points() -> None:
    """Two entries closer than that are a coin flip, however many right answers a smaller lead would add."""
    observations = [right(70, margin=3) for _ in range(50)] + [right(90, margin=40)] + [unrelated(1)] * 10
    fit = fit_thresholds(observations)
    assert fit.thresholds.margin >= 10
    assert evaluate_thresholds([right(70, margin=3)], fit.thresholds).right == 0


@pytest.mark.parametrize("question", ["干啥", "能干啥"])
def test_a_vague_question_between_two_entries_gets_suggestions(question: str) -> None:
    from bot.paths import PROJECT_ROOT

    result = Snapshot.load(PROJECT_ROOT / "knowledge").matcher.match(question)
    assert result.outcome is Outcome.SUGGEST
