"""Table-driven tests of the matcher on a small FAQ built in the test."""

from __future__ import annotations

import numpy as np
import pytest
from rapidfuzz import fuzz

from bot.core.knowledge.article import parse_article
from bot.core.knowledge.model import Entry, Knowledge, Passage
from bot.core.matching import phrases
from bot.core.matching.features import ACCEPTANCE_FEATURES, FEATURES, ChangeRisk, Weights, acceptance_inputs
from bot.core.matching.grams import gram_keys, grams
from bot.core.matching.keys import gram_key
from bot.core.matching.learned import CHANGE_RISK
from bot.core.matching.matcher import Matcher, spans
from bot.core.matching.text import tokens
from bot.core.matching.thresholds import Outcome, Thresholds

ENTRIES = (
    Entry("what_is", ("双百双招是什么", "介绍一下双百双招", "双百双招是怎么回事"), "一项行动。"),
    Entry("duration", ("学习锻炼多长时间", "要去多久", "在外面待几天"), "100天左右。"),
    Entry("how_many", ("每年选派多少干部", "一年派几个人", "每年有多少名额"), "100名左右。"),
    Entry("destination", ("去哪里学习锻炼", "派到什么地方", "是去上海吗"), "沪苏浙。"),
    Entry("xu_dapeng", ("许大鹏是谁", "许大鹏介绍"), "先锋团成员。"),
    Entry("kong_bin", ("孔彬是谁", "孔彬什么职务"), "临时党支部书记。"),
    Entry("allowance", ("有补贴吗", "补助怎么算", "待遇怎么样"), "报道没有提到。"),
)
SYNONYMS = (("多久", "多长时间", "多少天", "几天"), ("沪苏浙", "江浙沪"))


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Knowledge(entries=ENTRIES, synonyms=SYNONYMS))


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("双百双招是什么", "what_is"),  # verbatim
        ("雙百雙招是什麼", "what_is"),  # traditional script
        ("请问双百双招是啥？谢谢", "what_is"),  # fillers, colloquial 啥
        ("双百双召是什么", "what_is"),  # homophone typo (pinyin channel)
        ("shuangbai shuangzhao是什么", "what_is"),  # typed in pinyin
        ("要去多长时间呢", "duration"),  # synonym 多长时间 ~ 多久
        ("学习锻炼多少天", "duration"),
        ("每年選派多少幹部", "how_many"),
        ("一年派一百个人吗", "how_many"),  # numerals
        ("许大朋是谁", "xu_dapeng"),  # homophone in a name
        ("孔斌是谁", "kong_bin"),
        ("去江浙沪哪里", "destination"),
        ("补贴怎么算", "allowance"),  # words from two phrasings of one entry
    ],
)
def test_best_entry(matcher: Matcher, query: str, entry_id: str) -> None:
    result = matcher.match(query)
    assert result.best is not None
    assert result.best.entry_id == entry_id


@pytest.mark.parametrize(
    "query",
    ["双百双招是什么", "要去多久", "每年选派多少干部", "许大鹏是谁", "有补贴吗"],
)
def test_own_questions_are_answered(matcher: Matcher, query: str) -> None:
    assert matcher.match(query).outcome is Outcome.ANSWER


@pytest.mark.parametrize(
    "query",
    ["红烧肉怎么做", "今天股市怎么样", "用python写个冒泡排序", "NBA总决赛谁赢了", "上海外滩怎么走", "😀😀😀"],
)
def test_unrelated_questions_are_not_answered(matcher: Matcher, query: str) -> None:
    assert matcher.match(query).outcome is not Outcome.ANSWER


@pytest.mark.parametrize("query", ["NBA总决赛谁赢了", "用python写个冒泡排序"])
def test_far_off_questions_are_declined(matcher: Matcher, query: str) -> None:
    assert matcher.match(query).outcome is Outcome.DECLINE


@pytest.mark.parametrize("far_off", ["红烧肉怎么做", "NBA总决赛谁赢了", "今天股市怎么样"])
@pytest.mark.parametrize("unsure", ["补贴怎么发", "孔彬干啥的", "派到哪"])
def test_an_unsure_question_on_topic_is_more_relevant_than_a_far_off_one(
    matcher: Matcher, far_off: str, unsure: str
) -> None:
    """Even on a small FAQ without answers or an article (whose confidences run high for anything), the relevance
    that decides between suggesting and declining ranks questions on topic far above those off it."""
    on_topic, off_topic = matcher.match(unsure), matcher.match(far_off)
    assert on_topic.outcome is Outcome.SUGGEST
    assert on_topic.relevance > 5 * off_topic.relevance


