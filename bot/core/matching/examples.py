"""Learning from labelled questions: the examples an FAQ is given and limits fitted with them.

An *example* is a question of the tuning part that the FAQ's own phrasings do not answer right
(another entry, or too unsure to answer): it is filed under its labelled entry in
``examples.yaml`` and the matcher reads it as one more phrasing.  Questions the phrasings already
answer add nothing but near-twins, so they are left out (on the tuning part of sets A–D, nested
cross-validation gave 85.9 % right answers and 0.27 % wrong ones this way, against 86.3 % and
0.43 % with every tuning question as an example; ``python -m benchmarks.nested`` measures the
pipeline against the phrasings alone).

A question must never be measured against itself: :class:`HeldOut` matches each question that
is an example with a snapshot whose examples leave out that question's fold (:data:`FOLDS` of
them, by CRC32 of the text), so the confidence limits are fitted, and the tuning part is
reported, as for questions the bot has not seen.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.conversation import Reply, Responder
from bot.core.follow_ups import Turn
from bot.core.knowledge.model import Knowledge
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.calibration import Costs, Fit, Observation, fit_thresholds
from bot.core.matching.evaluation import Kind, LabelledQuestion, Matches
from bot.core.matching.matcher import Matcher, MatchResult
from bot.core.matching.scorecard import Asker, refers_to_staff
from bot.core.matching.thresholds import Thresholds

FOLDS = 10


def without_examples(knowledge: Knowledge) -> Knowledge:
    """The FAQ with its phrasings alone."""
    return with_examples(knowledge, {})


def with_examples(knowledge: Knowledge, examples: Mapping[str, Sequence[str]]) -> Knowledge:
    """The FAQ with ``examples`` (by entry id) in place of the ones it has."""
    entries = tuple(dataclasses.replace(entry, examples=tuple(examples.get(entry.id, ()))) for entry in knowledge)
    return dataclasses.replace(knowledge, entries=entries)


def fold_of(text: str) -> int:
    return zlib.crc32(text.strip().encode("utf-8")) % FOLDS


class HeldOut:
    """Matching that never finds a question among its own examples.

    A question written as one of the FAQ's examples is matched by a snapshot whose examples leave
    out the question's fold; any other question by the snapshot itself.  The fold snapshots are
    built when first needed.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._examples = {text: entry.id for entry in snapshot.knowledge for text in entry.examples}
        self._folds: dict[int, Snapshot] = {}

    @property
    def knowledge(self) -> Knowledge:
        return self.snapshot.knowledge

    def snapshot_for(self, text: str) -> Snapshot:
        """The snapshot ``text`` is measured with."""
        if text.strip() not in self._examples:
            return self.snapshot
        fold = fold_of(text)
        if fold not in self._folds:
            kept = {
                entry.id: [example for example in entry.examples if fold_of(example) != fold]
                for entry in self.knowledge
            }
            self._folds[fold] = Snapshot.build(with_examples(self.knowledge, kept))
        return self._folds[fold]

    def match(self, query: str) -> MatchResult:
        return self.snapshot_for(query).matcher.match(query)

    def asker(self) -> Asker:
        """The conversation as a cadre meets it, each message answered by the snapshot it is measured with."""
        responders: dict[int, Responder] = {}

        def ask(question: str, previous: Turn | None) -> Reply:
            snapshot = self.snapshot_for(question)
            responder = responders.setdefault(id(snapshot), Responder(KnowledgeHolder(snapshot)))
            return responder.reply(question, previous=previous)

        return ask


def observe(matcher: Matches, questions: Sequence[LabelledQuestion]) -> list[Observation]:
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
                relevance=result.relevance,
            )
        )
    return observations


def choose_examples(
    matcher: Matcher, questions: Sequence[LabelledQuestion], thresholds: Thresholds | None = None
) -> dict[str, tuple[str, ...]]:
    """The positives ``matcher`` does not answer right with ``thresholds`` (default its own), by entry in FAQ order."""
    limits = thresholds or matcher.thresholds
    chosen: dict[str, dict[str, None]] = {entry.id: {} for entry in matcher.knowledge}
    for question in questions:
        if question.kind is not Kind.POSITIVE or question.entry_id not in chosen:
            continue
        result = matcher.match(question.text)
        best = result.best
        answered = best is not None and limits.answers(best.score, result.margin)
        if not answered or best is None or best.entry_id != question.entry_id:
            chosen[question.entry_id][question.text.strip()] = None
    return {entry_id: tuple(texts) for entry_id, texts in chosen.items() if texts}


@dataclass(frozen=True)
class Learned:
    """What ``faqbot calibrate`` learns from the tuning part: examples, then limits fitted with them."""

    examples: dict[str, tuple[str, ...]]
    alone: Fit  # the limits of the phrasings alone, which chose the examples
    fit: Fit  # the limits with the examples, fitted on the tuning part held out as above
    snapshot: Snapshot  # the FAQ with its examples and the fitted limits


def learn(
    knowledge: Knowledge, tuning: Sequence[LabelledQuestion], *, costs: Costs | None = None, slack: float = 0.0
) -> Learned:
    """Choose the examples among ``tuning`` and fit the confidence limits with them."""
    costs = costs or Costs()
    plain = without_examples(knowledge)
    matcher = Matcher(plain)
    alone = fit_thresholds(observe(matcher, tuning), costs=costs, slack=slack)
    examples = choose_examples(matcher, tuning, alone.thresholds)
    taught = with_examples(knowledge, examples)
    fit = fit_thresholds(observe(HeldOut(Snapshot.build(taught)), tuning), costs=costs, slack=slack)
    snapshot = Snapshot.build(dataclasses.replace(taught, thresholds=fit.thresholds))
    return Learned(examples, alone, fit, snapshot)
