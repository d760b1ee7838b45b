"""Smoke runs of the benchmark harness: it runs and prints its tables (no times are asserted)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks import relevance, run
from benchmarks.calibrate import TARGET, render_weights
from benchmarks.datasets import part_of, tianchi_available, tianchi_path
from benchmarks.scale import synthetic_knowledge
from benchmarks.tables import Share, Table, format_cell
from bot.core.knowledge.model import Entry, Knowledge
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching import fitted, fitted_relevance
from bot.core.matching.features import ACCEPTANCE_FEATURES, FEATURES, RELEVANCE_FEATURES, Weights
from bot.paths import PROJECT_ROOT


def test_harness_on_our_faq_with_a_small_scale_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    markdown = tmp_path / "bench.md"
    code = run.main(
        ["--tianchi", str(tmp_path / "absent"), "--scale", "300", "--queries", "20", "--markdown", str(markdown)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Our FAQ" in out
    assert "extractOne WRatio" in out
    assert "Tianchi section skipped" in out
    assert "Scale: 300 entries" in out
    assert "| system |" in markdown.read_text(encoding="utf-8")


@pytest.mark.skipif(not tianchi_available(tianchi_path()), reason="no Tianchi data (../shared/bench/tianchi)")
def test_harness_on_a_tianchi_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code = run.main(["--skip-own", "--entries", "200", "--scale", "0"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Tianchi (200 entries" in out
    assert "extractOne ratio" in out


def test_parts_split_entries_deterministically() -> None:
    parts = [part_of(f"q{index:04d}") for index in range(200)]
    assert parts == [part_of(f"q{index:04d}") for index in range(200)]
    assert 60 < parts.count("A") < 140


def test_synthetic_knowledge_is_deterministic_and_sized() -> None:
    base = Knowledge(entries=(Entry("a", ("双百双招是什么",), "x"),))
    sentences = ["每年选派多少干部", "要去多久", "去哪里学习锻炼"]
    first = synthetic_knowledge(base, sentences, 50)
    assert len(first.entries) == 50
    assert first.entries[0].id == "a"
    assert first == synthetic_knowledge(base, sentences, 50)


def test_table_renders_text_and_markdown() -> None:
    table = Table("T", ["system", "top-1", "median ms"])
    table.add(system="engine", **{"top-1": Share(0.5), "median ms": 0.25})
    assert "50.0%" in table.text()
    assert "| engine | 50.0% | 0.250 |" in table.markdown()
    assert format_cell(None) == "—"


def test_keep_rates_and_change_risks_from_pairs() -> None:
    from benchmarks.learn import MIN_SEEN, change_risks, keep_rates

    paraphrases = [("感冒了怎么办", "感冒了如何处理")] * MIN_SEEN
    contrasts = [("感冒了怎么办", "感冒了能喝酒吗")] * MIN_SEEN
    rates = keep_rates(paraphrases)
    assert rates["感"] > rates["办"]
    risks = change_risks(paraphrases, contrasts)
    assert risks["酒"] > 0 > risks["处"]


def test_fits_separate_right_from_wrong_candidates() -> None:
    import numpy as np

    from benchmarks.calibrate import Sample, fit, fit_softmax
    from bot.core.matching.evaluation import Kind
    from bot.core.matching.features import leads

    rows = np.asarray([[0.9, 0.1], [0.2, 0.3], [0.1, 0.2]])
    samples = [Sample(Kind.POSITIVE, rows, np.asarray([1.0, 0.0, 0.0]), np.zeros(3, bool)) for _ in range(5)]
    for beta in (fit([(samples, 1.0)]), fit_softmax([(samples, 1.0)])):
        logits = beta[0] + rows @ beta[1:]
        assert int(np.argmax(logits)) == 0
    assert leads(np.asarray([3.0, 1.0, 0.0])).tolist() == [2.0, -2.0, -3.0]


def test_the_fits_newton_steps_are_halved_until_they_descend() -> None:
    """On sqrt(1 + (b - 2)²) a full Newton step from 0 lands on 10, then on -510: it diverges."""
    import numpy as np

    from benchmarks.calibrate import newton

    def objective(beta: np.ndarray) -> float:
        return float(np.sqrt(1.0 + (beta[0] - 2.0) ** 2))

    def derivatives(beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shifted = beta[0] - 2.0
        return np.array([shifted / np.sqrt(1 + shifted**2)]), np.array([[(1 + shifted**2) ** -1.5]])

    assert newton(objective, derivatives, 1)[0] == pytest.approx(2.0, abs=1e-6)


def test_signed_fit_keeps_a_cautionary_weight_from_turning_positive() -> None:
    import numpy as np

    from benchmarks.calibrate import Sample, fit, fit_signed
    from bot.core.matching.evaluation import Kind

    # The second input goes with right answers in these samples (as unexplained
    # content does among the Tianchi negatives); the sign keeps it from helping.
    rows = np.asarray([[0.9, 0.8], [0.2, 0.1], [0.5, 0.0]])
    labels = np.asarray([1.0, 0.0, 0.0])
    samples = [Sample(Kind.POSITIVE, rows, labels, np.zeros(3, bool)) for _ in range(5)]
    free = fit([(samples, 1.0)], l2=1e-2)
    signed = fit_signed([(samples, 1.0)], [0, -1], l2=1e-2)
    assert free[2] > 0
    assert signed[2] == 0.0
    assert signed[1] > 0


def test_cross_validation_answers_each_question_from_the_other_folds() -> None:
    import numpy as np

    from benchmarks.calibrate import Sample
    from benchmarks.crossval import cross_validate
    from bot.core.matching.evaluation import Kind
    from bot.core.matching.features import ACCEPTANCE_FEATURES, FEATURES

    assert len(ACCEPTANCE_FEATURES) > len(FEATURES)

    rng = np.random.default_rng(7)
    own = []
    for index in range(60):
        features = rng.uniform(0, 1, (3, len(FEATURES)))
        if index % 4:
            features[0, 0] += 2.0  # the right candidate stands out on the first feature
            own.append((f"q{index}", Sample(Kind.POSITIVE, features, np.asarray([1.0, 0, 0]), np.zeros(3, bool))))
        else:
            own.append((f"u{index}", Sample(Kind.UNRELATED, features, np.zeros(3), np.zeros(3, bool))))
    tallies = cross_validate(own, [], folds=3, seeds=1, slacks=(0.03,))
    tally = tallies[0.03]
    assert tally.positives == 45
    assert tally.unrelated == 15
    assert 0 <= tally.right <= tally.positives
    assert "right answers" in tally.line("slack 0.03")


def test_the_weights_module_is_as_the_fitting_script_writes_it() -> None:
    weights = Weights()
    assert TARGET.read_text(encoding="utf-8") == render_weights(weights.bias, weights.coefficients, weights.acceptance)
    assert list(fitted.RANKING) == list(FEATURES)  # every feature named, in the model's order
    assert list(fitted.ACCEPTANCE) == list(ACCEPTANCE_FEATURES)


def test_the_relevance_module_is_as_its_fitting_script_writes_it() -> None:
    weights = [fitted_relevance.RELEVANCE_BIAS, *(fitted_relevance.RELEVANCE[name] for name in RELEVANCE_FEATURES)]
    assert relevance.TARGET.read_text(encoding="utf-8") == relevance.render(weights)
    assert list(fitted_relevance.RELEVANCE) == list(RELEVANCE_FEATURES)


@pytest.mark.parametrize(
    "text", ["双百双招的干部能不能养猫", "先锋团里头有没有女同志", "今天淮北下雨吗", "要去多长时间"]
)
def test_the_relevance_script_reads_a_message_as_the_matcher_does(text: str) -> None:
    matcher = Snapshot.load(PROJECT_ROOT / "knowledge").matcher
    row, answered = relevance.inputs(matcher, text)
    result = matcher.match(text)
    assert answered is (result.outcome.value == "answer")
    weights = np.asarray([fitted_relevance.RELEVANCE[name] for name in RELEVANCE_FEATURES])
    logit = fitted_relevance.RELEVANCE_BIAS + float(row @ weights)
    assert round(100.0 / (1.0 + np.exp(-logit)), 1) == result.relevance


def test_the_relevance_fit_separates_what_it_is_given() -> None:
    rng = np.random.default_rng(7)
    rows = rng.normal(size=(200, 3))
    related = rows[:, 0] + 0.2 * rng.normal(size=200) > 0  # only the first input decides
    weights = relevance.fit_relevance(rows, related)
    assert weights[1] > 1.0
    assert abs(weights[2]) < weights[1] / 4 and abs(weights[3]) < weights[1] / 4


def test_the_nested_folds_partition_the_questions_the_same_way_each_time() -> None:
    from benchmarks.nested import split
    from bot.core.matching.evaluation import Kind, LabelledQuestion

    questions = [LabelledQuestion(f"问题{n}", Kind.POSITIVE, "a") for n in range(30)]
    parts = split(questions, 3, seed=0)
    assert sorted(q.text for part in parts for q in part) == sorted(q.text for q in questions)
    assert all(parts) and split(questions, 3, seed=0) == parts
    assert split(questions, 3, seed=1) != parts