@pytest.mark.parametrize("query", ["", "   ", "？？？", "你好", "请问", "\u200b\u200b"])
def test_empty_after_normalising_is_declined_without_candidates(matcher: Matcher, query: str) -> None:
    result = matcher.match(query)
    assert result.outcome is Outcome.DECLINE
    assert result.candidates == ()
    assert result.normalized == ""
    assert result.margin == 0.0


def test_candidates_are_distinct_entries_best_first(matcher: Matcher) -> None:
    result = matcher.match("许大鹏介绍", limit=5)
    ids = [c.entry_id for c in result.candidates]
    scores = [c.score for c in result.candidates]
    assert len(ids) == len(set(ids))
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 100.0 for s in scores)
    assert result.margin == pytest.approx(scores[0] - (scores[1] if len(scores) > 1 else 0.0))


def test_candidate_shows_the_entrys_closest_question(matcher: Matcher) -> None:
    result = matcher.match("许大鹏介绍一下他")
    assert result.best is not None
    assert result.best.question == "许大鹏介绍"


def test_limit_caps_the_candidates(matcher: Matcher) -> None:
    assert len(matcher.match("是什么", limit=2).candidates) <= 2


def test_matching_is_deterministic_across_matchers() -> None:
    first = Matcher(Knowledge(entries=ENTRIES, synonyms=SYNONYMS))
    second = Matcher(Knowledge(entries=ENTRIES, synonyms=SYNONYMS))
    for query in ("要去多久", "双百双召", "补贴", "孔彬"):
        assert first.match(query) == second.match(query)


NO_CONTENT = (
    Entry("more_batches", ("还有几批", "后面还有吗"), "报道没有说。"),
    Entry("that_one", ("那个例子", "宜兴那个例子"), "王程俊赴宜兴。"),
    Entry("what_else", ("就这些吗",), "没有了。"),
)


@pytest.mark.parametrize(
    ("query", "answered"),
    [
        ("还有呢", False),  # says nothing of what it asks: a follow-up without its turn
        ("那个呢", False),
        ("还有吗？", False),
        ("还有几批呢", True),  # 几批 says what it asks
        ("宜兴那个例子呢", True),
        ("就这些吗", True),  # says nothing either, but it is one of the FAQ's phrasings word for word
    ],
)
def test_a_message_that_says_nothing_is_not_answered(query: str, answered: bool) -> None:
    # Limits that answer any candidate: only what the message says can hold the answer back.
    anything = Thresholds(answer=0.0, margin=0.0, sure=0.0, suggest=0.0)
    result = Matcher(Knowledge(entries=NO_CONTENT, thresholds=anything)).match(query)
    assert result.outcome is (Outcome.ANSWER if answered else Outcome.SUGGEST)


def test_empty_knowledge_declines_everything() -> None:
    matcher = Matcher(Knowledge(entries=()))
    result = matcher.match("双百双招是什么")
    assert result.outcome is Outcome.DECLINE
    assert result.candidates == ()


def test_a_different_kind_of_question_scores_lower(matcher: Matcher) -> None:
    same = matcher.match("许大鹏是谁")
    other = matcher.match("许大鹏多少岁")
    assert same.best is not None
    assert other.best is not None
    assert other.best.score < same.best.score


def test_a_short_question_says_less_than_a_long_one(matcher: Matcher) -> None:
    information = FEATURES.index("information")
    short = matcher.score(matcher.prepare("去哪"))[0].features[information]
    long = matcher.score(matcher.prepare("选派干部去哪里学习锻炼"))[0].features[information]
    assert 0 < short < long


def test_content_the_phrasing_leaves_unexplained_is_measured(matcher: Matcher) -> None:
    missing = FEATURES.index("missing")
    entry_missing = FEATURES.index("entry_missing")
    exact = matcher.score(matcher.prepare("去哪里学习锻炼"))[0]
    extra = matcher.score(matcher.prepare("去哪里学习锻炼，那边的房价高不高"))[0]
    assert exact.features[missing] == pytest.approx(0.0, abs=1e-9)
    assert extra.features[missing] > 1.0
    assert extra.features[entry_missing] <= extra.features[missing] + 1e-9


def test_a_kind_of_question_the_phrasing_does_not_ask_is_flagged(matcher: Matcher) -> None:
    bare = FEATURES.index("bare_form")
    assert matcher.score(matcher.prepare("补贴是什么"))[0].features[bare] == 1.0  # 有补贴吗 asks no kind of thing
    assert matcher.score(matcher.prepare("有补贴吗"))[0].features[bare] == 0.0


