"""Fuzzy matching of a question against the FAQ.

Chinese has no spaces to split on, so the index works on characters: every
question is read as *grams* (:mod:`bot.core.matching.grams`) weighted by how
rare they are across entries (IDF) and by how much each character says about
the meaning (:mod:`bot.core.matching.learned`).

A question is scored over a prepared index (:mod:`bot.core.matching.scoring`):
sparse sums over compressed inverted indexes retrieve the likely entries, and
two logistic models over their features rank them and give each a 0–100
confidence.  The matcher reads a message several ways — whole, by its closing
clauses, without the context every entry shares — and keeps the reading it
can trust most.

:class:`~bot.core.matching.thresholds.Thresholds` turn the best confidence and
its lead over the runner-up into an answer; an unsure message gets suggestions or
is declined by its relevance (:func:`~bot.core.matching.features.relevance`): how
likely it is that the FAQ answers it at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from bot.core.knowledge.model import Knowledge
from bot.core.matching import phrases
from bot.core.matching.features import Weights, relevance
from bot.core.matching.focus import Focus, claim_question, has_content
from bot.core.matching.index import Query
from bot.core.matching.scoring import Ranking, Said, Scored, Scorer
from bot.core.matching.subjects import entry_subjects
from bot.core.matching.text import SynonymTable, clauses, load_converters, normalize
from bot.core.matching.thresholds import Outcome, Thresholds

MAX_SPAN = 3  # the most closing clauses of a message re-read alone
NEAR_TWIN = 90.0  # edit ratio at which two entries' phrasings say the same: no verbatim guarantee then


@dataclass(frozen=True)
class Candidate:
    """An FAQ entry considered for a question, with the question that matched it best."""

    entry_id: str
    question: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """The outcome for one question and the entries behind it, best first."""

    query: str
    normalized: str
    outcome: Outcome
    candidates: tuple[Candidate, ...]
    # The message is about the FAQ's subject (it names its context, or an entry is close enough to
    # suggest): a decline then says the article does not cover it, not that it is off-topic.
    related: bool = False
    # How much the message says, in units of the rarest possible gram (a short follow-up says little).
    information: float = 0.0
    # How likely (0–100) the message is about the FAQ at all (features.relevance): below the suggest
    # limit an unsure message is declined rather than given suggestions.
    relevance: float = 0.0

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def margin(self) -> float:
        """How far the best entry is ahead of the second one (100 when alone)."""
        if not self.candidates:
            return 0.0
        second = self.candidates[1].score if len(self.candidates) > 1 else 0.0
        return self.candidates[0].score - second


def _leads(candidates: tuple[Candidate, ...]) -> bool:
    """Whether the first candidate is ahead of the second (a tie prefers neither)."""
    return len(candidates) < 2 or candidates[0].score > candidates[1].score


def spans(query: str) -> list[str]:
    """The closing clauses of a message of several, re-read alone: its last :data:`MAX_SPAN` … 1 clauses."""
    parts = clauses(query)
    return [",".join(parts[start:]) for start in range(max(1, len(parts) - MAX_SPAN), len(parts))]


class Matcher:
    """An index over one :class:`Knowledge`, built once and then only read.

    Matching never changes the index, so one matcher may serve many concurrent
    questions; a reload builds a new matcher and swaps it in whole.
    """

    def __init__(
        self,
        knowledge: Knowledge,
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
    ) -> None:
        load_converters()
        self.knowledge = knowledge
        self.thresholds = thresholds or knowledge.thresholds or Thresholds()
        self.weights = weights or Weights()
        self.synonyms = SynonymTable(knowledge.synonyms)
        self.focus = Focus(knowledge.context, self.synonyms)
        self.subjects = entry_subjects(knowledge, self.synonyms)  # the person or thing an entry is about
        self._entry_ids = [entry.id for entry in knowledge.entries]
        self._positions = {entry_id: position for position, entry_id in enumerate(self._entry_ids)}
        rewritten: list[str] = []
        originals: list[str] = []
        owners: list[int] = []
        for index, entry in enumerate(knowledge.entries):
            # An example (a question a cadre asked) is matched like a phrasing but shown as the first one.
            shown = [*entry.questions, *(entry.questions[:1] * len(entry.examples))]
            for question, original in zip((*entry.questions, *entry.examples), shown, strict=True):
                normalized = normalize(question, self.synonyms)
                if normalized:
                    rewritten.append(phrases.rewrite(normalized))
                    originals.append(original)
                    owners.append(index)
        self._rewritten = rewritten
        self._originals = originals
        self._owners = np.asarray(owners, dtype=np.int32)
        # A phrasing asked word for word (after normalisation) is answered by its entry: the one
        # entry whose phrasings read so, or None where two entries share the phrasing.
        self._verbatim: dict[str, int | None] = {}
        for text, owner in zip(rewritten, owners, strict=True):
            self._verbatim[text] = owner if self._verbatim.get(text, owner) == owner else None
        # What the entries say besides their phrasings: the answer, the paragraph of the article it
        # rests on, and the whole article.  An answer that only repeats a question (a benchmark FAQ
        # without answers) adds nothing, and nor does its paragraph.
        answers: list[str] = []
        paragraphs: list[str] = []
        for entry in knowledge.entries:
            has_answer = entry.answer not in entry.questions
            answers.append(entry.answer if has_answer else "")
            paragraphs.append(entry.passage.paragraph.text if entry.passage and has_answer else "")
        article = " ".join(p.text for p in knowledge.article.paragraphs) if knowledge.article else ""
        self.scorer = Scorer(
            rewritten,
            self._owners,
            self.weights,
            said=Said(answers, paragraphs, article),
            synonyms=self.synonyms,
        )

    def prepare(self, query: str) -> Query:
        """Normalise ``query`` and weigh its grams against this index."""
        return self.scorer.index.prepare(normalize(query, self.synonyms))

    def match(self, query: str, limit: int = 5) -> MatchResult:
        """Match one question; never raises for any string."""
        prepared = self.prepare(query)
        information = prepared.total / self.scorer.index.unknown_idf
        if not prepared.normalized or not self._rewritten:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, (), information=information)
        ranking = self.scorer.rank(prepared)
        candidates = self._top(ranking, limit)
        if not candidates:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, (), information=information)
        candidates = self._focus(query, candidates, limit)
        question = self.focus.question(query, prepared.normalized)
        if question is not None:
            # Context is shared by every entry: what the message asks, and whether that is about the
            # FAQ at all, is read without it (双百双招的干部能养猫吗 is as unrelated as 干部能养猫吗).
            ranking = self.scorer.rank(self.prepare(question))
            candidates = self._without_context(candidates, self._read(question, ranking, limit))
        claim = claim_question(query, question or prepared.normalized)
        if claim is not None:
            # 听说每天补助两百块，是真的吗 asks how much: read as 每天补贴多少块 too, the surer reading stands.
            claimed_ranking = self.scorer.rank(self.prepare(claim))
            claimed = self._read(claim, claimed_ranking, limit)
            if claimed and claimed[0].score > candidates[0].score:
                candidates, ranking = claimed, claimed_ranking
        candidates = self._verbatim_first(prepared.rewritten, candidates)
        best = candidates[0].score
        second = candidates[1].score if len(candidates) > 1 else 0.0
        about = relevance(ranking.features, best)
        outcome = self.thresholds.decide(best, best - second, about)
        if outcome is Outcome.ANSWER and not self._asks_something(query, prepared):
            outcome = Outcome.SUGGEST
        related = outcome is not Outcome.DECLINE or self.focus.names_context(query, prepared.normalized)
        return MatchResult(query, prepared.normalized, outcome, candidates, related, information, about)

    def is_phrasing(self, query: str) -> bool:
        """Whether ``query`` is one of the FAQ's phrasings (or examples) word for word, after normalisation."""
        return phrases.rewrite(normalize(query, self.synonyms)) in self._verbatim

    def _asks_something(self, query: str, prepared: Query) -> bool:
        """Whether a message may be answered at all: it is one of the FAQ's phrasings word for word, says
        what it asks (还有呢 and 那个呢 do not), or names the FAQ's context (双百双招是什么)."""
        return (
            prepared.rewritten in self._verbatim
            or has_content(prepared.normalized)
            or self.focus.names_context(query, prepared.normalized)
        )

    def _verbatim_first(self, rewritten: str, candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """A question that is one of the FAQ's phrasings word for word: its entry first, fully sure.

        Staff who write a phrasing may rely on it being answered by its entry, whatever the model
        makes of the words around it.
        """
        owner = self._verbatim.get(rewritten)
        if owner is None:
            return candidates
        entry_id = self._entry_ids[owner]
        others = tuple(c for c in candidates if c.entry_id != entry_id)
        if any(self._near_twin(rewritten, other.question) for other in others[:1]):
            return candidates  # another entry is phrased almost the same: the FAQ itself is ambiguous here
        own = next((c.question for c in candidates if c.entry_id == entry_id), None)
        question = own or next(q for q, o in zip(self._originals, self._owners.tolist(), strict=True) if o == owner)
        return (Candidate(entry_id, question, 100.0), *others)

    def _near_twin(self, rewritten: str, question: str) -> bool:
        other = phrases.rewrite(normalize(question, self.synonyms))
        return fuzz.ratio(rewritten, other) >= NEAR_TWIN

    def _read(self, text: str, ranking: Ranking, limit: int) -> tuple[Candidate, ...]:
        """The candidates of one reading of a message (``ranking``, of ``text``), its closing clauses re-read."""
        candidates = self._top(ranking, limit)
        return self._focus(text, candidates, limit) if candidates else candidates

    @staticmethod
    def _without_context(whole: tuple[Candidate, ...], focused: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """Choose between the message read whole and read without its context.

        Context is shared by every entry, so the reading without it decides which entry is meant;
        when both readings agree, the more confident one stands.
        """
        if not focused:
            return whole
        if whole and whole[0].entry_id == focused[0].entry_id and whole[0].score > focused[0].score:
            return whole
        return focused

    def _candidates(self, prepared: Query, limit: int) -> tuple[Candidate, ...]:
        return self._top(self.scorer.rank(prepared), limit)

    def _top(self, ranking: Ranking, limit: int) -> tuple[Candidate, ...]:
        return tuple(
            Candidate(self._entry_ids[entry], self._originals[row], score) for entry, row, score in ranking.top(limit)
        )

    def _focus(self, query: str, candidates: tuple[Candidate, ...], limit: int) -> tuple[Candidate, ...]:
        """Re-read a message of several clauses by its closing clauses.

        Greetings, self-introductions and context (我是相山区的，刚听同事提起…)
        dilute a question: the whole message explains itself poorly, so its
        confidence drops although it ranks the right entry first.  The closing
        clauses, where the question usually stands, are matched alone (see
        :func:`spans`); they may raise the confidence in the entry the whole
        message ranks first (ahead, not tied), so a context clause cannot steer the answer elsewhere.

        They pick another entry only where the whole message is too unsure to be
        answered and two closing readings, one a clause longer than the other,
        agree on it: a preamble that names other topics (领导讲了五群十链，又讲
        了长三角…，五个淮北是哪五个) then no longer drowns the question, while a
        last clause that reads differently alone (…，补贴) still cannot.
        """
        chosen = candidates
        readings = [self._candidates(self.prepare(span), limit) for span in spans(query)]
        for found in readings:
            if (
                found
                and found[0].entry_id == candidates[0].entry_id
                and found[0].score > chosen[0].score
                and _leads(candidates)  # a tie at the top prefers neither entry: a clause cannot pick one
            ):
                chosen = found
        if chosen is candidates and candidates[0].score < self.thresholds.answer:
            for longer, shorter in itertools.pairwise(readings):
                if longer and shorter and longer[0].entry_id == shorter[0].entry_id and _leads(longer):
                    agreed = max(longer, shorter, key=lambda found: found[0].score)
                    if agreed[0].score > chosen[0].score:
                        chosen = agreed
        return chosen

    def coverage(self, question: str, entry_id: str) -> float:
        """The share of ``question`` that the phrasings of the entry ``entry_id`` contain (0 for an unknown entry)."""
        if entry_id not in self._positions:
            return 0.0
        return float(self.scorer.entry_coverage(self.prepare(question))[self._positions[entry_id]])

    def score(self, query: Query) -> list[Scored]:
        """Every candidate entry for ``query`` with its features and confidence, best first."""
        return self.scorer.rank(query).scored()

    @property
    def entry_ids(self) -> Sequence[str]:
        return self._entry_ids
