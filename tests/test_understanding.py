"""How the bot reads a message: context is not the question, small talk, the two kinds of "no", follow-ups.

Tables written for these tests (not taken from the labelled question file), over the shipped FAQ
and over a toy FAQ of another programme, so that nothing depends on one programme's name.
"""

from __future__ import annotations

import functools
import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.core import texts
from bot.core.conversation import Kind, Memory, Responder
from bot.core.follow_ups import (
    CONTINUATION_COVERAGE,
    Turn,
    about_new_subject,
    asks_about_the_answer,
    echoes,
    leans_back,
    names_new_subject,
    new_entry_confirmed,
    with_context,
)
from bot.core.knowledge.faq_file import check_faq
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.focus import Focus, has_content, is_small_talk, question_clauses
from bot.core.matching.matcher import Candidate, Matcher, MatchResult
from bot.core.matching.text import SynonymTable, clean, normalize
from bot.core.matching.thresholds import Outcome, Thresholds
from bot.paths import PROJECT_ROOT


@functools.cache
def shipped() -> Snapshot:
    return Snapshot.load(PROJECT_ROOT / "knowledge")


@functools.cache
def responder() -> Responder:
    return Responder(KnowledgeHolder(shipped()), contact="组织部")


# -- context is not the question ------------------------------------------------------------------

BARE = {
    "住哪里": "nc_accommodation",
    "有补贴吗": "nc_allowance",
    "要去多长时间": "duration",
    "一共多少个岗位": "posts_count",
    "先锋团有多少人": "pioneer_team",
    "回来以后怎么安排": "nc_after_return",
    "以前派过几批干部": "history",
}
CONTEXTS = (
    "{q}",
    "双百双招{q}",
    "这次双百双招{q}？",
    "请问参加双百双招的干部{q}",
    "我是今年被选派的干部，想问下{q}",
    "领导好，打扰一下，{q}？谢谢！",
    "听同事说起双百双招，{q}",
    "雙百雙招{q}？",
)


@pytest.mark.parametrize("template", CONTEXTS)
@pytest.mark.parametrize(("question", "entry_id"), BARE.items())
def test_the_same_question_gets_the_same_entry_with_or_without_context(
    question: str, entry_id: str, template: str
) -> None:
    result = shipped().matcher.match(template.format(q=question))
    assert result.best is not None
    assert result.best.entry_id == entry_id
    assert result.outcome is not Outcome.DECLINE


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("双百双招住哪里", "住哪里"),
        ("我是今年被选派的干部，想问下要待多久", "要待多久"),
        ("听说要去100天，是真的吗", "要去100天"),
        ("这次派去哪些城市", "派去哪些城市"),
        ("双百双招是什么", None),  # only the programme is asked about: read whole
        ("这个行动到底是怎么回事", "双百双招是怎么回事"),  # "this programme" alone: named
        ("住哪里", None),  # no context at all
    ],
)
def test_focus_removes_the_context(message: str, question: str | None) -> None:
    focus = shipped().matcher.focus
    found = focus.question(message)
    if question is None:
        assert found is None
    else:
        assert found == normalize(question, focus.synonyms)


def test_focus_keeps_the_clauses_of_what_is_left() -> None:
    focus = shipped().matcher.focus
    found = focus.question("双百双招开会讲了很多，我没记全，要去多少天？")
    assert found is not None and found.count(",") == 2  # the matcher can still re-read the closing clauses


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("会上讲了招商任务，讲了招才引智，讲了学习任务，我都记下了，干部们要去多少天？", "duration"),
        ("看完报道我知道了先锋团、授旗仪式、临时党支部，就是还不清楚，锻炼岗位是怎么选出来的？", "post_selection"),
        ("报道里提了孔彬，提了许大鹏，还提了王程俊，我分不清，先锋团一共多少人？", "pioneer_team"),
    ],
)
def test_a_preamble_naming_other_topics_does_not_drown_the_question(message: str, entry_id: str) -> None:
    result = shipped().matcher.match(message)
    assert result.outcome is not Outcome.DECLINE
    assert result.best is not None and result.best.entry_id == entry_id


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("除了招商引资，选派干部还得做啥？", "tasks_overview"),  # the other tasks: all of them
        ("招商之外还有什么活儿", "tasks_overview"),
        ("除了招商还要学习什么", "task_learning"),  # what to learn: the learning task
    ],
)
def test_besides_one_task_asks_for_the_others(message: str, entry_id: str) -> None:
    result = shipped().matcher.match(message)
    assert result.outcome is not Outcome.DECLINE
    assert result.best is not None and result.best.entry_id == entry_id