def test_a_lead_resting_on_unseen_words_means_less() -> None:
    base = np.full((1, len(FEATURES)), 0.5)
    foreign = base.copy()
    foreign[0, FEATURES.index("unknown_share")] = 0.6
    known = acceptance_inputs(base, np.asarray([8.0]))[0]
    unseen = acceptance_inputs(foreign, np.asarray([8.0]))[0]
    assert len(known) == len(ACCEPTANCE_FEATURES)
    assert (
        unseen[ACCEPTANCE_FEATURES.index("unknown_share×lead")] > known[ACCEPTANCE_FEATURES.index("unknown_share×lead")]
    )
    weight = Weights().acceptance[1 + ACCEPTANCE_FEATURES.index("unknown_share×lead")]
    assert weight <= 0


def test_features_are_named_and_bounded(matcher: Matcher) -> None:
    scored = matcher.score(matcher.prepare("许大朋是谁"))
    assert scored
    for item in scored:
        assert len(item.features) == len(FEATURES)
        cosine = item.features[FEATURES.index("cosine")]
        assert 0.0 <= cosine <= 1.0 + 1e-9


@pytest.mark.parametrize(
    ("best", "margin", "relevance", "outcome"),
    [
        (96.0, 0.0, 0.0, Outcome.ANSWER),  # sure, whatever the margin
        (85.0, 20.0, 0.0, Outcome.ANSWER),
        (85.0, 1.0, 30.0, Outcome.SUGGEST),  # confident but too close to the runner-up
        (10.0, 50.0, 50.0, Outcome.SUGGEST),
        (50.0, 10.0, 29.9, Outcome.DECLINE),
    ],
)
def test_thresholds_decide(best: float, margin: float, relevance: float, outcome: Outcome) -> None:
    thresholds = Thresholds(answer=80.0, margin=5.0, sure=95.0, suggest=30.0)
    assert thresholds.decide(best, margin, relevance) is outcome


def test_grams_cover_characters_pairs_sounds_and_forms() -> None:
    found = grams("许大朋是谁")
    assert "许" in found
    assert "许\x1f大" in found
    assert any(gram.startswith("\x02") for gram in found)  # pinyin bigrams
    assert "\x03who" in found


def test_ascii_pinyin_joins_only_the_pinyin_channel() -> None:
    sounds_of_chars = {gram for gram in grams("双百") if gram.startswith("\x02")}
    assert set(grams("shuangbai")) == sounds_of_chars


def test_gram_key_is_stable() -> None:
    assert gram_key("许") == gram_key("许")
    assert gram_key("许") != gram_key("徐")
    assert 0 <= gram_key("任意") < 2**32


def test_change_risk_is_zero_for_the_same_characters() -> None:
    assert ChangeRisk(["感冒了怎么办", "感冒了吃什么"]).of("感冒了怎么办", np.asarray([0]))[0] == pytest.approx(
        0.0, abs=1e-12
    )


@pytest.mark.parametrize(
    ("question", "paraphrase", "contrast"),
    [
        ("剧烈运动后咯血是怎么了", "剧烈运动后咯血是什么原因", "剧烈运动后咯血需要就医吗"),
        ("百令胶囊需要注意什么", "百令胶囊有什么注意事项", "百令胶囊效果好吗"),
    ],
)
def test_change_risk_is_lower_for_a_paraphrase_than_for_another_question(
    question: str, paraphrase: str, contrast: str
) -> None:
    paraphrased, contrasted = ChangeRisk([paraphrase, contrast]).of(question, np.asarray([0, 1]))
    assert paraphrased < contrasted


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("孔彬是谁", []),
        ("领导好，孔彬是谁", ["孔彬是谁"]),
        ("领导好，我是相山区的，孔彬是谁？", ["我是相山区的,孔彬是谁", "孔彬是谁"]),
        ("a，b，c，d，e", ["c,d,e", "d,e", "e"]),  # at most MAX_SPAN clauses
        ("老婆怀孕了 能回来吗", ["能回来吗"]),
    ],
)
def test_spans_end_with_the_last_clause(message: str, expected: list[str]) -> None:
    assert spans(message) == expected


def test_a_greeting_and_context_do_not_drown_the_question(matcher: Matcher) -> None:
    bare = matcher.match("孔彬是什么职务")
    wrapped = matcher.match("领导好，我是相山区的，我们这边要跟他对接，孔彬是什么职务")
    assert wrapped.best is not None and bare.best is not None
    assert wrapped.best.entry_id == bare.best.entry_id == "kong_bin"
    assert wrapped.best.score == pytest.approx(bare.best.score, abs=1.0)


def test_a_clause_cannot_pick_another_entry_than_the_whole_message(matcher: Matcher) -> None:
    # The last clause alone is about the allowance; the whole message ranks xu_dapeng first.
    whole = matcher.score(matcher.prepare("许大鹏介绍一下许大鹏是谁,补贴"))
    result = matcher.match("许大鹏介绍一下许大鹏是谁，补贴")
    assert result.best is not None
    assert result.best.entry_id == matcher.entry_ids[whole[0].entry] == "xu_dapeng"


