"""How the whole conversation does on labelled questions, form by form (``python -m benchmarks.run``).

:mod:`bot.core.matching.evaluation` measures the matcher; this measures what a cadre
gets from the :class:`~bot.core.conversation.Responder`: small talk, the two kinds
of decline and follow-ups included.  Each labelled question gets one
:class:`Verdict`; a :class:`Tally` per group (a positive's ``form``, unrelated,
uncovered, small talk, follow-ups, single questions asked after another answer) counts them:

- *right*: answered with the labelled entry; *helpful*: right, or the labelled
  entry among the suggestions;
- *wrong*: answered with another entry (for unrelated and small talk: answered
  at all; for uncovered: answered with an entry that states facts);
- *declined*: an answerable question neither answered nor given suggestions.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.conversation import Kind as ReplyKind
from bot.core.conversation import Reply
from bot.core.files.problems import InvalidFileError, Problem, display_path
from bot.core.files.yamlfile import LineDict, read_yaml
from bot.core.follow_ups import Turn
from bot.core.knowledge.model import Knowledge
from bot.core.matching.evaluation import HOLDOUT, TUNING, Kind, LabelledQuestion
from bot.core.matching.thresholds import Outcome

SMALL_TALK_LABEL = "smalltalk"  # the label of a conversation turn that only chats
EARLIER = "earlier sets"  # positives written before forms were labelled
FOLLOW_UP = "follow-up"  # the last turn of a conversation, in its context
FOLLOW_UP_ALONE = "follow-up alone"  # the same last turn without its context (the control)
AFTER_A_TURN = "after another turn"  # a single question asked right after another conversation's first answer

# Answers a question and remembers nothing: (question, previous turn) → reply.
Asker = Callable[[str, Turn | None], Reply]


class Verdict(enum.StrEnum):
    RIGHT = "right"
    HELPFUL = "helpful"  # suggested with the right entry among the suggestions
    SUGGESTED = "suggested"  # suggestions without the right entry
    DECLINED = "declined"
    WRONG = "wrong"
    OK = "ok"  # an unrelated, uncovered or small-talk message handled as it should be


@dataclass(frozen=True)
class LabelledTurn:
    text: str
    entry_id: str | None  # None: the turn only chats


@dataclass(frozen=True)
class Conversation:
    turns: tuple[LabelledTurn, ...]
    split: str = TUNING


@dataclass
class Tally:
    """Verdicts of one group of questions."""

    counts: dict[Verdict, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, verdict: Verdict) -> None:
        self.counts[verdict] += 1

    @property
    def asked(self) -> int:
        return sum(self.counts.values())

    def share(self, *verdicts: Verdict) -> float:
        return sum(self.counts[v] for v in verdicts) / self.asked if self.asked else 0.0

    @property
    def right(self) -> float:
        return self.share(Verdict.RIGHT)

    @property
    def helpful(self) -> float:
        return self.share(Verdict.RIGHT, Verdict.HELPFUL)

    @property
    def wrong(self) -> float:
        return self.share(Verdict.WRONG)

    @property
    def declined(self) -> float:
        return self.share(Verdict.DECLINED)


def refers_to_staff(knowledge: Knowledge, entry_id: str | None) -> bool:
    """Whether an entry's answer sends the asker to a person ({contact}) rather than stating facts."""
    entry = knowledge.get(entry_id) if entry_id else None
    return entry is not None and "{contact}" in entry.answer


def judge(knowledge: Knowledge, kind: Kind, expected: str | None, reply: Reply) -> Verdict:
    """What one reply to one labelled message is worth."""
    answered = reply.outcome is Outcome.ANSWER
    if kind is Kind.POSITIVE:
        if answered:
            return Verdict.RIGHT if reply.entry_id == expected else Verdict.WRONG
        if reply.outcome is Outcome.SUGGEST:
            found = any(link.entry_id == expected for link in reply.suggestions)
            return Verdict.HELPFUL if found else Verdict.SUGGESTED
        return Verdict.DECLINED
    if kind is Kind.SMALL_TALK:
        return Verdict.OK if reply.kind is ReplyKind.SMALL_TALK else Verdict.WRONG
    if kind is Kind.UNCOVERED:
        return Verdict.WRONG if answered and not refers_to_staff(knowledge, reply.entry_id) else Verdict.OK
    return Verdict.WRONG if answered else Verdict.OK


def group_of(question: LabelledQuestion) -> str:
    if question.kind is Kind.POSITIVE:
        return question.form or EARLIER
    return question.kind.value


