"""The shipped FAQ's content, checked against the article (issue 12's fact-check).

Three kinds of pins: questions that used to reach the wrong entry now reach the one they ask
about (through the real matcher's ranking); synonyms that merged different meanings no longer
merge; and what the answers say or must not say about the article.
"""

from __future__ import annotations

import functools
import re

import pytest

from bot.core.knowledge.faq_file import load_knowledge
from bot.core.knowledge.model import Entry, Knowledge
from bot.core.matching.matcher import Matcher
from bot.core.matching.text import SynonymTable, normalize
from bot.paths import PROJECT_ROOT


@functools.cache
def knowledge() -> Knowledge:
    return load_knowledge(PROJECT_ROOT / "knowledge")


@functools.cache
def matcher() -> Matcher:
    return Matcher(knowledge())


@functools.cache
def synonyms() -> SynonymTable:
    return SynonymTable(knowledge().synonyms)


def entry(entry_id: str) -> Entry:
    return knowledge()[entry_id]


# (question, the entry it asks about).  Each was declined, only suggested, or answered by another
# entry before the issue; each is now one of that entry's phrasings and must rank it first.
QUESTIONS_AND_ENTRIES = [
    ("派出去的是什么样的干部", "nc_application"),  # who qualifies, not how many (was how_many)
    ("这个行动的时间跨度", "programme_span"),  # how many years the programme runs (was duration)
    ("为什么要花100天派干部出去", "duration"),  # the article does not explain the 100 days (was purpose)
    ("挑选干部的标准是什么", "nc_application"),  # was post_selection through 挑选 ~ 筛选
    ("孔彬原来是什么职位", "kong_bin"),  # 职位 is his own position, not a post
    ("大会上接旗的是谁", "flag_ceremony"),
    ("上海有岗位吗", "destination"),
    ("会派到安徽省内吗", "destination"),
    ("会去宜兴吗", "destination"),
    ("去那边学什么", "task_learning"),
    ("去了能学到什么", "task_learning"),
    ("以前派去上海的干部怎么样了", "history_gains"),
    ("要招商吗", "task_investment"),
    ("去的都是领导干部吗", "nc_application"),
    ("是不是只派年轻干部", "nc_application"),
    ("要完成哪些任务", "tasks_overview"),  # was nc_evaluation
    ("这篇报道讲了什么", "source"),  # the source's answer now says what the report covers
    ("双百双招什么时候开始的", "programme_span"),  # was conference
    ("双百双招搞了几年了", "programme_span"),  # was history
    ("先锋团团长是谁", "kong_bin"),  # was xu_dapeng; kong_bin's answer says the article names no leader
    ("先锋团叫什么名字", "pioneer_team"),  # was conference
    ("孔彬是什么级别", "kong_bin"),  # was xu_dapeng
]


@pytest.mark.parametrize(("question", "entry_id"), QUESTIONS_AND_ENTRIES)
def test_the_question_is_a_phrasing_of_the_entry_it_asks_about(question: str, entry_id: str) -> None:
    owners = [e.id for e in knowledge() if question in e.questions]
    assert owners == [entry_id]


@pytest.mark.parametrize(("question", "entry_id"), QUESTIONS_AND_ENTRIES)
def test_the_question_reaches_the_entry_it_asks_about(question: str, entry_id: str) -> None:
    best = matcher().match(question).best
    assert best is not None
    assert best.entry_id == entry_id


@pytest.mark.parametrize(
    "question",
    [
        "报道最后那句总结",  # the sentence ends paragraph 6, not the report
        "六个“来”",  # there are five: 取回来, 请进来, 引进来, 练出来, 挑起来
    ],
)
def test_phrasings_with_a_false_premise_are_gone(question: str) -> None:
    assert not [e.id for e in knowledge() if question in e.questions]


def merged(first: str, second: str) -> bool:
    """Whether the FAQ's synonym table makes two words the same to the matcher."""
    return normalize(first, synonyms()) == normalize(second, synonyms())


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("挑选", "筛选"),  # choosing cadres is not screening posts
        ("遴选", "筛选"),
        ("甄选", "筛选"),
        ("精选", "筛选"),
        ("职位", "岗位"),  # usually a person's own position
        ("不足", "短板"),  # also "less than": 不足100人
        ("大学生", "毕业生"),  # students are not graduates (the article says 各类毕业生)
        ("应届生", "毕业生"),
        ("几天", "多久"),  # also 前几天, 这几天
        ("几个月", "多久"),  # also 前几个月, 这几个月
    ],
)
def test_synonyms_of_different_meanings_are_not_merged(word: str, other: str) -> None:
    assert not merged(word, other)


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("前几天开的会", "多久"),
        ("这几个月派过干部吗", "多久"),
        ("不足100人", "短板"),
        ("孔彬原来是什么职位", "岗位"),
        ("挑选干部的标准是什么", "筛选"),
        ("大学生来淮北落户", "毕业生"),
    ],
)
def test_a_question_keeps_its_own_words(question: str, absent: str) -> None:
    assert absent not in normalize(question, synonyms())


