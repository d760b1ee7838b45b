"""Fuzzy matching of a question against the FAQ.

Chinese has no spaces to split on, so the index works on characters: every
question is read as *grams* (:mod:`bot.core.matching.grams`) weighted by how
rare they are across entries (IDF) and by how much each character says about
the meaning (:mod:`bot.core.matching.learned`).

A question is matched in two stages, both over a prepared index:

1. *Retrieval* (:mod:`bot.core.matching.index`) — a few sparse sums over
   compressed inverted indexes give, for every FAQ question, the TF-IDF cosine
   and how much of the query it covers, and for every entry how much of the
   query all its questions together cover.
2. *Scoring* (here, with :mod:`bot.core.matching.features`) — the best
   candidates get a handful of features; one logistic model ranks them, a
   second turns each candidate's features and lead over the runner-up into a
   0–100 confidence.

:class:`~bot.core.matching.thresholds.Thresholds` turn the best confidence and
its lead over the runner-up into one of three outcomes: answer, suggest or decline.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from bot.core.knowledge.model import Knowledge
from bot.core.matching import phrases
from bot.core.matching.features import LONE_LEAD, Weights, acceptance_inputs, change_risk
from bot.core.matching.focus import Focus
from bot.core.matching.grams import gram_keys
from bot.core.matching.index import GramIndex, Query, coverage, gather
from bot.core.matching.text import SynonymTable, clauses, load_converters, normalize, tokens
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


@dataclass(frozen=True)
class Scored:
    """The features of one candidate entry for one query (for calibration and tests)."""

    entry: int
    row: int
    features: tuple[float, ...]
    score: float


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
        self._entry_ids = [entry.id for entry in knowledge.entries]
        rewritten: list[str] = []
        originals: list[str] = []
        owners: list[int] = []
        for index, entry in enumerate(knowledge.entries):
            for question in entry.questions:
                normalized = normalize(question, self.synonyms)
                if normalized:
                    rewritten.append(phrases.rewrite(normalized))
                    originals.append(question)
                    owners.append(index)
        self._rewritten = rewritten
        self._originals = originals
        self._owners = np.asarray(owners, dtype=np.int32)
        # A phrasing asked word for word (after normalisation) is answered by its entry: the one
        # entry whose phrasings read so, or None where two entries share the phrasing.
        self._verbatim: dict[str, int | None] = {}
        for text, owner in zip(rewritten, owners, strict=True):
            self._verbatim[text] = owner if self._verbatim.get(text, owner) == owner else None
        shared: dict[frozenset[str], frozenset[str]] = {}
        self._forms = [shared.setdefault(found, found) for found in map(phrases.forms, rewritten)]
        self.index = GramIndex(rewritten, self._owners, len(self._entry_ids), self.weights)
        # What the entries say besides their phrasings: the answer, the paragraph of the article it
        # rests on, and the whole article.  An answer that only repeats a question (a benchmark FAQ
        # without answers) adds nothing, and nor does its paragraph.
        self._answer_grams: list[frozenset[int]] = []
        self._paragraph_grams: list[frozenset[int]] = []
        for entry in knowledge.entries:
            has_answer = entry.answer not in entry.questions
            self._answer_grams.append(gram_keys(entry.answer, self.synonyms) if has_answer else frozenset())
            paragraph = entry.passage.paragraph.text if entry.passage and has_answer else ""
            self._paragraph_grams.append(gram_keys(paragraph, self.synonyms))
        article = knowledge.article
        self._article_grams = gram_keys(" ".join(p.text for p in article.paragraphs) if article else "", self.synonyms)

    def prepare(self, query: str) -> Query:
        """Normalise ``query`` and weigh its grams against this index."""
        return self.index.prepare(normalize(query, self.synonyms))

    def match(self, query: str, limit: int = 5) -> MatchResult:
        """Match one question; never raises for any string."""
        prepared = self.prepare(query)
        information = prepared.total / self.index.unknown_idf
        if not prepared.normalized or not self._rewritten:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, (), information=information)
        candidates = self._candidates(prepared, limit)
        if not candidates:
            return MatchResult(query, prepared.normalized, Outcome.DECLINE, (), information=information)
        candidates = self._focus(query, candidates, limit)
        question = self.focus.question(query, prepared.normalized)
        if question is not None:
            candidates = self._without_context(candidates, self._read(question, limit))
        candidates = self._verbatim_first(prepared.rewritten, candidates)
        best = candidates[0].score
        second = candidates[1].score if len(candidates) > 1 else 0.0
        outcome = self.thresholds.decide(best, best - second)
        related = outcome is not Outcome.DECLINE or self.focus.names_context(query, prepared.normalized)
        return MatchResult(query, prepared.normalized, outcome, candidates, related, information)

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

    def _read(self, text: str, limit: int) -> tuple[Candidate, ...]:
        """The candidates for one reading of a message, its closing clauses re-read."""
        candidates = self._candidates(self.prepare(text), limit)
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
        scored = self.score(prepared)[:limit]
        return tuple(Candidate(self._entry_ids[item.entry], self._originals[item.row], item.score) for item in scored)

    def _focus(self, query: str, candidates: tuple[Candidate, ...], limit: int) -> tuple[Candidate, ...]:
        """Re-read a message of several clauses by its closing clauses.

        Greetings, self-introductions and context (我是相山区的，刚听同事提起…)
        dilute a question: the whole message explains itself poorly, so its
        confidence drops although it ranks the right entry first.  The closing
        clauses, where the question usually stands, are matched alone (see
        :func:`spans`); they may raise the confidence in the entry the whole
        message ranks first, so a context clause cannot steer the answer elsewhere.

        They pick another entry only where the whole message is too unsure to be
        answered and two closing readings, one a clause longer than the other,
        agree on it: a preamble that names other topics (领导讲了五群十链，又讲
        了长三角…，五个淮北是哪五个) then no longer drowns the question, while a
        last clause that reads differently alone (…，补贴) still cannot.
        """
        chosen = candidates
        readings = [self._candidates(self.prepare(span), limit) for span in spans(query)]
        for found in readings:
            if found and found[0].entry_id == candidates[0].entry_id and found[0].score > chosen[0].score:
                chosen = found
        if chosen is candidates and candidates[0].score < self.thresholds.answer:
            for longer, shorter in itertools.pairwise(readings):
                if longer and shorter and longer[0].entry_id == shorter[0].entry_id and _leads(longer):
                    agreed = max(longer, shorter, key=lambda found: found[0].score)
                    if agreed[0].score > chosen[0].score:
                        chosen = agreed
        return chosen

    def score(self, query: Query) -> list[Scored]:
        """Every candidate entry for ``query`` with its features and confidence, best first."""
        if not len(query.ids):
            return []
        index = self.index
        gram_ids = query.ids.tolist()
        q_weights = query.weights
        rows, row_values, row_q = gather(index.row_pointer, index.row_postings, gram_ids, q_weights, index.row_values)
        size = len(self._rewritten)
        dots = np.bincount(rows, weights=row_values * row_q, minlength=size)
        cosines = dots / (index.row_norms * query.norm)
        row_coverage = np.bincount(rows, weights=row_q, minlength=size) / query.total
        if query.pair_weights is not None:
            _, _, row_pairs = gather(index.row_pointer, index.row_postings, gram_ids, query.pair_weights)
            pair_coverage = np.bincount(rows, weights=row_pairs, minlength=size) / query.pair_total
        else:
            pair_coverage = np.zeros(size)
        row_recall = np.bincount(rows, weights=row_values, minlength=size) / index.row_totals
        entries, _, entry_q = gather(index.entry_pointer, index.entry_postings, gram_ids, q_weights)
        entry_coverage = np.bincount(entries, weights=entry_q, minlength=len(self._entry_ids)) / query.total

        depth = min(self.weights.rerank_depth, size)
        ranking = cosines + row_coverage
        top_rows = np.argpartition(-ranking, depth - 1)[:depth]
        candidates = {int(self._owners[row]) for row in top_rows.tolist() if ranking[row] > 0}
        entry_depth = min(self.weights.rerank_depth, len(self._entry_ids))
        top_entries = np.argpartition(-entry_coverage, entry_depth - 1)[:entry_depth]
        candidates.update(int(e) for e in top_entries.tolist() if entry_coverage[e] > 0)

        coefficients = self.weights.coefficients
        query_chars = set(tokens(query.rewritten))
        # How much the question says, in units of the rarest possible gram.
        information = query.total / index.unknown_idf
        log_information = math.log1p(information)
        article_coverage = coverage(query, self._article_grams)
        scored: list[Scored] = []
        for entry in candidates:
            start, end = index.entry_rows[entry]
            local = ranking[start:end]
            row = start + int(np.argmax(local))
            row_forms = self._forms[row]
            shared_form = bool(query.forms & row_forms)
            other_form = float(bool(query.forms) and bool(row_forms) and not shared_form)
            lengths = (len(query.rewritten), len(self._rewritten[row]))
            features = (
                float(cosines[row]),
                float(entry_coverage[entry]),
                float(row_coverage[row]),
                float(row_recall[row]),
                fuzz.ratio(query.rewritten, self._rewritten[row]) / 100.0,
                other_form,
                float(shared_form),
                min(lengths) / max(*lengths, 1),
                change_risk(query_chars, self._rewritten[row]),
                query.unknown,
                index.phrasings[entry],
                float(pair_coverage[row]),
                log_information,
                (1.0 - float(row_coverage[row])) * information,
                float(bool(query.forms) and not row_forms),
                (1.0 - float(entry_coverage[entry])) * information,
                coverage(query, self._answer_grams[entry]),
                coverage(query, self._paragraph_grams[entry]),
                article_coverage,
            )
            logit = self.weights.bias + sum(c * f for c, f in zip(coefficients, features, strict=True))
            scored.append(Scored(entry, row, features, logit))
        return self._confidences(scored)

    def _confidences(self, scored: list[Scored]) -> list[Scored]:
        """Turn ranking logits into 0–100 confidences, in ranking order.

        A candidate is never more confident than one ranked above it, so the
        scores fall from the first candidate on.
        """
        scored.sort(key=lambda item: (-item.score, item.entry))
        bias, *coefficients = self.weights.acceptance
        result = []
        ceiling = 100.0
        for position, item in enumerate(scored):
            other = scored[1 if position == 0 else 0].score if len(scored) > 1 else item.score - LONE_LEAD
            values = acceptance_inputs(item.features, item.score - other)
            logit = bias + sum(c * v for c, v in zip(coefficients, values, strict=True))
            ceiling = min(ceiling, 100.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0))))
            result.append(Scored(item.entry, item.row, item.features, round(ceiling, 1)))
        return result

    @property
    def entry_ids(self) -> Sequence[str]:
        return self._entry_ids