def test_a_typing_slip_that_sounds_right_weighs_less_than_a_foreign_word() -> None:
    knowledge = Knowledge(entries=ENTRIES, synonyms=SYNONYMS)
    forgiving = Matcher(knowledge)
    strict = Matcher(knowledge, weights=Weights(homophone=1.0))
    slip = "双白双招是什么"  # 白 for 百: same sound
    assert forgiving.prepare(slip).unknown < strict.prepare(slip).unknown
    foreign = "双百双招GDP是什么"
    assert forgiving.prepare(foreign).unknown == pytest.approx(strict.prepare(foreign).unknown)


def test_the_answer_counts_as_coverage(matcher: Matcher) -> None:
    coverage = FEATURES.index("answer_coverage")
    scored = {matcher.entry_ids[item.entry]: item for item in matcher.score(matcher.prepare("是不是100名左右"))}
    assert scored["how_many"].features[coverage] > 0.3
    assert all(item.features[coverage] == 0.0 for name, item in scored.items() if name != "how_many")


def test_the_passage_and_the_article_count_as_coverage() -> None:
    article = parse_article(
        "# 标题\n\n[p1] 每年选派100名左右优秀干部赴沪苏浙学习锻炼。\n\n[p2] 先锋团临时党支部书记孔彬说了话。\n"
    )
    knowledge = Knowledge(
        entries=(
            Entry("how_many", ("每年选派多少干部",), "100名左右。", passage=Passage(article.paragraphs[1], "")),
            Entry("kong_bin", ("孔彬是谁",), "临时党支部书记。", passage=Passage(article.paragraphs[2], "")),
        ),
        article=article,
    )
    matcher = Matcher(knowledge)
    paragraph, whole = FEATURES.index("paragraph_coverage"), FEATURES.index("article_coverage")
    best = matcher.score(matcher.prepare("每年选派优秀干部去沪苏浙吗"))[0]
    assert matcher.entry_ids[best.entry] == "how_many"
    assert best.features[whole] >= best.features[paragraph] > 0.5
    quoted = matcher.score(matcher.prepare("孔彬说了什么话"))[0]
    assert matcher.entry_ids[quoted.entry] == "kong_bin"
    assert quoted.features[paragraph] > 0.3


def test_an_answer_that_repeats_its_question_adds_nothing() -> None:
    knowledge = Knowledge(
        entries=(
            Entry("q1", ("百令胶囊需要注意什么",), "百令胶囊需要注意什么"),
            Entry("q2", ("咯血是怎么了",), "咯血是怎么了"),
        )
    )
    matcher = Matcher(knowledge)
    for name in ("answer_coverage", "paragraph_coverage", "article_coverage"):
        index = FEATURES.index(name)
        assert all(item.features[index] == 0.0 for item in matcher.score(matcher.prepare("百令胶囊需要注意什么")))


@pytest.mark.parametrize(
    "question", ["许大朋是谁", "去哪里学习锻炼，那边的房价高不高", "是不是100名左右", "补贴是什么"]
)
def test_each_candidates_features_are_as_defined_one_by_one(matcher: Matcher, question: str) -> None:
    """The columns computed for all candidates at once equal the definitions applied to each candidate alone."""
    prepared = matcher.prepare(question)
    query_chars = set(tokens(prepared.rewritten))
    weights = dict(zip(prepared.keys.tolist(), prepared.gram_weights.tolist(), strict=True))
    scored = matcher.score(prepared)
    assert scored
    for item in scored:
        phrasing = matcher.scorer.phrasings[item.row]
        assert matcher.scorer.owners[item.row] == item.entry  # the entry's own phrasing
        feature = dict(zip(FEATURES, item.features, strict=True))
        assert feature["ratio"] == pytest.approx(fuzz.ratio(prepared.rewritten, phrasing) / 100.0)
        lengths = (len(prepared.rewritten), len(phrasing))
        assert feature["length_ratio"] == pytest.approx(min(lengths) / max(*lengths, 1))
        differing = query_chars.symmetric_difference(tokens(phrasing))
        assert feature["change_risk"] == pytest.approx(sum(CHANGE_RISK.get(c, 1.0) for c in differing) / 10.0)
        assert feature["same_form"] == float(bool(prepared.forms & phrases.forms(phrasing)))
        entry = matcher.knowledge.entries[item.entry]
        answer = gram_keys(entry.answer, matcher.synonyms) if entry.answer not in entry.questions else frozenset()
        covered = sum(weight for key, weight in weights.items() if key in answer)
        assert feature["answer_coverage"] == pytest.approx(covered / prepared.total)
    assert [item.score for item in scored] == sorted((item.score for item in scored), reverse=True)
