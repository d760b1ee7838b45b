"""A conversation with the bot: the reply to one message, and what the conversation remembers.

The Telegram handlers and the terminal chat both ask a :class:`Responder` and
only format what it returns.  A reply is a plain, frozen :class:`Reply`; its
texts are already in the asker's script (simplified or traditional).

After 先锋团有多少人 a cadre asks 那书记是谁？; after a question about
allowances, 那住宿呢？.  Alone such a question is elliptical: it leans on the
turn before.  :class:`Memory` keeps, per conversation key (a private chat, one
member of a group, a reply thread), the last answered :class:`Turn` for a few
minutes; :class:`Responder` reads a question it does not understand alone, or one
marked as leaning back (:func:`leans_back`), together with it (:func:`with_context`,
``Responder._follow``).  A self-contained question ignores it, and small talk (谢谢)
in between keeps it.

The memory is process-local and bounded: a restart forgets conversations,
which is harmless (the next question is simply read alone).
"""

from __future__ import annotations

import dataclasses
import enum
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bot.core import texts
from bot.core.knowledge.model import Entry
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.focus import has_content, is_small_talk
from bot.core.matching.matcher import Candidate, MatchResult
from bot.core.matching.text import Script, clean, convert, detect_script, normalize
from bot.core.matching.thresholds import Outcome, Thresholds

DEFAULT_MINUTES = 10.0
MAX_CONVERSATIONS = 10_000  # the oldest are forgotten first beyond this
SUGGESTION_COUNT = 3
# A follow-up says little (找谁问, 会上干了啥: 3–6.5 units of the rarest gram); a question not marked as
# leaning back that says this much (推荐一部电影, 出发前要交哪些材料: 8–11) stands alone even when it is
# not understood.  Fitted on the tuning part: questions answered wrongly after another answer 1.2 → 0.6 %.
SELF_CONTAINED_INFORMATION = 8.0
# A follow-up read with the question before it, pointing to a new entry that the follow-up alone also
# ranks among its first three, is answered at this share of the answer limit (see new_entry_confirmed).
# Chosen on the tuning part: follow-ups right 22 → 27 %, no more wrong answers after another turn
# (a quarter of the limit: one more).
FOLLOW_UP_ANSWER_SHARE = 0.5
# A follow-up naming its own subject (那住宿呢) whose entry, alone, leads the others by this many times
# the answer lead is answered below the answer limit (see about_new_subject).  Chosen on the tuning part
# (sets A–F): follow-ups right 22 → 29 of 101, no more wrong answers; 1.2–1.5 times gave 31–32 right
# with one more wrong answer, 1.8–2.5 times the same as 2, and 3–5 times 27–23 right.
NEW_SUBJECT_LEAD = 2.0

# A question marked as leaning on the one before: it opens with 那/还有, points with a pronoun, or
# asks 呢 (那先锋团呢, 他去的哪里, 具体哪天, 一共多少人).
_OPENERS_RE = re.compile(r"^(?:那么|那|还有|另外|其他的?|其余的?|再问|然后|具体|一共|总共|他们|她们|他|她|它)")
_POINTERS_RE = re.compile(r"他|她|它|这个人|那个人|这些人|那些人|其中|前面说的|刚才说的|上面说的|这几个|那几个")
# 那X呢: the same question about another subject, named here (那住宿呢 after 有补贴吗).
_WHAT_ABOUT_RE = re.compile(r"^(?:那么|那|还有)(?P<subject>\w+?)(?:呢|吗)?\W*$")
_OTHERS_RE = re.compile(r"别的|其他|其它|其余")


@dataclass(frozen=True)
class Turn:
    """An answered question: what it asked (its question part) and the entry that answered it."""

    question: str
    entry_id: str


def leans_back(question: str) -> bool:
    """Whether a question is marked as leaning on the turn before: 那/具体/还有… first, 他/其中, or a closing 呢."""
    text = clean(question).strip()
    return bool(_OPENERS_RE.match(text) or _POINTERS_RE.search(text) or re.sub(r"[\W_]+", "", text).endswith("呢"))


def names_new_subject(question: str) -> bool:
    """Whether a follow-up names its own subject (那住宿呢, 那许大鹏呢): read alone first.

    还有呢 and 还有别的吗 name none, and 那些人… points back.
    """
    text = clean(question).strip()
    match = _WHAT_ABOUT_RE.match(text)
    if match is None or _POINTERS_RE.search(text):
        return False
    subject = match.group("subject")
    return not _OTHERS_RE.match(subject) and has_content(normalize(subject))