def test_a_last_clause_alone_cannot_overrule_the_clauses_before_it() -> None:
    # Read alone, 补贴 is the allowance; with the clause before it, the message asks about 孔彬.
    result = shipped().matcher.match("报道里那个孔彬，我想问问他，是什么职务，补贴")
    assert result.best is not None
    assert not (result.outcome is Outcome.ANSWER and result.best.entry_id == "nc_allowance")


def test_the_programme_itself_is_what_is_only_when_nothing_else_is_asked() -> None:
    matcher = shipped().matcher
    assert matcher.match("双百双招是什么").best.entry_id == "what_is"  # type: ignore[union-attr]
    assert matcher.match("双百双招补贴多少").best.entry_id != "what_is"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("clauses", "asked"),
    [
        ("我下周就出发了，领导也没细说，想问要住哪里", "要住哪里"),
        ("我是相山区的，先锋团有多少人？", "先锋团有多少人?"),
        ("听说有补贴，一天多少钱", "有补贴,一天多少钱"),
        ("岗位 数量", "岗位数量"),
    ],
)
def test_the_asking_clauses_are_kept(clauses: str, asked: str) -> None:
    assert normalize(question_clauses(clean(clauses))) == normalize(asked)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("是什么", False),
        ("介绍一下", False),
        ("怎么回事", False),
        ("具体指的是什么", False),  # 具体 and 指的是 ask what a thing is, nothing more
        ("具体哪天", True),
        ("多少", True),
        ("住哪里", True),
        ("100天", True),
        ("", False),
    ],
)
def test_what_counts_as_content(text: str, content: bool) -> None:
    assert has_content(text) is content


OTHER_FAQ = """\
context: [春苗计划, 学员]
entries:
  - id: duration
    questions: [培训多长时间, 要学多久, 几天]
    answer: 培训两周。
  - id: place
    questions: [在哪里培训, 培训地点, 去哪儿]
    answer: 在市委党校。
  - id: about
    questions: [春苗计划是什么, 介绍一下春苗计划, 春苗计划是干嘛的]
    answer: 春苗计划是青年干部培训。
"""


def test_another_programmes_faq_names_its_own_context(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(OTHER_FAQ, encoding="utf-8")
    knowledge, problems = check_faq(tmp_path)
    assert knowledge is not None, problems
    assert knowledge.context == ("春苗计划", "学员")
    matcher = Matcher(knowledge)
    assert matcher.match("春苗计划在哪里培训").best.entry_id == "place"  # type: ignore[union-attr]
    assert matcher.match("春苗计划是什么").best.entry_id == "about"  # type: ignore[union-attr]
    assert matcher.focus.question("双百双招在哪里培训") is None  # another programme's name is not context here


def test_a_context_word_of_one_character_is_refused(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(OTHER_FAQ.replace("[春苗计划, 学员]", "[春苗计划, 苗]"), encoding="utf-8")
    knowledge, problems = check_faq(tmp_path)
    assert knowledge is None
    assert any("context" in problem.message and "苗" in problem.message for problem in problems)


def test_without_context_words_nothing_is_removed() -> None:
    focus = Focus((), SynonymTable(()))
    assert focus.question("双百双招住哪里") is None
    assert not focus.names_context("双百双招住哪里")


def test_every_phrasing_is_answered_by_its_entry_when_asked_verbatim() -> None:
    matcher = shipped().matcher
    missed = [
        (entry.id, question)
        for entry in matcher.knowledge.entries
        for question in entry.questions
        if (result := matcher.match(question)).outcome is not Outcome.ANSWER
        or result.best is None
        or result.best.entry_id != entry.id
    ]
    assert missed == []


# -- small talk and the two kinds of "no" ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "chat"),
    [
        ("谢谢", True),
        ("好的，收到！", True),
        ("哈哈，100个人，咱们市里真舍得", True),
        ("辛苦了老师", True),
        ("你是机器人吗", True),
        ("👍", True),  # an emoji alone is a reaction, like 谢谢
        ("👌🏻👌🏻", True),
        ("❤️", True),
        ("好的😊", True),
        ("有人吗", True),  # is anyone there, does it work
        ("测试一下", True),
        ("在么？", True),
        ("一百天，可不短啊", True),  # a remark closing on a judgement
        ("这次规模真不小", True),
        ("先锋团看着挺有气势的", True),
        ("这机器人还挺好用", True),  # a remark about the bot
        ("好的，我回头再翻翻报道", True),  # an acknowledgement, then what the asker will do
        ("收到，我跟科室同事说一声", True),
        ("谢谢，很有帮助", True),  # praise of the answer
        ("感谢您的耐心解答", True),
        ("辛苦了，谢谢你的回答", True),
        ("太有用了，感谢", True),
        ("祝大家招商顺利", True),  # a wish
        ("各位选派干部加油！", True),
        ("好的，岗位有多少个", False),  # an acknowledgement, then a question
        ("收到，住宿怎么安排", False),
        ("祝贺大会是哪天开的", False),
        ("怎样才算招商成功", False),
        ("阵仗不小吗", False),  # asks
        ("压力大不大", False),
        ("测试什么时候开始", False),
        ("？？？", False),  # punctuation alone says nothing: the hint on how to ask
        ("……", False),
        ("双百双招👍", False),
        ("补贴", False),
        ("好的，那住宿呢？", False),
        ("谢谢，要去多久", False),
        ("有用吗", False),
        ("谁来回答报名的问题", False),
        ("您好，请问每年派多少人", False),
    ],
)
def test_small_talk(text: str, chat: bool) -> None:
    assert is_small_talk(text) is chat


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("谢谢！", Kind.SMALL_TALK),
        ("淮北明天下雨吗", Kind.UNRELATED),
        ("推荐一部好看的电影", Kind.UNRELATED),
        ("双百双招的干部要穿制服吗", Kind.UNCOVERED),
        ("双百双招的干部能不能养猫", Kind.UNCOVERED),  # the programme's name makes it no more answerable
        ("要去多长时间", Kind.ANSWER),
        ("", Kind.EMPTY),
        ("？？", Kind.EMPTY),
        ("🙏", Kind.SMALL_TALK),
    ],
)
def test_each_kind_of_reply_has_its_wording(question: str, kind: Kind) -> None:
    reply = responder().reply(question)
    assert reply.kind is kind
    wording = {
        Kind.SMALL_TALK: texts.SMALL_TALK,
        Kind.UNRELATED: texts.UNRELATED,
        Kind.UNCOVERED: texts.UNCOVERED,
        Kind.EMPTY: texts.EMPTY,
    }.get(kind)
    if wording is not None:
        assert reply.text == wording.replace("{contact}", "组织部")
    assert "我不能乱说" not in reply.text
    assert reply.empty is (kind in {Kind.SMALL_TALK, Kind.EMPTY})


