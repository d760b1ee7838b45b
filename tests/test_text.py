"""Table-driven tests of normalisation, pinyin readings and question forms."""

from __future__ import annotations

import pytest

from bot.core.knowledge.model import Knowledge
from bot.core.matching import phrases, text
from bot.core.matching.matcher import Matcher
from bot.core.matching.pinyin import fold, reading, split_pinyin
from bot.core.matching.text import (
    Script,
    SynonymTable,
    arabic_numerals,
    clauses,
    clean,
    convert,
    detect_script,
    normalize,
    strip_fillers,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("雙百雙招是什麼", "双百双招是什么"),  # traditional → simplified
        ("ＡＢＣ１２３", "abc123"),  # full width → half width, lower case
        ("每年選派多少幹部", "每年选派多少干部"),
        ("a\u200bb\u200dc\ufeff", "abc"),  # zero-width characters vanish
        ("x\x00y\x07z", "x y z"),  # control characters become spaces
        ("Ｗｉｆｉ", "wifi"),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("一百天", "100天"),
        ("十三个城市一百零四个岗位", "13个城市104个岗位"),
        ("五批", "5批"),
        ("两万", "20000"),
        ("十链", "10链"),
        ("三个多月", "3个多月"),
        ("第一批", "第1批"),
        ("一体化", "一体化"),  # a lone digit before a non-measure word stays
        ("统一", "统一"),
        ("双百双招", "双百双招"),  # a bare unit is a word
        ("百天", "百天"),
        ("一一", "一一"),  # not a number
    ],
)
def test_arabic_numerals(raw: str, expected: str) -> None:
    assert arabic_numerals(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("请问双百双招是什么？", "双百双招是什么"),
        ("领导您好，冒昧问一下，外派有没有补助啊？谢谢", "外派有没有补助"),
        ("要去多久呢", "要去多久"),
        ("吗啡是什么", "吗啡是什么"),  # a particle inside a word stays
        ("你好", ""),
        ("wifi 100", "wifi 100"),  # one space between ASCII words survives
        ("去 上海", "去上海"),
        ("派我们去哪", "派去哪"),  # plural pronouns say nothing about the topic
        ("咱们要待多久", "要待多久"),
    ],
)
def test_strip_fillers(raw: str, expected: str) -> None:
    assert strip_fillers(clean(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("請問要去多長時間？", "要去多久"),  # traditional, filler, synonym
        ("江浙沪地区有哪些岗位", "沪苏浙有哪些岗位"),
        ("一百天左右吗", "100天左右"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    table = SynonymTable([("多久", "多长时间", "多少天"), ("沪苏浙", "江浙沪地区", "江浙沪")])
    assert normalize(raw, table) == expected


def test_synonym_table_prefers_the_longest_alternative() -> None:
    table = SynonymTable([("沪苏浙", "江浙沪", "江浙沪地区")])
    assert table.apply("江浙沪地区") == "沪苏浙"
    assert len(table) == 2


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("雙百雙招是什麼", Script.TRADITIONAL),
        ("双百双招是什么", Script.SIMPLIFIED),
        ("hello 123", Script.SIMPLIFIED),
        ("", Script.SIMPLIFIED),
    ],
)
def test_detect_script(text: str, script: Script) -> None:
    assert detect_script(text) is script


def test_convert_renders_traditional() -> None:
    assert convert("学习锻炼", Script.TRADITIONAL) == "學習鍛鍊"
    assert convert("学习锻炼", Script.SIMPLIFIED) == "学习锻炼"


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("吃饭", "吃飯"),  # not s2t's 喫飯
        ("家里", "家裡"),  # not 家裏
        ("群里", "群裡"),  # not 羣裏
        ("为什么", "為什麼"),  # not 爲什麼
        ("软件", "軟件"),  # characters only: no vocabulary swap (s2twp's 軟體)
    ],
)
def test_traditional_uses_the_forms_readers_expect(simplified: str, traditional: str) -> None:
    assert convert(simplified, Script.TRADITIONAL) == traditional
    assert detect_script(traditional) is Script.TRADITIONAL


def test_tokens_split_han_characters_and_ascii_words() -> None:
    assert tokens("去shanghai学习100天") == ["去", "shanghai", "学", "习", "100", "天"]


@pytest.mark.parametrize(
    ("syllable", "folded"),
    [("zhang", "zan"), ("shuang", "suan"), ("chang", "can"), ("lan", "nan"), ("ming", "min"), ("bai", "bai")],
)
def test_fold_merges_confusable_sounds(syllable: str, folded: str) -> None:
    assert fold(syllable) == folded


@pytest.mark.parametrize(
    ("first", "second"),
    [("招", "召"), ("鹏", "朋"), ("彬", "斌"), ("浙", "折"), ("程", "成")],
)
def test_homophones_read_the_same(first: str, second: str) -> None:
    assert reading(first) == reading(second) is not None


def test_reading_of_non_han_is_none() -> None:
    assert reading("a") is None
    assert reading("😀") is None


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("shuangbai", ("suan", "bai")),
        ("huaibei", ("huai", "bei")),
        ("wuqunshilian", ("wu", "qun", "si", "nian")),
        ("wifi", None),
        ("gdp", None),
        ("python", None),
        ("ai", None),  # too short to be taken for pinyin
    ],
)
def test_split_pinyin(word: str, syllables: tuple[str, ...] | None) -> None:
    assert split_pinyin(word) == syllables


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("双百双招是啥", "双百双招是什么"),
        ("咋报名", "怎么报名"),
        ("为啥要去", "为什么要去"),
        ("如何服用", "怎么服用"),
        ("在那边呆几天", "在那边待几天"),
    ],
)
def test_rewrite_folds_colloquial_question_words(text: str, rewritten: str) -> None:
    assert phrases.rewrite(text) == rewritten


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("剧烈运动后为什么会咯血", {"cause"}),
        ("剧烈运动后咯血是什么原因", {"cause"}),
        ("咳嗽咯血半年是怎么回事", {"cause"}),
        ("感冒了怎么办", {"remedy"}),
        ("孕妇可以吃感冒药吗", {"allowed"}),
        ("百令胶囊需要注意什么", {"caution"}),
        ("要去多久", {"duration"}),
        ("王程俊是谁", {"who"}),
        ("双百双招", set()),
    ],
)
def test_forms(text: str, forms: set[str]) -> None:
    assert phrases.forms(phrases.rewrite(text)) == forms


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("孔彬是谁", ["孔彬是谁"]),
        ("領導好，孔彬是誰？", ["领导好", "孔彬是谁"]),  # cleaned: simplified, punctuation splits
        ("老婆怀孕了 能回来吗…", ["老婆怀孕了", "能回来吗"]),
        ("上海、江苏、浙江都去吗", ["上海、江苏、浙江都去吗"]),  # an enumeration is one clause
        ("？？", []),
        ("1,2,3,4,5,6,7,8,9,10", ["3", "4", "5", "6", "7", "8", "9", "10"]),  # the last MAX_CLAUSES
    ],
)
def test_clauses(raw: str, expected: list[str]) -> None:
    assert clauses(raw) == expected


def test_a_matcher_loads_both_converters_before_the_first_question() -> None:
    text._converter.cache_clear()
    Matcher(Knowledge(entries=()))
    assert text._converter.cache_info().currsize == 2  # t2s and s2tw: the first traditional reader waits for neither
