"""How the bot reads a question asked after an answer: follow-ups, and what a conversation remembers.

Tables written for these tests (not taken from the labelled question file), over the shipped FAQ.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.conversation import Memory
from bot.core.follow_ups import (
    CONTINUATION_COVERAGE,
    Turn,
    about_new_subject,
    asked_of_new_subject,
    asks_about_the_answer,
    continues,
    echoes,
    leans_back,
    named_again,
    names_new_subject,
    new_entry_confirmed,
    repeated,
    with_context,
)
from bot.core.knowledge.faq_file import check_faq
from bot.core.matching.matcher import Candidate, Matcher, MatchResult
from bot.core.matching.thresholds import Outcome, Thresholds
from tests.shipped import responder, shipped


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("那先锋团呢？", True),
        ("他去的哪里？", True),
        ("一共多少人？", True),
        ("那住宿呢", True),
        ("具体哪天", True),
        ("其中有几个是园区", True),
        ("这样做图个啥", True),  # points back at what was said
        ("为啥定这么长", False),  # 这么 grades 长; it points at nothing said
        ("先锋团有多少人", False),
        ("每年选派多少干部", False),
        ("补贴", False),  # a keyword: short, but its own subject
        ("找谁问？", False),  # not marked: read with the last answer only because it is not understood alone
    ],
)
def test_questions_marked_as_leaning_back(text: str, marked: bool) -> None:
    assert leans_back(text) is marked


@pytest.mark.parametrize(
    ("first", "question"),
    [
        ("孔彬是谁", "补贴"),  # a keyword after a question about a person
        ("先锋团有多少人", "每年选派多少干部"),
        ("去哪些城市", "一共多少个岗位"),  # opens with 一共, yet understood alone
        ("要去多长时间", "宜兴"),
        ("王程俊是谁啊", "推荐一部电影"),  # unrelated: the earlier question must not answer it
        ("要去多久", "苏州有什么好吃的"),
        ("有补贴吗", "出发前要交哪些材料"),  # says too much to be a follow-up
    ],
)
def test_a_question_that_stands_alone_gets_the_same_reply_after_another_answer(first: str, question: str) -> None:
    turn = responder().reply(first).turn
    assert turn is not None
    alone, after = responder().reply(question), responder().reply(question, previous=turn)
    assert (after.outcome, after.entry_id) == (alone.outcome, alone.entry_id)


@pytest.mark.parametrize(
    ("first", "question"),
    [
        ("学习锻炼要多久", "今天是星期几啊"),
        ("王程俊研究了哪些企业", "我的手机坏了"),
        ("先锋团啥时候出发", "今天吃什么"),
    ],
)
def test_an_unrelated_question_after_an_answer_does_not_get_that_answer_again(first: str, question: str) -> None:
    """Read with the turn before, the earlier entry would answer it by that turn's weight alone."""
    turn = responder().reply(first).turn
    assert turn is not None
    assert responder().reply(question).outcome is Outcome.DECLINE
    assert responder().reply(question, previous=turn).outcome is not Outcome.ANSWER


@pytest.mark.parametrize(
    ("first", "question"),
    [
        ("先锋团有多少人", "那房价呢"),
        ("王程俊是谁", "那股票呢？"),
        ("双百双招的目的是什么", "那油价呢"),
    ],
)
def test_a_new_subject_not_understood_alone_does_not_get_the_earlier_answer_again(first: str, question: str) -> None:
    """那X呢 asks the question before about X; read with it, the earlier entry is found by that question's weight."""
    turn = responder().reply(first).turn
    assert turn is not None
    assert names_new_subject(question)
    assert responder().reply(question).outcome is not Outcome.ANSWER
    assert responder().reply(question, previous=turn).outcome is not Outcome.ANSWER


@pytest.mark.parametrize(
    ("first", "question", "entry_id"),
    [
        ("有补贴吗", "找谁问？", "nc_allowance"),
        ("这篇文章是谁写的", "发在哪个网站？", "source"),
    ],
)
def test_a_question_not_understood_alone_is_read_with_the_last_answer(first: str, question: str, entry_id: str) -> None:
    turn = responder().reply(first).turn
    assert turn is not None
    assert responder().reply(question).outcome is Outcome.DECLINE
    after = responder().reply(question, previous=turn)
    assert after.outcome is not Outcome.DECLINE
    assert after.entry_id == entry_id


