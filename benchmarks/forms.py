"""What a cadre gets, form by form: the scorecard of :mod:`bot.core.matching.scorecard` as benchmark tables.

One row per part (tuning, holdout) and group: each form positives are written in
(bare, name, self, hearsay, polite, multi, typo, traditional, keyword, and the
earlier sets without a form), unrelated, uncovered and small-talk messages, and
follow-ups (the last turn of a conversation in its context, counted where the
same turn alone is not answered right; "follow-up alone" is that control).  The
naive baseline is rapidfuzz ``extractOne`` with ``WRatio`` over the FAQ's
phrasings: it always answers its best match and remembers nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from benchmarks.datasets import OWN_KNOWLEDGE, OWN_QUESTIONS, Dataset
from benchmarks.tables import Share, Table
from bot.core.conversation import Kind as ReplyKind
from bot.core.conversation import Reply
from bot.core.follow_ups import Turn
from bot.core.knowledge.model import Knowledge
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.evaluation import HOLDOUT, TUNING, load_labelled
from bot.core.matching.examples import HeldOut
from bot.core.matching.scorecard import (
    Asker,
    Tally,
    Verdict,
    groups,
    load_conversations,
    merge,
    score_after_a_turn,
    score_conversations,
    score_questions,
)
from bot.core.matching.text import Script
from bot.core.matching.thresholds import Outcome


def engine_asker(snapshot: Snapshot) -> Asker:
    """The bot; a message that is one of the FAQ's examples is answered without it (:class:`HeldOut`)."""
    return HeldOut(snapshot).asker()


def baseline_asker(knowledge: Knowledge) -> Asker:
    """extractOne WRatio: answers its best match, always; no small talk, no memory."""
    phrasings = [question for entry in knowledge.entries for question in entry.questions]
    owners = [entry.id for entry in knowledge.entries for _ in entry.questions]

    def ask(question: str, previous: Turn | None) -> Reply:
        best = process.extractOne(question, phrasings, scorer=fuzz.WRatio)
        entry_id = owners[best[2]] if best else None
        outcome = Outcome.ANSWER if entry_id else Outcome.DECLINE
        return Reply(outcome, Script.SIMPLIFIED, "", entry_id=entry_id, query=question, kind=ReplyKind.ANSWER)

    return ask


def scorecard(knowledge: Knowledge, ask: Asker) -> dict[tuple[str, str], Tally]:
    questions, conversations = load_labelled(OWN_QUESTIONS), load_conversations(OWN_QUESTIONS)
    return merge(
        score_questions(knowledge, ask, questions),
        score_conversations(knowledge, ask, conversations),
        score_after_a_turn(knowledge, ask, questions, conversations),
    )


def forms_table() -> Table:
    snapshot = Snapshot.load(OWN_KNOWLEDGE)
    systems = {
        "engine": scorecard(snapshot.knowledge, engine_asker(snapshot)),
        "extractOne WRatio": scorecard(snapshot.knowledge, baseline_asker(snapshot.knowledge)),
    }
    table = Table(
        "Our FAQ by form (what a cadre gets: tests/data/questions.yaml through the conversation)",
        ["part", "group", "asked", "system", "right", "helpful", "wrong", "declined", "handled"],
    )
    engine = systems["engine"]
    for part in (TUNING, HOLDOUT):
        for group in groups(engine, part):
            for name, tallies in systems.items():
                tally = tallies[part, group]
                table.add(
                    part=part,
                    group=group,
                    asked=tally.asked,
                    system=name,
                    right=Share(tally.right),
                    helpful=Share(tally.helpful),
                    wrong=Share(tally.wrong),
                    declined=Share(tally.declined),
                    handled=Share(tally.share(Verdict.OK)),
                )
    table.notes.append(
        "right = answered with the labelled entry; helpful = right, or the entry among the suggestions;"
        " wrong = another entry answered (unrelated and small talk: answered at all; uncovered: answered with"
        " an entry that states facts); declined = an answerable question neither answered nor given"
        " suggestions; handled = unrelated, uncovered or small talk dealt with as it should be."
    )
    return table


def helpful_first(dataset: Dataset, parts: Sequence[str]) -> dict[str, float]:
    """Per part, the share of positives whose right entry is answered, or suggested first (Tianchi)."""
    snapshot = Snapshot.build(dataset.knowledge)
    shares: dict[str, float] = {}
    for part in parts:
        positives = [q for q in dataset.parts[part] if q.entry_id and q.kind.value == "positives"]
        hits = 0
        for question in positives:
            result = snapshot.matcher.match(question.text)
            best = result.best
            hits += best is not None and best.entry_id == question.entry_id and result.outcome is not Outcome.DECLINE
        shares[part] = hits / len(positives) if positives else 0.0
    return shares