@pytest.mark.parametrize("question", ["上海迪士尼门票多少钱", "淮北明天下雨吗", "推荐一部好看的电影"])
def test_an_unrelated_question_never_gets_the_programmes_facts(question: str) -> None:
    """Declined as off-topic, or at most offered "did you mean" buttons."""
    reply = responder().reply(question)
    assert reply.outcome is not Outcome.ANSWER
    assert reply.kind in {Kind.UNRELATED, Kind.SUGGEST}


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        # About the programme, and no entry is sure (some below 1 point): "did you mean" buttons.
        ("先锋团里头有没有女同志", Outcome.SUGGEST),
        ("沪苏浙那边接收单位是怎么定的", Outcome.SUGGEST),
        ("淮北跟上海的合作以前有哪些项目", Outcome.SUGGEST),
        # Not about the programme, although some entry scores a few points: told what the bot is for.
        ("杭州西湖好玩吗", Outcome.DECLINE),
        ("苏州园林门票多少钱", Outcome.DECLINE),
        ("有没有推荐的理财产品", Outcome.DECLINE),
    ],
)
def test_an_unsure_question_is_declined_only_when_it_is_not_about_the_faq(question: str, outcome: Outcome) -> None:
    """Suggest or decline by relevance, not by the best entry's confidence, which tells entries apart."""
    result = shipped().matcher.match(question)
    assert result.best is not None and result.best.score < shipped().matcher.thresholds.answer
    assert result.outcome is outcome


# -- follow-ups -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("那先锋团呢？", True),
        ("他去的哪里？", True),
        ("一共多少人？", True),
        ("那住宿呢", True),
        ("具体哪天", True),
        ("其中有几个是园区", True),
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
    assert responder().reply(question).outcome is Outcome.DECLINE
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
    assert matcher.coverage("先锋团有多少人", "how_many") < 0.5
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
        (_result(Outcome.ANSWER, ("b", 80.0)), _result(Outcome.SUGGEST, ("b", 30.0)), True, False),  # another entry
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.SUGGEST, ("a", 30.0)), True, False),  # alone too
        (_result(Outcome.ANSWER, ("a", 80.0)), _result(Outcome.DECLINE, ("b", 0.5)), True, False),  # alone: nothing
    ],
)
def test_when_a_follow_up_echoes_the_turn_before(
    followed: MatchResult, alone: MatchResult, marked: bool, echo: bool
) -> None:
    assert echoes(followed, alone, Turn("q", "a"), marked) is echo


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