def score_questions(
    knowledge: Knowledge, ask: Asker, questions: Iterable[LabelledQuestion]
) -> dict[tuple[str, str], Tally]:
    """Tallies by (split, group) for single questions."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for question in questions:
        if question.kind is Kind.NEGATIVE:
            continue
        verdict = judge(knowledge, question.kind, question.entry_id, ask(question.text, None))
        tallies[question.split, group_of(question)].add(verdict)
    return tallies


def score_conversations(
    knowledge: Knowledge, ask: Asker, conversations: Iterable[Conversation]
) -> dict[tuple[str, str], Tally]:
    """Tallies of the last turns: in context (only where the turn alone is not answered right) and alone."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for conversation in conversations:
        previous: Turn | None = None
        for turn in conversation.turns[:-1]:
            reply = ask(turn.text, previous)
            previous = reply.turn or previous
        last = conversation.turns[-1]
        kind = Kind.POSITIVE if last.entry_id else Kind.SMALL_TALK
        alone = judge(knowledge, kind, last.entry_id, ask(last.text, None))
        tallies[conversation.split, FOLLOW_UP_ALONE].add(alone)
        if alone is not Verdict.RIGHT:
            tallies[conversation.split, FOLLOW_UP].add(judge(knowledge, kind, last.entry_id, ask(last.text, previous)))
    return tallies


def score_after_a_turn(
    knowledge: Knowledge, ask: Asker, questions: Iterable[LabelledQuestion], conversations: Sequence[Conversation]
) -> dict[tuple[str, str], Tally]:
    """Tallies of single questions asked each after an earlier answer: a question that stands on its own
    must get what it gets alone.  The earlier answers are the conversations' first turns, in turn."""
    openers = [c.turns[0].text for c in conversations if c.turns[0].entry_id]
    earlier = [turn for text in dict.fromkeys(openers) if (turn := ask(text, None).turn) is not None]
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    if not earlier:
        return tallies
    asked = [q for q in questions if q.kind in {Kind.POSITIVE, Kind.UNRELATED, Kind.UNCOVERED}]
    for number, question in enumerate(asked):
        reply = ask(question.text, earlier[number % len(earlier)])
        tallies[question.split, AFTER_A_TURN].add(judge(knowledge, question.kind, question.entry_id, reply))
    return tallies


def load_conversations(path: Path) -> list[Conversation]:
    """The ``conversations:`` of a labelled question file (none when it has none).

    Raises:
        InvalidFileError: a conversation without turns, or a turn without ``q`` or ``id``.
    """
    data: Any = read_yaml(path)
    shown = display_path(path)
    raw = data.get("conversations") if isinstance(data, LineDict) else None
    found: list[Conversation] = []
    problems: list[Problem] = []
    for item in raw or []:
        mark = item.mark if isinstance(item, LineDict) else None
        turns = item.get("turns") if isinstance(item, dict) else None
        if not isinstance(turns, list) or not turns:
            problems.append(Problem(shown, mark.line if mark else 1, 1, "each conversation needs turns"))
            continue
        parsed = []
        for turn in turns:
            if not isinstance(turn, dict) or not str(turn.get("q", "")).strip() or not turn.get("id"):
                problems.append(Problem(shown, mark.line if mark else 1, 1, "each turn needs q and id"))
                break
            label = str(turn["id"])
            parsed.append(LabelledTurn(str(turn["q"]), None if label == SMALL_TALK_LABEL else label))
        else:
            found.append(Conversation(tuple(parsed), HOLDOUT if item.get("split") == HOLDOUT else TUNING))
    if problems:
        raise InvalidFileError(problems)
    return found


def merge(*parts: dict[tuple[str, str], Tally]) -> dict[tuple[str, str], Tally]:
    merged: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for part in parts:
        for key, tally in part.items():
            for verdict, count in tally.counts.items():
                merged[key].counts[verdict] += count
    return merged


def groups(tallies: dict[tuple[str, str], Tally], split: str) -> Sequence[str]:
    """The groups of one split, positives' forms first."""
    order = {Kind.UNRELATED.value: 1, Kind.UNCOVERED.value: 2, Kind.SMALL_TALK.value: 3, FOLLOW_UP: 4}
    order |= {FOLLOW_UP_ALONE: 5, AFTER_A_TURN: 6}
    names = {group for part, group in tallies if part == split}
    return sorted(names, key=lambda name: (order.get(name, 0), name))
