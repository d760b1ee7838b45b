"""How the bot reads a message: context is not the question, small talk, the two kinds of "no".

Follow-ups are in ``test_follow_ups.py``.

Tables written for these tests (not taken from the labelled question file), over the shipped FAQ
and over a toy FAQ of another programme, so that nothing depends on one programme's name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import texts
from bot.core.conversation import Kind, Responder
from bot.core.knowledge.faq_file import check_faq
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.focus import (
    Focus,
    claim_question,
    has_content,
    is_question,
    is_small_talk,
    question_clauses,
)
from bot.core.matching.matcher import Matcher
from bot.core.matching.text import SynonymTable, clean, normalize
from bot.core.matching.thresholds import Outcome
from tests.shipped import responder, shipped

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
    ("message", "question"),
    [
        ("听说每天补助两百块，是真的吗", "每天补贴多少块"),  # hearsay and a verification tail
        ("先锋团有六十个人对吧", "先锋团有多少个人"),  # a tail alone
        ("群里说今年一百多个岗位", "今年多少个岗位"),  # hearsay alone; 多 rounds the number
        ("有人说补贴一天三百块，靠谱吗", "补贴1天多少块"),  # a lone 1 counts the unit
        ("听说第一批有五十人", "第1批有多少人"),  # an ordinal is not the value
        ("先锋团有六十个人", None),  # not passed on: a statement
        ("听说是2月8号授的旗", None),  # a date
        ("听说双百就是一百个人一百天，对吗", None),  # several numbers describe something
        ("听说要去100天，具体是多久", None),  # it asks something itself
        ("听说有补贴，是真的吗", None),  # no number
    ],
)
def test_a_claim_passed_on_asks_for_its_number(message: str, question: str | None) -> None:
    focus = shipped().matcher.focus
    found = claim_question(message, focus.question(message) or normalize(message, focus.synonyms))
    if question is None:
        assert found is None
    else:
        assert found is not None and normalize(found, focus.synonyms) == normalize(question, focus.synonyms)


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("群里说先锋团有六十个人", "pioneer_team"),  # false claims: what is asked is the number
        ("听说今年有两百个岗位？", "posts_count"),
        ("有人说补贴一天三百块，靠谱吗", "nc_allowance"),
        ("听说学习锻炼要三百天", "duration"),
        ("有人说一共有八十个岗位，对吗", "posts_count"),
    ],
)
def test_a_claim_about_a_number_is_answered_by_the_entry_that_gives_it(message: str, entry_id: str) -> None:
    result = shipped().matcher.match(message)
    assert result.outcome is Outcome.ANSWER
    assert result.best is not None and result.best.entry_id == entry_id


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


def test_a_phrasing_that_reads_like_small_talk_is_still_asked(tmp_path: Path) -> None:
    """过去是挂个名还是真干活 is a phrasing; 这活儿真累 written as one would read as a remark without it."""
    faq = tmp_path / "faq.yaml"
    faq.write_text(
        "entries:\n  - id: work\n    questions: [这活儿真累, 工作累不累]\n    answer: 工作量适中。\n", encoding="utf-8"
    )
    holder = KnowledgeHolder(Snapshot.load(tmp_path))
    assert is_small_talk("这活儿真累")
    reply = Responder(holder).reply("这活儿真累")
    assert (reply.kind, reply.entry_id) == (Kind.ANSWER, "work")
    assert Responder(holder).reply("这天真热").kind is Kind.SMALL_TALK


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
        ("test", True),  # the same in English
        ("Thanks!", True),
        ("good morning", True),
        ("python", False),
        ("这项工作挺有意义的", True),  # a degree word and what it grades
        ("安排得很周到", True),
        ("要求相当高啊", True),
        ("哇 这么多", True),
        ("好长", True),
        ("先锋团加油💪", True),  # a wish; the emoji adds nothing
        ("原来是这样啊", True),  # an acknowledgement
        ("谢啦", True),
        ("唉", True),
        ("王书记这番话有道理", True),  # praise of what was said
        ("许大鹏那段讲得好", True),
        ("五十个人，不错嘛", True),  # a closing 嘛 after a judgement is rhetorical
        ("一百天，挺长的嘛", True),
        ("好嘞，我去跟科里说", True),  # an acknowledgement, then what the asker will do
        ("涨知识了", True),
        ("能带家属去嘛", False),  # 嘛 asks
        ("到了那边具体干嘛", False),
        ("不错嘛？", False),
        ("为啥定这么长", False),  # a degree word, but it asks
        ("苹果手机和安卓哪个好用", False),  # a judgement word, but it asks
        ("当地人会不会很多", False),  # A不A asks
        ("听说岗位有一百多个是真的不", False),
        ("哪个城市机会特别多", False),
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
    ("text", "asks"),
    [
        ("有名单吗", True),
        ("去的是哪", True),
        ("为啥要这样", True),
        ("学完交啥", True),
        ("有没有补贴", True),  # A没A
        ("去不去江苏", True),  # A不A
        ("住宿？", True),
        ("先锋团", False),  # a keyword names a subject and asks nothing of it
        ("2月8日 大会", False),
        ("往年选派 批次", False),
    ],
)
def test_whether_a_message_asks(text: str, asks: bool) -> None:
    assert is_question(text) is asks


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("谢谢！", Kind.SMALL_TALK),
        ("淮北明天下雨吗", Kind.UNRELATED),
        ("推荐一部好看的电影", Kind.UNRELATED),
        ("双百双招的干部要穿制服吗", Kind.UNCOVERED),
        ("双百双招的干部可以养宠物吗", Kind.UNCOVERED),  # the programme's name makes it no more answerable
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