@pytest.mark.parametrize(
    ("first", "follow_up", "entry_id"),
    [
        ("王程俊是谁", "他去的哪里？", "wang_chengjun"),
        ("有补贴吗", "那住宿呢？", "nc_accommodation"),
        ("先锋团有多少人", "那书记是谁？", "kong_bin"),
    ],
)
def test_a_follow_up_is_read_with_the_last_answer(first: str, follow_up: str, entry_id: str) -> None:
    turn = responder().reply(first).turn
    assert turn is not None
    reply = responder().reply(follow_up, previous=turn)
    assert reply.entry_id == entry_id
    assert reply.outcome is not Outcome.DECLINE


@pytest.mark.parametrize(
    ("first", "follow_up", "entry_id", "read_as"),
    [
        # a pronoun stands for the person the last answer is about
        ("孔彬是谁", "他说了什么", "cadre_tempering", "孔彬说了什么"),  # another entry about the same person
        ("王程俊去哪了", "他原来是哪个单位的", "wang_chengjun", "王程俊原来是哪个单位的"),
        # 那X呢 asks the earlier question of another person
        ("许大鹏是哪个单位的", "那王程俊呢", "wang_chengjun", "王程俊是哪个单位的"),
        ("孔彬是干什么的", "那许大鹏呢？", "xu_dapeng", "许大鹏是干什么的"),
    ],
)
def test_a_follow_up_about_a_person_is_read_with_the_person_named(
    first: str, follow_up: str, entry_id: str, read_as: str
) -> None:
    turn = responder().reply(first).turn
    assert turn is not None
    reply = responder().reply(follow_up, previous=turn)
    assert (reply.outcome, reply.entry_id) == (Outcome.ANSWER, entry_id)
    assert reply.turn == Turn(read_as, entry_id)  # the next follow-up leans on the question as read


def test_a_plural_pronoun_or_an_entry_without_a_subject_is_not_named_again() -> None:
    matcher = shipped().matcher
    assert named_again(matcher, "他们有补贴吗", Turn("王程俊去哪了", "wang_chengjun")) is None
    assert named_again(matcher, "他是谁", Turn("先锋团有多少人", "pioneer_team")) is None  # no subject


@pytest.mark.parametrize(
    ("follow_up", "previous"),
    [
        ("那孔彬呢", Turn("先锋团有多少人", "pioneer_team")),  # the earlier entry names no subject
        ("那住宿呢", Turn("孔彬是谁", "kong_bin")),  # 住宿是谁 is not answered
        ("那孔彬呢", Turn("他是什么职务", "kong_bin")),  # the earlier question does not say its subject
        ("孔彬呢", Turn("许大鹏是谁", "xu_dapeng")),  # not 那X呢
    ],
)
def test_what_about_is_asked_of_a_new_subject_only_where_it_can_be(follow_up: str, previous: Turn) -> None:
    assert asked_of_new_subject(shipped().matcher, follow_up, previous) is None


def test_the_subject_of_an_entry_is_what_its_phrasings_name() -> None:
    subjects = shipped().matcher.subjects
    assert subjects["kong_bin"] == "孔彬"
    assert subjects["xu_dapeng"] == "许大鹏"  # at its longest, not 许大
    assert subjects["wang_chengjun"] == "王程俊"
    assert "duration" not in subjects  # its phrasings share no word of their own