def new_entry_confirmed(followed: MatchResult, alone: MatchResult, previous: Turn, thresholds: Thresholds) -> bool:
    """Whether a follow-up read with the turn before, only suggested, may be answered after all.

    The earlier question dilutes the reading, so its confidence runs low; it is answered at
    :data:`FOLLOW_UP_ANSWER_SHARE` of the answer limit when it points to another entry than the
    one before, leads by the usual margin, and the question alone ranks that entry among its first three.
    """
    best = followed.best
    return (
        followed.outcome is Outcome.SUGGEST
        and best is not None
        and best.entry_id != previous.entry_id
        and best.score >= FOLLOW_UP_ANSWER_SHARE * thresholds.answer
        and followed.margin >= thresholds.margin
        and any(candidate.entry_id == best.entry_id for candidate in alone.candidates[:SUGGESTION_COUNT])
    )


def about_new_subject(alone: MatchResult, previous: Turn, thresholds: Thresholds) -> MatchResult:
    """A follow-up that names its own subject (那住宿呢 after 有补贴吗), read alone.

    It asks the question before about another subject, so what it says alone is short and its
    confidence low; an entry other than the one before that leads the others by
    :data:`NEW_SUBJECT_LEAD` times the usual lead is what it asks about, and is answered.
    """
    best = alone.best
    if (
        alone.outcome is Outcome.SUGGEST
        and best is not None
        and best.entry_id != previous.entry_id
        and alone.margin >= NEW_SUBJECT_LEAD * thresholds.margin
    ):
        return dataclasses.replace(alone, outcome=Outcome.ANSWER)
    return alone


def echoes(followed: MatchResult, alone: MatchResult, previous: Turn, marked: bool) -> bool:
    """Whether a follow-up read with the turn before only finds the earlier entry again, by its weight.

    It does when the question alone points to another entry and, if it is marked as leaning back, does
    not rank the earlier one among its first three (a marked question may still ask more about the
    earlier entry: 许大鹏是谁 → 他是团长吗).  Widened to marked
    follow-ups on the tuning part (sets A–F): confident wrong answers in conversations 22 → 18, four
    right fewer.
    """
    if alone.outcome is Outcome.DECLINE or alone.best is None or followed.best is None:
        return False
    earlier = previous.entry_id
    if alone.best.entry_id == earlier or followed.best.entry_id != earlier:
        return False
    return not marked or all(c.entry_id != earlier for c in alone.candidates[:SUGGESTION_COUNT])


def with_context(question: str, previous: Turn) -> str:
    """The follow-up read together with the question it follows."""
    return f"{previous.question}，{question}"


