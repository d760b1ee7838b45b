"""Fit the matcher's scoring model and thresholds on the tuning data only.

    python -m benchmarks.calibrate [--tianchi PATH] [--write]

Learns on the tuning part of tests/data/questions.yaml and on Tianchi part A
(see :mod:`benchmarks.datasets`), prints the fitted weights of the ranking and
confidence stages (``--write`` stores them, by feature name, in
``bot/core/matching/fitted.py``, which :class:`~bot.core.matching.features.Weights`
reads) and the quality each
threshold choice gives on those same parts; the shipped thresholds are the
lowest answer threshold that keeps Tianchi A's confident precision ≥ 95 % and
its confidently answered negatives < 5 %.  The held-out parts (our holdout, Tianchi B) are reported by
``python -m benchmarks.run``, never used here.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from benchmarks.datasets import PART_A, Dataset, own_dataset, tianchi_available, tianchi_dataset, tianchi_path
from bot.core.matching.evaluation import TUNING, Kind, LabelledQuestion
from bot.core.matching.examples import without_examples
from bot.core.matching.features import ACCEPTANCE_FEATURES, FEATURES, Weights, acceptance_inputs, leads, relevance
from bot.core.matching.matcher import Matcher, spans
from bot.core.matching.thresholds import Thresholds


@dataclass
class Sample:
    """The candidates of one labelled question: features, and which one is right."""

    kind: Kind
    features: NDArray[np.float64]  # candidates x features
    labels: NDArray[np.float64]  # 1 for the right entry
    excluded: NDArray[np.bool_]  # for negatives: the entry the question does NOT mean
    entries: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # entry of each candidate
    spans: tuple[Sample, ...] = ()  # the clause spans the matcher re-reads (Matcher._focus)


def sample(matcher: Matcher, question: LabelledQuestion, text: str) -> Sample:
    scored = matcher.score(matcher.prepare(text))
    features = np.asarray([item.features for item in scored], dtype=np.float64).reshape(-1, len(FEATURES))
    ids = [matcher.entry_ids[item.entry] for item in scored]
    labels = np.asarray([question.kind is Kind.POSITIVE and i == question.entry_id for i in ids], np.float64)
    excluded = np.asarray([question.kind is Kind.NEGATIVE and i == question.entry_id for i in ids])
    entries = np.asarray([item.entry for item in scored], np.int64)
    return Sample(question.kind, features, labels, excluded, entries)


def samples(matcher: Matcher, questions: Sequence[LabelledQuestion]) -> list[Sample]:
    result = []
    for question in questions:
        # The message as the matcher decides on it: without its context where it has some.
        text = matcher.focus.question(question.text) or question.text
        whole = sample(matcher, question, text)
        parts = tuple(sample(matcher, question, span) for span in spans(text))
        result.append(dataclasses.replace(whole, spans=parts))
    return result


def newton(
    objective: Callable[[NDArray[np.float64]], float],
    derivatives: Callable[[NDArray[np.float64]], tuple[NDArray[np.float64], NDArray[np.float64]]],
    size: int,
    iterations: int = 100,
) -> NDArray[np.float64]:
    """Minimise a convex ``objective`` from 0 by Newton's method, each step halved until it descends.

    A full Newton step can overshoot on near-separable data (a few features that almost decide
    the labels) and the iteration then wanders off: weights in the thousands that depend on the
    order floating-point sums happen to run in.  Backtracking keeps every step a descent.
    """
    beta = np.zeros(size)
    value = objective(beta)
    for _ in range(iterations):
        gradient, hessian = derivatives(beta)
        step = np.linalg.solve(hessian, gradient)
        slope = float(gradient @ step)
        length = 1.0
        while length > 1e-10:
            candidate = beta - length * step
            candidate_value = objective(candidate)
            if candidate_value <= value - 1e-4 * length * slope:
                break
            length /= 2
        else:
            return beta
        beta, previous, value = candidate, value, candidate_value
        if previous - value < 1e-12 * max(1.0, abs(value)):
            break
    return beta


def fit(groups: Sequence[tuple[list[Sample], float]], l2: float = 1e-5) -> NDArray[np.float64]:
    """Weighted logistic regression; returns bias followed by coefficients."""
    rows, targets, weights = [], [], []
    for group, group_weight in groups:
        count = sum(len(s.labels) if s.kind is not Kind.NEGATIVE else int(s.excluded.sum()) for s in group)
        for sample in group:
            keep = sample.excluded if sample.kind is Kind.NEGATIVE else np.ones(len(sample.labels), bool)
            rows.append(sample.features[keep])
            targets.append(sample.labels[keep])
            weights.append(np.full(int(keep.sum()), group_weight / max(count, 1)))
    x = np.hstack([np.ones((sum(len(r) for r in rows), 1)), np.vstack(rows)])
    y = np.concatenate(targets).astype(np.float64)
    w = np.concatenate(weights)

    def objective(beta: NDArray[np.float64]) -> float:
        z = x @ beta
        return float(w @ (np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * beta @ beta)

    def derivatives(beta: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (w * (p - y)) + l2 * beta
        hessian = (x * (w * p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(beta))
        return gradient, hessian

    return newton(objective, derivatives, x.shape[1])


def fit_signed(
    groups: Sequence[tuple[list[Sample], float]], signs: Sequence[int], l2: float = 1e-5
) -> NDArray[np.float64]:
    """:func:`fit` with sign constraints: coefficient ``i`` is ≤ 0 where ``signs[i]`` is -1, ≥ 0 where +1.

    An active-set loop: while some fitted coefficient has the wrong sign, the
    worst one is fixed at 0 and the rest refitted.  Returns bias followed by
    coefficients (the fixed ones 0).
    """
    active = list(range(len(signs)))
    while True:
        subset = [
            ([Sample(s.kind, s.features[:, active], s.labels, s.excluded) for s in group], weight)
            for group, weight in groups
        ]
        fitted = fit(subset, l2=l2)
        violations = [(abs(c), i) for i, c in zip(active, fitted[1:], strict=True) if signs[i] * c < 0]
        if not violations:
            beta = np.zeros(len(signs) + 1)
            beta[0] = fitted[0]
            beta[[i + 1 for i in active]] = fitted[1:]
            return beta
        active.remove(max(violations)[1])


def fit_softmax(groups: Sequence[tuple[list[Sample], float]], l2: float = 1e-3) -> NDArray[np.float64]:
    """Ranking weights by conditional logit: the right entry against the other candidates of its question.

    Optimises top-1 directly; the bias is not identified and is returned as 0.
    """
    items: list[tuple[NDArray[np.float64], int, float]] = []
    for group, group_weight in groups:
        usable = [s for s in group if s.kind is Kind.POSITIVE and s.labels.any() and len(s.labels) > 1]
        items.extend((s.features, int(np.argmax(s.labels)), group_weight / max(len(usable), 1)) for s in usable)
    size = items[0][0].shape[1]

    def objective(beta: NDArray[np.float64]) -> float:
        total = 0.5 * l2 * float(beta @ beta)
        for features, right, weight in items:
            logits = features @ beta
            total += weight * (float(np.logaddexp.reduce(logits)) - float(logits[right]))
        return total

    def derivatives(beta: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        gradient = l2 * beta
        hessian = l2 * np.eye(size)
        for features, right, weight in items:
            logits = features @ beta
            p = np.exp(logits - logits.max())
            p /= p.sum()
            mean = p @ features
            gradient += weight * (mean - features[right])
            centred = features - mean
            hessian += weight * (centred * p[:, None]).T @ centred
        return gradient, hessian

    beta = newton(objective, derivatives, size)
    return np.concatenate([[0.0], beta])


@dataclass
class Quality:
    right: float  # answered with the right entry / positives
    wrong: float  # answered with a wrong entry / positives
    top1: float
    declined: float  # unrelated declined
    unrelated_answered: float
    negative_wrong: float  # negatives answered with the entry they do not mean


def acceptance_features(sample: Sample, beta: NDArray[np.float64]) -> NDArray[np.float64]:
    """The confidence stage's inputs per candidate (:data:`ACCEPTANCE_FEATURES`)."""
    if not len(sample.labels):
        return np.zeros((0, len(ACCEPTANCE_FEATURES)))
    return acceptance_inputs(sample.features, leads(beta[0] + sample.features @ beta[1:]))


