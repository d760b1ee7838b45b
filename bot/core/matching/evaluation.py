"""Answer quality on a labelled question file (``faqbot eval``).

The file has up to three lists, each item optionally marked ``split: holdout``:

- ``positives``: ``{q, id}`` — must be answered with entry ``id``;
- ``unrelated``: ``{q}`` — outside the FAQ, must be declined;
- ``negatives``: ``{q, not}`` — must not be answered confidently with entry ``not``;
- ``uncovered``: ``{q}`` — about the programme, but nothing answers it: never a factual answer;
- ``smalltalk``: ``{q}`` — chat (thanks, greetings): a friendly line;
- ``conversations``: ``{turns: [{q, id}, …]}`` — each turn answered in the context of the ones
  before it (``id: smalltalk`` for a turn that only chats); see :mod:`bot.core.matching.scorecard`.

Positives may say which ``form`` they are written in (bare, name, self, hearsay, polite, multi,
typo, traditional, keyword); the scorecard reports each form apart.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.core.files.problems import InvalidFileError, Problem, display_path
from bot.core.files.yamlfile import LineDict, read_yaml
from bot.core.knowledge.model import Knowledge
from bot.core.matching.matcher import MatchResult
from bot.core.matching.thresholds import Outcome


class Kind(enum.StrEnum):
    POSITIVE = "positives"
    UNRELATED = "unrelated"
    NEGATIVE = "negatives"
    UNCOVERED = "uncovered"
    SMALL_TALK = "smalltalk"


TUNING = "tuning"
HOLDOUT = "holdout"


@dataclass(frozen=True)
class LabelledQuestion:
    """One question with what the bot should do with it."""

    text: str
    kind: Kind
    entry_id: str | None = None
    split: str = TUNING
    form: str = ""


@dataclass(frozen=True)
class Miss:
    """A question the bot got wrong, with what it did instead."""

    question: LabelledQuestion
    outcome: Outcome
    got: str | None
    score: float


@dataclass
class Report:
    """Counts for one evaluation run (one split or all)."""

    positives: int = 0
    answered_right: int = 0
    answered_wrong: int = 0
    top1: int = 0
    top3: int = 0
    suggested: int = 0
    unrelated: int = 0
    unrelated_declined: int = 0
    unrelated_answered: int = 0
    negatives: int = 0
    negatives_wrongly_answered: int = 0
    misses: list[Miss] = field(default_factory=list)

    @staticmethod
    def rate(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def right_answer_rate(self) -> float:
        return self.rate(self.answered_right, self.positives)

    @property
    def declined_rate(self) -> float:
        return self.rate(self.unrelated_declined, self.unrelated)

    @property
    def precision(self) -> float:
        """Share of confident answers that were right (positives only)."""
        return self.rate(self.answered_right, self.answered_right + self.answered_wrong)

    def add(self, question: LabelledQuestion, result: MatchResult) -> None:
        best = result.best.entry_id if result.best else None
        answered = result.outcome is Outcome.ANSWER
        wrong = False
        if question.kind is Kind.POSITIVE:
            self.positives += 1
            self.top1 += best == question.entry_id
            self.top3 += any(c.entry_id == question.entry_id for c in result.candidates[:3])
            self.suggested += result.outcome is Outcome.SUGGEST
            if answered:
                right = best == question.entry_id
                self.answered_right += right
                self.answered_wrong += not right
            wrong = not (answered and best == question.entry_id)
        elif question.kind is Kind.UNRELATED:
            self.unrelated += 1
            self.unrelated_declined += result.outcome is Outcome.DECLINE
            self.unrelated_answered += answered
            wrong = result.outcome is not Outcome.DECLINE
        else:
            self.negatives += 1
            wrong = answered and best == question.entry_id
            self.negatives_wrongly_answered += wrong
        if wrong:
            score = result.best.score if result.best else 0.0
            self.misses.append(Miss(question, result.outcome, best, score))


def _items(data: LineDict, kind: Kind, shown: str, problems: list[Problem]) -> Iterable[LabelledQuestion]:
    raw = data.get(kind.value) or []
    if not isinstance(raw, list):
        mark = data.value_marks[kind.value]
        problems.append(Problem(shown, mark.line, mark.column, f"{kind.value} should be a list"))
        return
    for item in raw:
        if not isinstance(item, dict) or not str(item.get("q", "")).strip():
            mark = item.mark if isinstance(item, LineDict) else data.value_marks[kind.value]
            problems.append(Problem(shown, mark.line, mark.column, "each item needs a non-empty q"))
            continue
        label_key = {"positives": "id", "negatives": "not"}.get(kind.value)
        label = item.get(label_key) if label_key else None
        if label_key and not label:
            mark = item.mark if isinstance(item, LineDict) else data.value_marks[kind.value]
            problems.append(Problem(shown, mark.line, mark.column, f"item needs `{label_key}`"))
            continue
        split = HOLDOUT if item.get("split") == HOLDOUT else TUNING
        form = str(item.get("form") or "")
        yield LabelledQuestion(str(item["q"]), kind, str(label) if label else None, split, form)


def load_labelled(path: Path) -> list[LabelledQuestion]:
    """Read a labelled question file.

    Raises:
        InvalidFileError: the file is unreadable or an item lacks its label.
    """
    data: Any = read_yaml(path)
    shown = display_path(path)
    if not isinstance(data, LineDict):
        raise InvalidFileError([Problem(shown, 1, 1, "expected positives:, unrelated: or negatives: lists")])
    problems: list[Problem] = []
    questions = [q for kind in Kind for q in _items(data, kind, shown, problems)]
    if problems:
        raise InvalidFileError(problems)
    return questions


class Matches(Protocol):
    """What matches questions against one FAQ: a :class:`~bot.core.matching.matcher.Matcher`, or a
    :class:`~bot.core.matching.examples.HeldOut` that never finds a question among its own examples."""

    @property
    def knowledge(self) -> Knowledge: ...

    def match(self, query: str) -> MatchResult: ...


def evaluate(matcher: Matches, questions: Sequence[LabelledQuestion]) -> Report:
    """Run every question through ``matcher`` and count the outcomes."""
    report = Report()
    for question in questions:
        if question.kind in {Kind.POSITIVE, Kind.UNRELATED, Kind.NEGATIVE}:
            report.add(question, matcher.match(question.text))
    return report


def unknown_labels(matcher: Matches, questions: Sequence[LabelledQuestion]) -> list[str]:
    """Labels that name no entry of the FAQ (a stale question file)."""
    return sorted({q.entry_id for q in questions if q.entry_id and q.entry_id not in matcher.knowledge})