@pytest.mark.parametrize(
    ("word", "other"),
    [("多长时间", "多久"), ("多少天", "多久"), ("急需人才", "紧缺人才"), ("应届毕业生", "毕业生"), ("弱项", "短板")],
)
def test_synonyms_of_one_meaning_still_merge(word: str, other: str) -> None:
    assert merged(word, other)


# (entry, the paragraph that holds its answer's facts)
PASSAGES = [
    ("what_is", "p2"),
    ("how_many", "p2"),  # 100 a year and "the pioneer team is this year's first batch"; its 50 is in p1
    ("purpose", "p2"),
    ("programme_span", "p2"),
    ("destination", "p4"),
    ("posts_count", "p4"),
    ("post_selection", "p4"),
    ("tasks_overview", "p6"),
    ("pioneer_team", "p1"),
    ("source", "byline"),
]


@pytest.mark.parametrize(("entry_id", "paragraph"), PASSAGES)
def test_the_passage_is_the_paragraph_that_holds_the_answer(entry_id: str, paragraph: str) -> None:
    passage = entry(entry_id).passage
    assert passage is not None
    assert passage.paragraph.id == paragraph


# (entry, words its answer must contain): facts the article gives, and what it does not say.
ANSWER_SAYS = [
    ("what_is", ["安徽省淮北市", "五群十链"]),
    ("name_meaning", ["没有直接解释"]),
    ("duration", ["100天左右", "没有说明为什么"]),
    ("programme_span", ["每年", "从哪一年开始", "{contact}"]),
    ("destination", ["13个城市", "王程俊", "宜兴经开区", "上海", "每个城市", "{contact}"]),
    ("posts_count", ["今年共安排104个岗位，分布在13个城市", "宜兴经开区", "每个城市", "{contact}"]),
    ("post_selection", ["五群十链", "开发园区、协会商会、国有或上市企业", "经济一线", "{contact}"]),
    ("purpose", ["五群十链", "招商引资、招才引智", "锤炼干部"]),
    ("summary_sentence", ["没有逐一解释"]),
    ("huaibei_goals", ["没有逐一解释"]),
    ("pioneer_team", ["“双百双招”先锋团", "2月8日上午", "孔彬", "许大鹏", "王程俊", "没有列出全部成员"]),
    ("flag_ceremony", ["没有写明年份", "没有解释“双招双引”"]),
    ("conference", ["没有写明年份", "没有解释“双招双引”"]),
    ("kong_bin", ["临时党支部书记", "原来的单位和职务", "团长"]),
    ("nc_schedule", ["2月8日", "将奔赴", "100天左右", "{contact}"]),
    ("source", ["杨赛君、黄顺", "2月8日", "没有写年份", "发布媒体", "发布日期"]),
]


@pytest.mark.parametrize(("entry_id", "words"), ANSWER_SAYS)
def test_the_answer_says_what_the_article_gives_and_leaves_out(entry_id: str, words: list[str]) -> None:
    answer = entry(entry_id).answer
    assert [word for word in words if word not in answer] == []


# (entry, words its answer must not contain)
ANSWER_AVOIDS = [
    ("source", ["以上内容", "没有注明发布媒体和日期"]),  # a reply has no "above"; the article has a date
    ("purpose", ["通过招商引资"]),  # p2's aims are parallel, not means and end
    ("conference", ["指2月8日"]),  # the answer to "what was the meeting" names it, not "refers to"
    ("name_meaning", ["逐字"]),
    ("posts_count", ["共有13个城市"]),
]


@pytest.mark.parametrize(("entry_id", "words"), ANSWER_AVOIDS)
def test_the_answer_avoids_a_misleading_wording(entry_id: str, words: list[str]) -> None:
    answer = entry(entry_id).answer
    assert [word for word in words if word in answer] == []


def test_xu_dapeng_is_not_listed_as_a_member() -> None:
    """He represented the team at the ceremony; the article never calls him a member."""
    members = [sentence for sentence in re.split("[。；]", entry("pioneer_team").answer) if "成员" in sentence]
    assert members
    assert all("许大鹏" not in sentence for sentence in members)


def test_every_number_in_an_answer_is_in_the_article() -> None:
    article = knowledge().article
    assert article is not None
    numbers = set(re.findall(r"\d+", " ".join(paragraph.text for paragraph in article.paragraphs)))
    unknown = {(e.id, number) for e in knowledge() for number in re.findall(r"\d+", e.answer) if number not in numbers}
    assert unknown == set()