def confidences(sample: Sample, beta: NDArray[np.float64], gamma: NDArray[np.float64]) -> NDArray[np.float64]:
    logits = gamma[0] + acceptance_features(sample, beta) @ gamma[1:]
    return np.asarray(100 / (1 + np.exp(-logits)), dtype=np.float64)


# Acceptance inputs that may never make an answer more likely: a question the matched
# phrasing leaves partly unexplained, words the FAQ has never seen (and more so when
# they are the reason for a large lead), a kind of question the phrasing does not
# ask, a risky difference.  The Tianchi negatives are minimal edits of their
# entry, so there unexplained content goes with *right* answers; the signs keep
# that artefact of the benchmark out of the confidence.
CAUTIONS = (
    "other_form",
    "change_risk",
    "unknown_share",
    "missing",
    "bare_form",
    "entry_missing",
    "unknown_share×lead",
)


def fit_acceptance(groups: Sequence[tuple[list[Sample], float]], beta: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fit the confidence stage on every candidate: is it the right answer?

    The weights of :data:`CAUTIONS` are kept ≤ 0.
    """
    staged = []
    for group, weight in groups:
        converted = [
            Sample(sample.kind, acceptance_features(sample, beta), sample.labels, sample.excluded) for sample in group
        ]
        staged.append((converted, weight))
    signs = [-1 if name in CAUTIONS else 0 for name in ACCEPTANCE_FEATURES]
    return fit_signed(staged, signs)


def best_two(sample: Sample, beta: NDArray[np.float64], gamma: NDArray[np.float64]) -> tuple[float, float, int]:
    """The best candidate's confidence, its lead over the runner-up and its index (-1: none), as the matcher gives them.

    Like ``Matcher._focus``, a clause span whose best entry is the whole
    question's may raise the confidence in that entry (the index stays the
    whole question's).
    """
    best, margin, winner = _best_two(sample, beta, gamma)
    if winner < 0:
        return best, margin, winner
    for part in sample.spans:
        span_best, span_margin, span_winner = _best_two(part, beta, gamma)
        if span_winner >= 0 and part.entries[span_winner] == sample.entries[winner] and span_best > best:
            best, margin = span_best, span_margin
    return best, margin, winner


def _best_two(sample: Sample, beta: NDArray[np.float64], gamma: NDArray[np.float64]) -> tuple[float, float, int]:
    if not len(sample.labels):
        return 0.0, 0.0, -1
    logits = beta[0] + sample.features @ beta[1:]
    order = np.argsort(-logits, kind="stable")
    scores = np.round(np.minimum.accumulate(confidences(sample, beta, gamma)[order]), 1)
    best = float(scores[0])
    second = float(scores[1]) if len(scores) > 1 else 0.0
    return best, best - second, int(order[0])


def quality(
    group: Sequence[Sample], beta: NDArray[np.float64], gamma: NDArray[np.float64], thresholds: Thresholds
) -> Quality:
    positives = right = wrong = top1 = unrelated = declined = negatives = negative_wrong = unrelated_answered = 0
    for sample in group:
        best, margin, winner = best_two(sample, beta, gamma)
        about = relevance(sample.features, best)
        outcome = thresholds.decide(best, margin, about).value if winner >= 0 else "decline"
        if sample.kind is Kind.POSITIVE:
            positives += 1
            hit = winner >= 0 and bool(sample.labels[winner])
            top1 += hit
            right += outcome == "answer" and hit
            wrong += outcome == "answer" and not hit
        elif sample.kind is Kind.UNRELATED:
            unrelated += 1
            declined += outcome == "decline"
            unrelated_answered += outcome == "answer"
        else:
            negatives += 1
            negative_wrong += outcome == "answer" and winner >= 0 and bool(sample.excluded[winner])
    return Quality(
        right / max(positives, 1),
        wrong / max(positives, 1),
        top1 / max(positives, 1),
        declined / max(unrelated, 1),
        unrelated_answered / max(unrelated, 1),
        negative_wrong / max(negatives, 1),
    )


def weighted_groups(
    own: Sequence[Sample], tianchi: Sequence[Sample], faq_weight: float = 2.0, unrelated_weight: float = 4.0
) -> list[tuple[list[Sample], float]]:
    """Our positives, our unrelated questions and Tianchi A, each with its total weight in the fits."""
    groups = [
        ([sample for sample in own if sample.kind is Kind.POSITIVE], faq_weight),
        ([sample for sample in own if sample.kind is Kind.UNRELATED], faq_weight * unrelated_weight),
    ]
    if tianchi:
        groups.append((list(tianchi), 1.0))
    return groups


def collect(dataset: Dataset, part: str, weights: Weights) -> list[Sample]:
    """The samples of one part, matched against the FAQ's phrasings alone (an example is a tuning question)."""
    return samples(Matcher(without_examples(dataset.knowledge), weights=weights), dataset.parts[part])


TARGET = Path(__file__).resolve().parent.parent / "bot" / "core" / "matching" / "fitted.py"
FITTED_HEADER = '''"""Scoring weights fitted by ``python -m benchmarks.calibrate --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml and on Tianchi part A, never on a
held-out part.  ``RANKING`` weighs each feature of
:data:`~bot.core.matching.features.FEATURES` into a candidate's ranking logit;
``ACCEPTANCE`` weighs each input of :data:`~bot.core.matching.features.ACCEPTANCE_FEATURES`
into the logit of its 0-100 confidence.  A weight of 0 is a feature the fit gives no say.
"""
'''


def render_weights(bias: float, coefficients: Sequence[float], acceptance: Sequence[float]) -> str:
    """The text of ``fitted.py`` for these weights (3 decimals), each under its feature's name."""

    def table(name: str, names: Sequence[str], values: Sequence[float]) -> str:
        rows = "".join(f'    "{key}": {round(float(value), 3)!r},\n' for key, value in zip(names, values, strict=True))
        return f"{name} = {{\n{rows}}}\n"

    return (
        f"{FITTED_HEADER}\nRANKING_BIAS = {round(float(bias), 3)!r}\n{table('RANKING', FEATURES, coefficients)}"
        f"\nACCEPTANCE_BIAS = {round(float(acceptance[0]), 3)!r}\n"
        f"{table('ACCEPTANCE', ACCEPTANCE_FEATURES, acceptance[1:])}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tianchi", help="Tianchi folder (default $FAQBOT_TIANCHI or ../shared/bench/tianchi)")
    parser.add_argument("--faq-weight", type=float, default=2.0, help="weight of our FAQ against Tianchi A")
    parser.add_argument("--unrelated-weight", type=float, default=4.0, help="weight of our unrelated questions")
    parser.add_argument("--pinyin", type=float, default=Weights.pinyin)
    parser.add_argument("--keep-power", type=float, default=Weights.keep_power)
    parser.add_argument("--function", type=float, default=Weights.function)
    parser.add_argument("--form", type=float, default=Weights.form)
    parser.add_argument("--depth", type=int, default=Weights.rerank_depth, help="candidates re-ranked")
    parser.add_argument("--equivalent", type=float, default=Weights.equivalent)
    parser.add_argument("--homophone", type=float, default=Weights.homophone)
    parser.add_argument(
        "--pointwise", action="store_true", help="fit the ranking stage per candidate instead of by conditional logit"
    )
    parser.add_argument("--short", action="store_true", help="print only a few threshold rows")
    parser.add_argument("--write", action="store_true", help=f"store the fitted weights in {TARGET.name}")
    args = parser.parse_args(argv)
    own = own_dataset()
    path = tianchi_path(args.tianchi)
    tianchi = tianchi_dataset(path) if tianchi_available(path) else None
    weights = Weights(
        pinyin=args.pinyin,
        keep_power=args.keep_power,
        function=args.function,
        form=args.form,
        equivalent=args.equivalent,
        homophone=args.homophone,
    )
    own_samples = collect(own, TUNING, weights)
    tianchi_samples = collect(tianchi, PART_A, weights) if tianchi is not None else []
    groups = weighted_groups(own_samples, tianchi_samples, args.faq_weight, args.unrelated_weight)
    beta = fit(groups) if args.pointwise else fit_softmax(groups)
    gamma = fit_acceptance(groups, beta)
    fitted = render_weights(float(beta[0]), beta[1:].tolist(), gamma.tolist())
    print(fitted)
    if args.write:
        TARGET.write_text(fitted, encoding="utf-8")
        print(f"written to {TARGET}")
    print(
        f"{'answer':>6} {'margin':>6} | faq right wrong top1 declined unrel-answered | tianchi-A right wrong top1 negwrong"
    )
    grid = (
        ((50, 5, 30), (60, 5, 30), (70, 5, 30)) if args.short else itertools.product(range(40, 95, 5), (0, 5), (20, 30))
    )
    for answer, margin, suggest in grid:
        thresholds = Thresholds(answer=answer, margin=margin, sure=max(95.0, answer), suggest=min(suggest, answer))
        own_q = quality(own_samples, beta, gamma, thresholds)
        line = f"{answer:6} {margin:6} {suggest:3} | {own_q.right:.3f} {own_q.wrong:.3f} {own_q.top1:.3f} {own_q.declined:.3f} {own_q.unrelated_answered:.3f}"
        if tianchi_samples:
            t = quality(tianchi_samples, beta, gamma, thresholds)
            line += f" | {t.right:.3f} {t.wrong:.3f} {t.top1:.3f} {t.negative_wrong:.3f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
