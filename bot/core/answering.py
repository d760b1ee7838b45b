"""From a question to a reply: the conversation logic every surface shares.

The Telegram handlers and the terminal chat both ask a :class:`Responder` and
only format what it returns.  A reply is a plain, frozen :class:`Reply`; its
texts are already in the asker's script (simplified or traditional).
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.core.conversation import Turn, is_elliptical, names_new_subject, with_context
from bot.core.focus import is_small_talk
from bot.core.knowledge import Entry, Knowledge, load_knowledge
from bot.core.matcher import Candidate, Matcher, MatchResult, Outcome
from bot.core.related import RelatedIndex
from bot.core.text import Script, convert, detect_script

DEFAULT_CONTACT = "所在单位的组织人事部门"
SUGGESTION_COUNT = 3
INLINE_SHARE = 0.5  # an inline result scores at least this share of the answer limit
RELATED_COUNT = 3


@dataclass(frozen=True)
class Snapshot:
    """One loaded FAQ and the index built from it; replaced whole on reload."""

    knowledge: Knowledge
    matcher: Matcher
    related: RelatedIndex  # related questions for entries whose ``related`` field is empty

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        """Load, validate and index a knowledge folder or FAQ file.

        Raises:
            InvalidFileError: the file has problems; nothing is built.
        """
        return cls.build(load_knowledge(path))

    @classmethod
    def build(cls, knowledge: Knowledge) -> Snapshot:
        return cls(knowledge, Matcher(knowledge), RelatedIndex(knowledge))


class KnowledgeHolder:
    """The snapshot currently serving questions.

    Readers take ``holder.snapshot`` once per question and use only that object,
    so a reload (one reference assignment) is seen entirely or not at all.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._lock = threading.Lock()

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def swap(self, snapshot: Snapshot) -> Snapshot:
        """Install ``snapshot`` and return the one it replaces."""
        with self._lock:
            previous, self._snapshot = self._snapshot, snapshot
        return previous


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


class Messages:
    """The fixed sentences of the conversation, in simplified Chinese."""

    SUGGEST = "我不太确定您问的是哪一个。您是不是想问："
    UNCOVERED = "关于“双百双招”的报道没有提到这个问题，我无法给出答案。如需了解，请咨询{contact}。可以发送 /faq 查看我能回答的问题。"
    UNRELATED = "我是“双百双招”行动的问答助手，只回答关于这项行动的问题。可以发送 /faq 查看我能回答的问题；其他事项请咨询{contact}。"
    SMALL_TALK = "不客气！还有关于“双百双招”的问题，随时问我。"
    EMPTY = "您好！我是“双百双招”问答助手。请直接输入您的问题，例如“要去多长时间？”，或发送 /faq 查看全部问题。"
    UNKNOWN_ENTRY = "这个问题已经不在问答库里了（可能刚刚更新过）。请重新提问，或发送 /faq 查看全部问题。"


class Responder:
    """Answers questions from whatever snapshot the holder currently serves."""

    def __init__(self, holder: KnowledgeHolder, contact: str = DEFAULT_CONTACT) -> None:
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
                Outcome.DECLINE, script, convert(Messages.SMALL_TALK, script), query=question, kind=Kind.SMALL_TALK
            )
        result = snapshot.matcher.match(question)
        context = ""
        # A follow-up leans on the last answer, unless it names its own subject and is understood alone.
        leans = previous is not None and is_elliptical(question)
        if leans and not (names_new_subject(question) and result.outcome is not Outcome.DECLINE):
            assert previous is not None
            followed = snapshot.matcher.match(with_context(question, previous))
            if followed.outcome is not Outcome.DECLINE:
                result, context = followed, followed.query
        if result.outcome is Outcome.ANSWER and result.best is not None:
            entry = snapshot.knowledge[result.best.entry_id]
            return dataclasses.replace(self._entry_reply(snapshot, entry, script, result), context=context)
        if result.outcome is Outcome.SUGGEST:
            suggestions = tuple(self._link(c, script) for c in result.candidates[:SUGGESTION_COUNT])
            best = result.best
            return Reply(
                outcome=Outcome.SUGGEST,
                script=script,
                text=convert(Messages.SUGGEST, script),
                entry_id=best.entry_id if best else None,
                score=best.score if best else 0.0,
                suggestions=suggestions,
                query=question,
                normalized=result.normalized,
                kind=Kind.SUGGEST,
            )
        kind = Kind.EMPTY if not result.normalized else Kind.UNCOVERED if result.related else Kind.UNRELATED
        text = {Kind.EMPTY: Messages.EMPTY, Kind.UNCOVERED: Messages.UNCOVERED, Kind.UNRELATED: Messages.UNRELATED}
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
            return Reply(Outcome.DECLINE, script, convert(Messages.UNKNOWN_ENTRY, script), kind=Kind.UNRELATED)
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

    def match(self, question: str) -> MatchResult:
        """The raw match, for staff tools that show what the engine sees."""
        return self.holder.snapshot.matcher.match(question)

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
