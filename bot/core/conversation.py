"""A conversation with the bot: the reply to one message, and what the conversation remembers.

The Telegram handlers and the terminal chat both ask a :class:`Responder` and
only format what it returns.  A reply is a plain, frozen :class:`Reply`; its
texts are already in the asker's script (simplified or traditional).

After 先锋团有多少人 a cadre asks 那书记是谁？; after a question about
allowances, 那住宿呢？.  Alone such a question is elliptical: it leans on the
turn before.  :class:`Memory` keeps, per conversation key (a private chat, one
member of a group, a reply thread), the last answered :class:`~bot.core.follow_ups.Turn`
for a few minutes; :class:`Responder` hands a question asked after it to
:func:`~bot.core.follow_ups.read_follow_up`, which decides how to read it.  Small
talk (谢谢) in between keeps the turn.

The memory is process-local and bounded: a restart forgets conversations,
which is harmless (the next question is simply read alone).
"""

from __future__ import annotations

import dataclasses
import enum
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bot.core import texts
from bot.core.follow_ups import SUGGESTION_COUNT, Turn, read_follow_up
from bot.core.knowledge.model import Entry
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.focus import is_small_talk
from bot.core.matching.matcher import Candidate, MatchResult
from bot.core.matching.text import Script, convert, detect_script
from bot.core.matching.thresholds import Outcome

DEFAULT_MINUTES = 10.0
MAX_CONVERSATIONS = 10_000  # the oldest are forgotten first beyond this


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
        return Turn(self.context or self.query, self.entry_id, answered=self.outcome is Outcome.ANSWER)

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
        if is_small_talk(question) and not snapshot.matcher.is_phrasing(question):  # a phrasing is always asked
            return Reply(
                Outcome.DECLINE, script, convert(texts.SMALL_TALK, script), query=question, kind=Kind.SMALL_TALK
            )
        result = snapshot.matcher.match(question)
        context = ""
        if previous is not None:
            result, context = read_follow_up(snapshot.matcher, question, result, previous)
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
        floor = INLINE_SHARE * thresholds.answer
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