def test_another_faq_names_its_own_subjects(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(
        "entries:\n"
        "  - id: teacher\n"
        "    questions: [张老师是谁, 张老师教什么课, 带班的张老师从哪来]\n"
        "    answer: 张老师是班主任。\n"
        "  - id: place\n"
        "    questions: [在哪里上课, 上课地点]\n"
        "    answer: 在市委党校。\n",
        encoding="utf-8",
    )
    knowledge, problems = check_faq(tmp_path)
    assert knowledge is not None, problems
    assert Matcher(knowledge).subjects == {"teacher": "张老师", "place": "上课"}


@pytest.mark.parametrize(
    ("text", "about_the_answer"),
    [
        ("能再说一遍吗", True),
        ("再讲一遍", True),
        ("没看懂", True),
        ("详细点", True),
        ("具体说说？", True),
        ("展开讲讲", True),
        ("找谁问", True),
        ("那这个问谁", True),
        ("问哪个部门呢", True),
        ("补贴找谁问", False),  # names its own subject
        ("具体哪天", False),  # asks when
        ("有详细名单吗", False),
        ("谁来选", False),
    ],
)
def test_a_message_asking_about_the_last_answer(text: str, about_the_answer: bool) -> None:
    assert asks_about_the_answer(text) is about_the_answer


@pytest.mark.parametrize(
    ("first", "asked", "entry_id"),
    [
        ("要去多长时间", "能再说一遍吗", "duration"),
        ("住宿怎么安排", "那这个找谁问", "nc_accommodation"),
        ("先锋团有多少人", "具体说说", "pioneer_team"),
    ],
)
def test_asked_again_right_after_an_answer_the_answer_is_given_again(first: str, asked: str, entry_id: str) -> None:
    turn = responder().reply(first).turn
    assert turn is not None and turn.entry_id == entry_id
    assert responder().reply(asked).outcome is not Outcome.ANSWER  # alone it asks nothing
    again = responder().reply(asked, previous=turn)
    assert (again.outcome, again.entry_id) == (Outcome.ANSWER, entry_id)
    assert again.turn == turn  # a further follow-up leans on the same question


def test_an_entry_removed_since_is_not_given_again() -> None:
    """After a reload that removed the entry, the earlier question is read again instead."""
    again = repeated(shipped().matcher, Turn("要去多长时间", "removed_entry"))
    assert again.best is not None and again.best.entry_id == "duration"


def test_asked_again_the_last_answer_is_given_as_it_was() -> None:
    """An answer given below the answer limit is given again; suggestions are offered again."""
    turn = responder().reply("住宿怎么安排").turn
    assert turn is not None
    below = responder().reply("那家属呢", previous=turn)  # answered below the limit: a new subject
    assert below.turn == Turn("那家属呢", "nc_family", answered=True)
    assert responder().reply("那家属呢").outcome is Outcome.SUGGEST
    again = responder().reply("能再说一遍吗", previous=below.turn)
    assert (again.outcome, again.entry_id) == (Outcome.ANSWER, "nc_family")
    unsure = responder().reply("那个大会全称叫啥")
    assert unsure.outcome is Outcome.SUGGEST and unsure.turn is not None and not unsure.turn.answered
    offered = responder().reply("再说一遍", previous=unsure.turn)
    assert offered.outcome is Outcome.SUGGEST
    assert [link.entry_id for link in offered.suggestions] == [link.entry_id for link in unsure.suggestions]


@pytest.mark.parametrize(
    ("first", "follow_up", "entry_id"),
    [
        ("对标学习学什么", "学完交什么成果", "task_learning"),  # says enough to stand alone, yet only suggested
        ("要学习别人什么", "学完交啥", "task_learning"),  # alone it points elsewhere (lodging)
        ("先锋团都有谁", "有没有名单", "pioneer_team"),
        ("岗位怎么挑的", "由谁来挑", "post_selection"),
    ],
)
def test_a_follow_up_asking_more_about_the_earlier_entry_is_answered_by_it(
    first: str, follow_up: str, entry_id: str
) -> None:
    turn = responder().reply(first).turn
    assert turn is not None and turn.entry_id == entry_id
    assert responder().reply(follow_up).outcome is not Outcome.ANSWER
    after = responder().reply(follow_up, previous=turn)
    assert (after.outcome, after.entry_id) == (Outcome.ANSWER, entry_id)


def test_coverage_is_how_much_of_a_question_an_entrys_phrasings_contain() -> None:
    matcher = shipped().matcher
    assert matcher.coverage("有没有名单", "pioneer_team") >= CONTINUATION_COVERAGE
    assert matcher.coverage("股票怎么买", "posts_count") < 0.2
    assert matcher.coverage("先锋团有多少人", "pioneer_team") == pytest.approx(1.0)  # a phrasing of it
    assert matcher.coverage("先锋团有多少人", "duration") < 0.5  # another entry (how_many's examples say 先锋团…人)
    assert matcher.coverage("先锋团有多少人", "no_such_entry") == 0.0


@pytest.mark.parametrize(
    ("text", "new_subject"),
    [
        ("那许大鹏呢？", True),
        ("那住宿呢", True),
        ("那他呢", False),
        ("那些人收获大不大", False),  # 那些人 points back; it names no subject of its own
        ("那个人是干什么的", False),
        ("还有呢", False),  # no subject at all
        ("还有别的吗", False),  # 别的 points to the rest of what was said
        ("那大会呢", True),
    ],
)
def test_a_follow_up_that_names_its_own_subject(text: str, new_subject: bool) -> None:
    assert names_new_subject(text) is new_subject


def test_a_follow_up_pointing_back_is_answered_with_the_entry_both_readings_find() -> None:
    turn = responder().reply("以前派过几批干部").turn
    assert turn is not None and turn.entry_id == "history"
    after = responder().reply("那些人收获大不大", previous=turn)
    assert (after.outcome, after.entry_id) == (Outcome.ANSWER, "history_gains")


@pytest.mark.parametrize(
    ("first", "follow_up"),
    [
        ("“在火线上锤炼”这话出自哪篇讲话", "他是做什么的？"),  # 他: the man who said it, not the quote
        ("锤炼干部那句话谁说的", "那他是什么职务"),
        ("先锋团的书记是谁", "他在会上讲了啥"),  # what he said is another entry than who he is
    ],
)
def test_a_follow_up_that_only_echoes_the_earlier_question_is_not_answered(first: str, follow_up: str) -> None:
    turn = responder().reply(first).turn
    assert turn is not None
    reply = responder().reply(follow_up, previous=turn)
    assert reply.outcome is Outcome.SUGGEST
    assert reply.entry_id != turn.entry_id
    assert turn.entry_id in [link.entry_id for link in reply.suggestions]  # it may still lean on it


_LIMITS = Thresholds(answer=60.0, margin=10.0)


def _result(outcome: Outcome, *scored: tuple[str, float]) -> MatchResult:
    return MatchResult("q", "q", outcome, tuple(Candidate(entry_id, entry_id, score) for entry_id, score in scored))


@pytest.mark.parametrize(
    ("followed", "alone", "confirmed"),
    [
        (_result(Outcome.SUGGEST, ("b", 35.0), ("a", 5.0)), _result(Outcome.SUGGEST, ("c", 9.0), ("b", 8.0)), True),
        (
            _result(Outcome.SUGGEST, ("a", 35.0), ("b", 5.0)),
            _result(Outcome.SUGGEST, ("a", 9.0)),
            False,
        ),  # the entry before
        (
            _result(Outcome.SUGGEST, ("b", 25.0), ("a", 5.0)),
            _result(Outcome.SUGGEST, ("b", 9.0)),
            False,
        ),  # under half the limit
        (_result(Outcome.SUGGEST, ("b", 35.0), ("c", 30.0)), _result(Outcome.SUGGEST, ("b", 9.0)), False),  # no lead
        (
            _result(Outcome.SUGGEST, ("b", 35.0), ("a", 5.0)),
            _result(Outcome.SUGGEST, ("c", 9.0), ("d", 8.0), ("e", 7.0), ("b", 6.0)),
            False,  # the question alone does not rank it among its first three
        ),
        (_result(Outcome.DECLINE, ("b", 35.0)), _result(Outcome.SUGGEST, ("b", 9.0)), False),
    ],
)
def test_when_a_suggested_follow_up_is_answered(followed: MatchResult, alone: MatchResult, confirmed: bool) -> None:
    assert new_entry_confirmed(followed, alone, Turn("q", "a"), _LIMITS) is confirmed


@pytest.mark.parametrize(
    ("followed", "alone", "marked", "echo"),
    [
        # read with the turn before it finds entry a again; alone it points to b and ranks a nowhere
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.SUGGEST, ("b", 30.0), ("c", 9.0)), True, True),
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.SUGGEST, ("b", 30.0), ("a", 9.0)), False, True),
        # marked as leaning back, it may ask more about a, which it ranks among its first three
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.SUGGEST, ("b", 30.0), ("a", 9.0)), True, False),
        # ranked second alone but with next to no confidence (0.2): it does not lean on a
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.SUGGEST, ("b", 50.0), ("a", 0.2)), True, True),
        (_result(Outcome.ANSWER, ("b", 80.0)), _result(Outcome.SUGGEST, ("b", 30.0)), True, False),  # another entry
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.SUGGEST, ("a", 30.0)), True, False),  # alone too
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.DECLINE, ("b", 0.5)), True, False),  # alone: nothing
    ],
)
def test_when_a_follow_up_echoes_the_turn_before(
    followed: MatchResult, alone: MatchResult, marked: bool, echo: bool
) -> None:
    assert echoes(followed, alone, Turn("q", "a"), marked) is echo