class Memory:
    """The last answered turn of each conversation, forgotten after ``minutes``.

    Thread-safe; ``clock`` (monotonic seconds) is injectable for tests.
    """

    def __init__(self, minutes: float = DEFAULT_MINUTES, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = minutes * 60.0
        self._clock = clock
        self._turns: OrderedDict[Hashable, tuple[float, Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, key: Hashable) -> Turn | None:
        """The conversation's last turn, or None when there is none or it is too old."""
        with self._lock:
            found = self._turns.get(key)
            if found is None:
                return None
            stamp, turn = found
            if self._clock() - stamp >= self.seconds:
                del self._turns[key]
                return None
            return turn

    def remember(self, key: Hashable, turn: Turn) -> None:
        with self._lock:
            self._turns[key] = (self._clock(), turn)
            self._turns.move_to_end(key)
            while len(self._turns) > MAX_CONVERSATIONS:
                self._turns.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._turns.pop(key, None)


INLINE_SHARE = 0.5  # an inline result scores at least this share of the answer limit
RELATED_COUNT = 3


@dataclass(frozen=True)
class Link:
    """A question offered as a button or numbered choice: pressing it answers ``entry_id``."""

    entry_id: str
    question: str
    score: float = 0.0


@dataclass(frozen=True)
class PassageView:
    """The article text behind an answer, with its paragraph label (e.g. 第2段)."""

    label: str
    paragraph_id: str
    text: str


class Kind(enum.StrEnum):
    """What kind of reply a message gets; the three matcher outcomes split by why."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    UNCOVERED = "uncovered"  # about the programme, but the article does not say: the contact
    UNRELATED = "unrelated"  # not about the programme: what the bot is for, and /faq
    SMALL_TALK = "small_talk"  # thanks, greetings, a remark: a friendly line, never a refusal
    EMPTY = "empty"  # nothing to read: how to ask


@dataclass(frozen=True)
class Reply:
    """What the bot says to one question, independent of how it is displayed."""

    outcome: Outcome
    script: Script
    text: str
    entry_id: str | None = None
    score: float = 0.0
    passage: PassageView | None = None
    suggestions: tuple[Link, ...] = ()
    related: tuple[Link, ...] = ()
    query: str = ""
    normalized: str = ""
    kind: Kind = Kind.ANSWER
    # What a follow-up to this reply may lean on: the question as read (with the turn it followed).
    context: str = ""

    @property
    def turn(self) -> Turn | None:
        """The turn a conversation remembers after this reply: a question answered or given suggestions."""
        if self.outcome is Outcome.DECLINE or self.entry_id is None or not (self.context or self.query):
            return None
        return Turn(self.context or self.query, self.entry_id)

    @property
    def empty(self) -> bool:
        """Nothing was asked (an empty message, or small talk): not a question to record or count."""
        return self.kind in {Kind.EMPTY, Kind.SMALL_TALK}

    @property
    def answered(self) -> bool:
        return self.outcome is Outcome.ANSWER

    def as_json(self) -> dict[str, object]:
        """The machine-readable form used by ``faqbot ask --json``."""
        return {
            "answered": self.answered,
            "id": self.entry_id,
            "score": self.score,
            "answer": self.text,
            "passage": self.passage.text if self.passage else "",
            "suggestions": [
                {"id": link.entry_id, "question": link.question, "score": link.score} for link in self.suggestions
            ],
        }


class Responder:
    """Answers questions from whatever snapshot the holder currently serves."""

    def __init__(self, holder: KnowledgeHolder, contact: str = texts.DEFAULT_CONTACT) -> None:
        self.holder = holder
        self.contact = contact

    def reply(self, question: str, script: Script | None = None, previous: Turn | None = None) -> Reply:
        """Match ``question`` and build the reply; never raises for any text.

        Args:
            previous: the conversation's last answered turn; an elliptical question
                (那先锋团呢) is read together with it.
        """
        snapshot = self.holder.snapshot
        script = script or detect_script(question)
        if is_small_talk(question):
            return Reply(
                Outcome.DECLINE, script, convert(texts.SMALL_TALK, script), query=question, kind=Kind.SMALL_TALK
            )
        result = snapshot.matcher.match(question)
        context = ""
        if previous is not None:
            result, context = self._follow(snapshot, question, result, previous)
        if result.outcome is Outcome.ANSWER and result.best is not None:
            entry = snapshot.knowledge[result.best.entry_id]
            return dataclasses.replace(self._entry_reply(snapshot, entry, script, result), context=context)
        if result.outcome is Outcome.SUGGEST:
            suggestions = tuple(self._link(c, script) for c in result.candidates[:SUGGESTION_COUNT])
            best = result.best
            return Reply(
                outcome=Outcome.SUGGEST,
                script=script,
                text=convert(texts.SUGGEST, script),
                entry_id=best.entry_id if best else None,
                score=best.score if best else 0.0,
                suggestions=suggestions,
                query=question,
                normalized=result.normalized,
                kind=Kind.SUGGEST,
            )
        kind = Kind.EMPTY if not result.normalized else Kind.UNCOVERED if result.related else Kind.UNRELATED
        text = {Kind.EMPTY: texts.EMPTY, Kind.UNCOVERED: texts.UNCOVERED, Kind.UNRELATED: texts.UNRELATED}
        return Reply(
            outcome=Outcome.DECLINE,
            script=script,
            text=convert(self._fill(text[kind]), script),
            score=result.best.score if result.best else 0.0,
            query=question,
            normalized=result.normalized,
            kind=kind,
        )

    @staticmethod
    def _follow(snapshot: Snapshot, question: str, alone: MatchResult, previous: Turn) -> tuple[MatchResult, str]:
        """How to read a question asked after ``previous``: the result, and the context it was read in ("" for none).

        A question that names its own subject (那许大鹏呢) is read alone (:func:`about_new_subject`).
        Any other is read together with the turn before (:func:`with_context`) unless it stands on
        its own: nothing marks it as leaning back (:func:`leans_back`) and it is answered alone or
        says too much to be a follow-up (:data:`SELF_CONTAINED_INFORMATION`).  Read together, the
        earlier question weighs more than a short follow-up, so a reading that only finds the earlier
        entry again is the earlier question echoing (:func:`echoes`): the question then only gets
        suggestions, since alone it misses what it leans on: what it points to alone, and the
        earlier entry (on tuning: follow-ups helped 78 → 84 %).
        """
        if names_new_subject(question) and alone.outcome is not Outcome.DECLINE:
            return about_new_subject(alone, previous, snapshot.matcher.thresholds), ""
        marked = leans_back(question)
        if not marked and (alone.outcome is Outcome.ANSWER or alone.information >= SELF_CONTAINED_INFORMATION):
            return alone, ""
        followed = snapshot.matcher.match(with_context(question, previous))
        if echoes(followed, alone, previous, marked):
            # Suggested: what the question alone points to, and the earlier entry it may lean on.
            others = [candidate for candidate in alone.candidates if candidate.entry_id != previous.entry_id]
            offered = (*others[: SUGGESTION_COUNT - 1], followed.candidates[0])
            return dataclasses.replace(alone, outcome=Outcome.SUGGEST, candidates=offered), ""
        if new_entry_confirmed(followed, alone, previous, snapshot.matcher.thresholds):
            followed = dataclasses.replace(followed, outcome=Outcome.ANSWER)
        usable = followed.outcome is Outcome.ANSWER or (
            followed.outcome is Outcome.SUGGEST and (marked or alone.outcome is Outcome.DECLINE)
        )
        return (followed, followed.query) if usable else (alone, "")

    def reply_for_entry(self, entry_id: str, script: Script = Script.SIMPLIFIED) -> Reply:
        """The answer to one entry, for a pressed button or a deep link."""
        snapshot = self.holder.snapshot
        entry = snapshot.knowledge.get(entry_id)
        if entry is None:
            return Reply(Outcome.DECLINE, script, convert(texts.UNKNOWN_ENTRY, script), kind=Kind.UNRELATED)
        return self._entry_reply(snapshot, entry, script, None)

    def likely_answers(self, question: str, script: Script, limit: int) -> tuple[tuple[str, Reply], ...]:
        """The answers of the entries scoring at least :data:`INLINE_SHARE` of the answer limit, best first (inline mode).

        An inline result is an answer the user posts into a chat, so a weak "did you mean" entry is
        not offered there.

        Each item is (the FAQ question that matched, rendered in ``script``; the entry's reply).
        All come from one snapshot, as one question's reply does.
        """
        snapshot = self.holder.snapshot
        result = snapshot.matcher.match(question)
        if result.outcome is Outcome.DECLINE:
            return ()
        thresholds = snapshot.matcher.thresholds
        floor = max(thresholds.suggest, INLINE_SHARE * thresholds.answer)
        found: list[tuple[str, Reply]] = []
        for candidate in result.candidates:
            entry = snapshot.knowledge.get(candidate.entry_id)
            if candidate.score < floor or len(found) == limit:
                break
            if entry is not None:
                reply = self._entry_reply(snapshot, entry, script, None)
                found.append((convert(candidate.question, script), reply))
        return tuple(found)

    def _entry_reply(self, snapshot: Snapshot, entry: Entry, script: Script, result: MatchResult | None) -> Reply:
        knowledge = snapshot.knowledge
        passage = None
        if entry.passage is not None:
            paragraph = entry.passage.paragraph
            passage = PassageView(paragraph.label, paragraph.id, convert(entry.passage.quote, script))
        related = tuple(
            Link(other.id, convert(other.questions[0], script))
            for other in (knowledge.get(related_id) for related_id in self._related_ids(snapshot, entry))
            if other is not None
        )
        return Reply(
            outcome=Outcome.ANSWER,
            script=script,
            text=convert(self._fill(entry.answer), script),
            entry_id=entry.id,
            score=result.best.score if result and result.best else 100.0,
            passage=passage,
            related=related,
            query=result.query if result else "",
            normalized=result.normalized if result else "",
        )

    @staticmethod
    def _related_ids(snapshot: Snapshot, entry: Entry) -> tuple[str, ...]:
        """The staff's ``related`` list; only where it is empty, the most similar entries above a floor."""
        return entry.related[:RELATED_COUNT] or snapshot.related.similar(entry, RELATED_COUNT)

    def _fill(self, text: str) -> str:
        return text.replace("{contact}", self.contact)

    @staticmethod
    def _link(candidate: Candidate, script: Script) -> Link:
        return Link(candidate.entry_id, convert(candidate.question, script), candidate.score)
