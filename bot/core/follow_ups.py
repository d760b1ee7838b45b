"""Reading a follow-up: a question that may lean on the answer before it.

After 先锋团有多少人 a cadre asks 那书记是谁？; after a question about allowances, 那住宿呢？.
Alone such a question is elliptical.  :func:`read_follow_up` decides whether a question asked
after an answered :class:`Turn` stands on its own, names a subject of its own, or is read together
with the turn before, and what it then gets.  The conversation keeps the turns
(:class:`bot.core.conversation.Memory`); this module only reads.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from bot.core.matching.focus import has_content, is_question
from bot.core.matching.matcher import Candidate, Matcher, MatchResult
from bot.core.matching.text import clean, normalize
from bot.core.matching.thresholds import Outcome, Thresholds

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
# A question read with the turn before and answered by the same entry asks more about it when that entry's
# phrasings contain at least this share of the question's weight (see continues).  Chosen on the tuning part
# (sets A–H): follow-ups right 31 → 39 of 130, no more wrong answers there or after another turn; from 0.65
# up no share adds a wrong answer (0.65: 41 right, 0.8: 34), 0.55 and 0.6 one, 0.4 two and one follow-up.
# With set I (A–I, 145 follow-ups) any share from 0.55 up adds no wrong answer: 0.7 gives 47 right, 0.6 52,
# 0.55 53 and 0.5 54 with one more wrong answer after another turn; 0.6 keeps a step from that edge.
CONTINUATION_COVERAGE = 0.6
# A marked follow-up whose earlier entry, alone, is among its first three but below this confidence does not
# lean on it (他们回来都提拔了吗 ranks history_gains third at 0.2 after 以前派去的干部怎么样了).  Chosen on the
# tuning part (sets A–J): follow-ups answered wrongly 9 → 7; any floor from 0.5 to 2 does the same, 1 gives one
# right answer fewer than 0.5 (60 of 162) and sits in the middle.
EARLIER_SUPPORT = 1.0

# A pronoun for one person or thing (他, 她; not 他们).
_PRONOUN_RE = re.compile(r"[他她](?!们)")

# A question marked as leaning on the one before: it opens with 那/还有, points with a pronoun or at what
# was said (这样做图个啥), or asks 呢 (那先锋团呢, 他去的哪里, 具体哪天, 一共多少人).  这样做 and its kin: on the
# tuning part (sets A–I) one follow-up answered wrongly fewer, one right more; a bare 这样/这么 (这么长) one
# question asked after another answer right fewer.
_OPENERS_RE = re.compile(r"^(?:那么|那|还有|另外|其他的?|其余的?|再问|然后|具体|一共|总共|他们|她们|他|她|它)")
_POINTERS_RE = re.compile(
    r"他|她|它|这个人|那个人|这些人|那些人|其中|前面说的|刚才说的|上面说的|这几个|那几个|这样做|这么做|这样搞|这么搞"
)
# 那X呢: the same question about another subject, named here (那住宿呢 after 有补贴吗).
_WHAT_ABOUT_RE = re.compile(r"^(?:那么|那|还有)(?P<subject>\w+?)(?:呢|吗)?\W*$")
_OTHERS_RE = re.compile(r"别的|其他|其它|其余")
# Asking for the last answer again or in more detail, or whom to ask about it: right after an answer,
# such a message is about that answer (再说一遍, 没看清, 具体说说, 详细点, 找谁问, 问哪个部门).
_ABOUT_THE_ANSWER_RE = re.compile(
    r"再(?:说|讲|发|讲解)(?:一遍|一次|一下)|重复一(?:遍|下)|一遍|没(?:太)?(?:看清|看懂|听懂|明白)"
    r"|(?:详细|具体)(?:点|一点|些|一些|说说|讲讲|说一下|讲一下|介绍一下|介绍)|展开(?:说说|讲讲)|多说点|说详细点|讲详细点"
    r"|找谁|问谁|联系谁|咨询谁|跟谁联系|找哪位|(?:找|问|联系|咨询)哪个(?:部门|单位)"
)


@dataclass(frozen=True)
class Turn:
    """A question the bot replied to: what it asked (as read), the entry it was answered with or that led
    its suggestions, and whether it was answered."""

    question: str
    entry_id: str
    answered: bool = True


def leans_back(question: str) -> bool:
    """Whether a question is marked as leaning on the turn before: 那/具体/还有… first, 他/其中, or a closing 呢."""
    text = clean(question).strip()
    return bool(_OPENERS_RE.match(text) or _POINTERS_RE.search(text) or re.sub(r"[\W_]+", "", text).endswith("呢"))


def new_subject_of(question: str) -> str | None:
    """The subject a follow-up names of its own (住宿 in 那住宿呢, 许大鹏 in 那许大鹏呢), or None.

    还有呢 and 还有别的吗 name none, and 那些人… points back.
    """
    text = clean(question).strip()
    match = _WHAT_ABOUT_RE.match(text)
    if match is None or _POINTERS_RE.search(text):
        return None
    subject = match.group("subject")
    return subject if not _OTHERS_RE.match(subject) and has_content(normalize(subject)) else None


def names_new_subject(question: str) -> bool:
    """Whether a follow-up names its own subject (:func:`new_subject_of`): read alone first."""
    return new_subject_of(question) is not None


def asks_about_the_answer(question: str) -> bool:
    """Whether a message asks only for the last answer again, in more detail, or whom to ask about it.

    能再说一遍吗, 具体说说, 那这个找谁问 say nothing of their own; 补贴找谁问 names its subject and is
    read as any other question.
    """
    text = clean(question)
    return bool(_ABOUT_THE_ANSWER_RE.search(text)) and not has_content(normalize(_ABOUT_THE_ANSWER_RE.sub(" ", text)))


def named_again(matcher: Matcher, question: str, previous: Turn) -> MatchResult | None:
    """A follow-up pointing with a pronoun at the earlier entry's subject, read with the subject named.

    他原来在哪个单位 after 孔彬是谁 asks 孔彬原来在哪个单位 (:attr:`Matcher.subjects`); it is taken when that
    reading is answered, and otherwise read as any other follow-up.  On the tuning part (sets A–L):
    follow-ups right 5 more and one answered wrongly fewer, nothing else changed.
    """
    subject = matcher.subjects.get(previous.entry_id)
    if subject is None or not _PRONOUN_RE.search(question):
        return None
    named = matcher.match(_PRONOUN_RE.sub(subject, question, count=1))
    return named if named.outcome is Outcome.ANSWER else None


def asked_of_new_subject(matcher: Matcher, question: str, previous: Turn) -> MatchResult | None:
    """那孔彬呢 after 王程俊是哪个单位的: the earlier question asked of the subject named instead of the earlier
    entry's (孔彬是哪个单位的); taken when that reading is answered with another entry, and otherwise read as
    any other follow-up naming its own subject.  On the tuning part (sets A–L): follow-ups right 83 → 85 of
    198, nothing else changed.
    """
    subject = matcher.subjects.get(previous.entry_id)
    named = new_subject_of(question)
    if subject is None or named is None:
        return None
    earlier = normalize(previous.question, matcher.synonyms)  # subjects are normalised (五群十链: 群10链)
    if subject not in earlier:
        return None
    asked = matcher.match(earlier.replace(subject, named, 1))
    best = asked.best
    return (
        asked if asked.outcome is Outcome.ANSWER and best is not None and best.entry_id != previous.entry_id else None
    )


def new_entry_confirmed(followed: MatchResult, alone: MatchResult, previous: Turn, thresholds: Thresholds) -> bool:
    """Whether a follow-up read with the turn before, only suggested, may be answered after all.

    The earlier question dilutes the reading, so its confidence runs low; it is answered at
    :data:`FOLLOW_UP_ANSWER_SHARE` of the answer limit when it points to another entry than the
    one before, leads by the usual margin, and the question alone ranks that entry among its first three.
    """
    best = followed.best
    return (
        best is not None
        and suggests_another_entry(followed, previous)
        and best.score >= FOLLOW_UP_ANSWER_SHARE * thresholds.answer
        and followed.margin >= thresholds.margin
        and any(candidate.entry_id == best.entry_id for candidate in alone.candidates[:SUGGESTION_COUNT])
    )


def suggests_another_entry(result: MatchResult, previous: Turn) -> bool:
    """Whether ``result`` is unsure and its best entry is not the one answered before."""
    return result.outcome is Outcome.SUGGEST and result.best is not None and result.best.entry_id != previous.entry_id


def about_new_subject(alone: MatchResult, previous: Turn, thresholds: Thresholds) -> MatchResult:
    """A follow-up that names its own subject (那住宿呢 after 有补贴吗), read alone.

    It asks the question before about another subject, so what it says alone is short and its
    confidence low; an entry other than the one before that leads the others by
    :data:`NEW_SUBJECT_LEAD` times the usual lead is what it asks about, and is answered.
    """
    if suggests_another_entry(alone, previous) and alone.margin >= NEW_SUBJECT_LEAD * thresholds.margin:
        return dataclasses.replace(alone, outcome=Outcome.ANSWER)
    return alone


def echoes(followed: MatchResult, alone: MatchResult, previous: Turn, marked: bool) -> bool:
    """Whether a follow-up read with the turn before only finds the earlier entry again, by its weight.

    It does when the question alone points to another entry and, if it is marked as leaning back, does
    not rank the earlier one among its first three with at least :data:`EARLIER_SUPPORT` (a marked
    question may still ask more about the earlier entry: 许大鹏是谁 → 他是团长吗).  Widened to marked follow-ups on the tuning part (sets A–F):
    confident wrong answers in conversations 22 → 18, four right fewer.
    """
    if alone.outcome is Outcome.DECLINE or alone.best is None or followed.best is None:
        return False
    earlier = previous.entry_id
    if alone.best.entry_id == earlier or followed.best.entry_id != earlier:
        return False
    return not marked or all(
        c.entry_id != earlier or c.score < EARLIER_SUPPORT for c in alone.candidates[:SUGGESTION_COUNT]
    )


def unrelated_alone(alone: MatchResult, marked: bool) -> bool:
    """Whether a question, alone, is not about the FAQ and does not lean back.

    Read with the turn before, such a question (今天星期几 after 每年派多少人) finds the earlier entry by
    that turn's weight alone, so it is at most given suggestions.  A follow-up that says this little and
    is about the answer (找谁问, 能再说一遍吗) is read as such before (:func:`asks_about_the_answer`).
    Until that rule, only a question saying at least 5.5 units was held to suggestions; on the tuning part
    (sets A–J) any limit from 0 to 5.5 answers as many follow-ups right, and 1 or less one question fewer
    wrongly after another answer (huaibei tianqi after 回来能提拔不), so there is none.
    """
    return not marked and alone.outcome is Outcome.DECLINE


def continues(matcher: Matcher, question: str, followed: MatchResult, previous: Turn) -> bool:
    """Whether a question asks more about the entry answered before: it asks something (:func:`is_question`),
    read with that turn it is answered by the same entry, and that entry's phrasings contain most of what it
    says (:data:`CONTINUATION_COVERAGE`).

    他要派去哪 after 王程俊是哪个单位的 and 有名单吗 after 今年有多少岗位 say little alone and point
    elsewhere (to the destinations, to the pioneer team), but the earlier entry is phrased to answer them.
    A keyword that asks nothing (先锋团 after 王程俊去的是哪) names its own subject: on the tuning part
    (sets A–J) questions answered wrongly after another answer 13 → 11, one answered right fewer.
    """
    best = followed.best
    return (
        is_question(question)
        and followed.outcome is Outcome.ANSWER
        and best is not None
        and best.entry_id == previous.entry_id
        and matcher.coverage(question, previous.entry_id) >= CONTINUATION_COVERAGE
    )


def repeated(matcher: Matcher, previous: Turn) -> MatchResult:
    """The turn before given again: its entry answered if it was answered, else its question read again.

    An entry removed by a reload since is no longer given; the question is read again instead.
    """
    again = matcher.match(previous.question)
    entry = matcher.knowledge.get(previous.entry_id)
    if not previous.answered or entry is None:
        return again
    earlier = Candidate(entry.id, entry.questions[0], 100.0)
    return dataclasses.replace(again, outcome=Outcome.ANSWER, candidates=(earlier,), related=True)


def with_context(question: str, previous: Turn) -> str:
    """The follow-up read together with the question it follows."""
    return f"{previous.question}，{question}"


def read_follow_up(matcher: Matcher, question: str, alone: MatchResult, previous: Turn) -> tuple[MatchResult, str]:
    """How to read a question asked after ``previous``: the result, and the context it was read in ("" for none).

    A pronoun standing for the earlier entry's subject is read as that subject (:func:`named_again`), and
    那X呢 asks the earlier question of X instead (:func:`asked_of_new_subject`).
    A message asking for the last answer again, in more detail or whom to ask (能再说一遍吗, 找谁问:
    :func:`asks_about_the_answer`) gets what the earlier question gets.  A question that names its own
    subject (那许大鹏呢) is read alone (:func:`about_new_subject`).  Any other is read together with the
    turn before (:func:`read_together`) unless nothing marks it as leaning back (:func:`leans_back`)
    and it is answered alone.
    """
    named = named_again(matcher, question, previous)
    if named is not None:
        return named, named.query
    if asks_about_the_answer(question):
        again = repeated(matcher, previous)
        if again.outcome is not Outcome.DECLINE:
            return again, previous.question
    new_subject = names_new_subject(question)
    asked = asked_of_new_subject(matcher, question, previous) if new_subject else None
    if asked is not None:
        return asked, asked.query
    if new_subject and alone.outcome is not Outcome.DECLINE:
        return about_new_subject(alone, previous, matcher.thresholds), ""
    marked = leans_back(question)
    if not marked and alone.outcome is Outcome.ANSWER:
        return alone, ""
    return read_together(matcher, question, alone, previous, marked=marked, new_subject=new_subject)


def read_together(
    matcher: Matcher, question: str, alone: MatchResult, previous: Turn, *, marked: bool, new_subject: bool
) -> tuple[MatchResult, str]:
    """A question not answered alone (or marked as leaning back) read together with the turn before.

    A question that asks more about the entry answered before is answered by it (:func:`continues`);
    otherwise one that says too much to be a follow-up stands on its own
    (:data:`SELF_CONTAINED_INFORMATION`).  The earlier question weighs more than a short follow-up,
    so a reading that only finds the earlier entry again is the earlier question echoing
    (:func:`echoes`): the question then only gets suggestions, since alone it misses what it leans
    on: what it points to alone, and the earlier entry (on tuning: follow-ups helped 78 → 84 %).  For
    the same reason a question that alone is not about the FAQ at all is at most given suggestions
    (:func:`unrelated_alone`), and so is one naming a subject of its own (``new_subject``) that alone
    is not understood, where the reading finds the earlier entry again.
    """
    standalone = not marked and alone.information >= SELF_CONTAINED_INFORMATION
    followed = matcher.match(with_context(question, previous))
    if continues(matcher, question, followed, previous):
        return followed, followed.query
    if standalone:
        return alone, ""
    if echoes(followed, alone, previous, marked):
        # Suggested: what the question alone points to, and the earlier entry it may lean on.
        others = [candidate for candidate in alone.candidates if candidate.entry_id != previous.entry_id]
        offered = (*others[: SUGGESTION_COUNT - 1], followed.candidates[0])
        return dataclasses.replace(alone, outcome=Outcome.SUGGEST, candidates=offered), ""
    if new_entry_confirmed(followed, alone, previous, matcher.thresholds):
        followed = dataclasses.replace(followed, outcome=Outcome.ANSWER)
    elif followed.outcome is Outcome.ANSWER and (
        unrelated_alone(alone, marked) or (new_subject and followed.candidates[0].entry_id == previous.entry_id)
    ):
        # 那最终目标呢 asks about something the earlier entry is not (on the tuning part of sets A–H:
        # follow-ups answered wrongly 8 → 7, none answered right fewer).
        followed = dataclasses.replace(followed, outcome=Outcome.SUGGEST)
    usable = followed.outcome is Outcome.ANSWER or (
        followed.outcome is Outcome.SUGGEST and (marked or alone.outcome is Outcome.DECLINE)
    )
    return (followed, followed.query) if usable else (alone, "")