@pytest.mark.parametrize(
    ("first", "entry_id", "question", "continued"),
    [
        ("今年一共有多少个岗位", "posts_count", "有名单吗", True),
        (
            "王程俊去的是哪",
            "wang_chengjun",
            "先鋒團",
            False,
        ),  # the entry's phrasings name the team, but it asks nothing
        ("团旗谁接的", "flag_ceremony", "2月8日 大会", False),
    ],
)
def test_a_continuation_asks_something(first: str, entry_id: str, question: str, continued: bool) -> None:
    """Read with the turn before, each is answered by the earlier entry, whose phrasings contain most of it."""
    matcher, turn = shipped().matcher, Turn(first, entry_id)
    followed = matcher.match(with_context(question, turn))
    assert (followed.outcome, getattr(followed.best, "entry_id", None)) == (Outcome.ANSWER, entry_id)
    assert matcher.coverage(question, entry_id) >= CONTINUATION_COVERAGE
    assert continues(matcher, question, followed, turn) is continued


def test_a_follow_up_naming_a_new_subject_is_answered_below_the_limit() -> None:
    turn = responder().reply("住宿怎么安排").turn
    assert turn is not None and turn.entry_id == "nc_accommodation"
    assert responder().reply("那家属呢").outcome is Outcome.SUGGEST  # alone it is unsure
    after = responder().reply("那家属呢", previous=turn)
    assert (after.outcome, after.entry_id) == (Outcome.ANSWER, "nc_family")


@pytest.mark.parametrize(
    ("alone", "answered"),
    [
        (_result(Outcome.SUGGEST, ("b", 30.0), ("c", 9.0)), True),  # leads by twice the limits' lead of 10
        (_result(Outcome.SUGGEST, ("b", 30.0), ("c", 11.0)), False),  # by less
        (_result(Outcome.SUGGEST, ("a", 30.0), ("c", 5.0)), False),  # the entry before
        (_result(Outcome.DECLINE, ("b", 0.5)), False),
        (_result(Outcome.ANSWER, ("b", 90.0), ("c", 5.0)), True),  # answered alone anyway
    ],
)
def test_when_a_follow_up_about_a_new_subject_is_answered(alone: MatchResult, answered: bool) -> None:
    result = about_new_subject(alone, Turn("q", "a"), _LIMITS)
    assert (result.outcome is Outcome.ANSWER) is answered


def test_a_self_contained_question_ignores_the_context() -> None:
    turn = responder().reply("先锋团有多少人").turn
    assert turn is not None
    alone = responder().reply("每年选派多少干部")
    assert responder().reply("每年选派多少干部", previous=turn).entry_id == alone.entry_id == "how_many"


def test_small_talk_leaves_no_turn_and_a_decline_none() -> None:
    assert responder().reply("谢谢").turn is None
    assert responder().reply("淮北明天下雨吗").turn is None
    answered = responder().reply("要去多长时间")
    assert answered.turn == Turn("要去多长时间", "duration")
    assert with_context("那住宿呢", answered.turn) == "要去多长时间，那住宿呢"


def test_memory_forgets_after_its_minutes_and_keeps_conversations_apart() -> None:
    now = [0.0]
    memory = Memory(minutes=5, clock=lambda: now[0])
    memory.remember("a", Turn("先锋团有多少人", "pioneer_team"))
    assert memory.recall("b") is None
    now[0] = 299.0
    assert memory.recall("a") == Turn("先锋团有多少人", "pioneer_team")
    now[0] = 301.0
    assert memory.recall("a") is None
    memory.remember("a", Turn("要去多久", "duration"))
    memory.forget("a")
    assert memory.recall("a") is None


def test_ask_conversation_reads_each_line_in_the_context_of_the_lines_before(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "王程俊是谁\n他去的哪里？\n\n他去的哪里？\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["ask", "--json", "--conversation", "-"]) == 0
    replies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(replies) == 3  # the empty line starts a new conversation and prints nothing
    assert all(set(reply) == {"answered", "id", "score", "answer", "passage", "suggestions"} for reply in replies)
    assert [reply["id"] for reply in replies[:2]] == ["wang_chengjun", "wang_chengjun"]
    assert replies[2]["id"] != "wang_chengjun"  # the same question in a new conversation: no context
