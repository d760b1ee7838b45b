"""Built-in knowledge of how Chinese questions are phrased, shared by every FAQ.

Two tables, both generic (no FAQ's own words):

- :data:`REWRITES` folds colloquial spellings of question words onto one form
  (啥 → 什么, 咋 → 怎么, 为啥 → 为什么), so 这是啥 meets 这是什么.
- :data:`FORMS` groups phrasings that ask the same *kind* of thing (the cause,
  the remedy, whether something is allowed, how long, …).  The matcher adds one
  token per form found, so 什么原因 and 为什么 agree on the form even though they
  share no character, and it notices when a question asks a different kind of
  thing than the FAQ question it resembles (百令胶囊如何服用 is not
  百令胶囊需要注意什么).

The groups were written from general Chinese usage and checked on one half of
the Tianchi benchmark (see ``benchmarks/``); none is specific to one FAQ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# fmt: off
REWRITES: Mapping[str, str] = {
    "甚么": "什么", "啥子": "什么", "啥": "什么", "咋样": "怎么样", "咋": "怎么", "怎样": "怎么样", "如何": "怎么",
    "为啥": "为什么", "为何": "为什么", "干嘛": "干什么", "干吗": "干什么", "哪儿": "哪里", "哪里": "哪里", "啥时候": "什么时候",
    "何时": "什么时候", "多长时间": "多久", "多少时间": "多久", "是否": "是不是", "能否": "能不能", "可否": "可不可以",
    "呆": "待", "咱们": "我们", "俺": "我",
}

FORMS: Mapping[str, tuple[str, ...]] = {
    "cause": ("为什么", "是什么原因", "是什么引起", "是什么导致", "什么原因", "什么情况", "是怎么了", "原因", "怎么回事", "怎么了", "怎么会", "导致", "引起", "造成", "所致", "由于"),
    "remedy": ("怎么办", "怎么处理", "怎么解决", "怎么治", "治疗", "处理", "解决", "缓解", "治好"),
    "allowed": ("能不能", "可不可以", "可以", "能够", "允许", "行不行", "能吃", "能用"),
    "caution": ("注意什么", "注意事项", "注意", "禁忌", "小心"),
    "serious": ("严重", "要紧", "危险", "危害", "后果", "影响大"),
    "meaning": ("什么意思", "意思", "含义", "是什么", "什么是", "指什么", "介绍", "定义", "概念"),
    "duration": ("多久", "几天", "多少天", "多长", "时长", "周期", "期限", "几个月", "寿命"),
    "amount": ("多少", "几个", "几名", "几位", "数量", "人数", "规模"),
    "when": ("什么时候", "哪天", "几号", "几月", "日期", "时间表", "几点"),
    "where": ("哪里", "什么地方", "在哪", "去哪", "哪些地方", "地点", "哪个城市"),
    "who": ("谁", "哪位", "什么人", "哪个人"),
    "effect": ("作用", "效果", "好处", "功效", "用处", "有用", "有效", "帮助", "意义"),
    "symptom": ("症状", "表现", "征兆", "迹象"),
    "cost": ("多少钱", "价格", "费用", "贵不贵", "花钱"),
    "method": ("怎么", "方法", "办法", "步骤", "流程", "方式"),
}

# Words that stand for one another in questions.  Found by aligning the
# paraphrase pairs of Tianchi part A (``benchmarks/``: replaced word spans that
# recur in paraphrases and rarely in contrast pairs), then vetted by hand to keep
# only general Chinese equivalences (no disease names).  Each group adds one
# shared token, so 吃 and 服用 agree without either being rewritten.
EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("哪些", "哪种", "哪一种", "什么样", "那种", "哪几种"),
    ("有哪些", "是什么", "有什么"),
    ("服用", "吃", "口服"),
    ("治疗", "治", "医治", "疗法"),
    ("引起", "造成", "诱发", "导致", "引发"),
    ("和", "与", "跟", "以及"),
    ("需要", "有必要", "应该", "必须", "一定要"),
    ("孩子", "小孩", "小孩子", "儿童", "宝宝", "小儿", "婴儿", "幼儿", "宝贝"),
    ("孕妇", "怀孕", "孕期", "怀孕期间"),
    ("作用", "功效", "效果", "疗效", "管用", "用处"),
    ("症状", "表现", "征兆"),
    ("危害", "后果", "坏处"),
    ("副作用", "不良反应"),
    ("能不能", "可以", "能否", "可不可以", "还能", "能够"),
)

# Characters that shape a question rather than say what it is about; they weigh
# less than content characters wherever they stand (alone or in a bigram).
FUNCTION_CHARS = frozenset(
    "的了是吗呢吧啊呀么什怎哪谁几多少我你他她它们这那个些有没在要会能可以就都也还和与及或被把对从到给让向之其吗"
    "请问想知道一下些种样么该去来过着得地很太最更又再才"
)
# fmt: on

_EQUIVALENT_OF: dict[str, str] = {word: group[0] for group in EQUIVALENTS for word in group}
_EQUIVALENT_RE = re.compile("|".join(map(re.escape, sorted(_EQUIVALENT_OF, key=len, reverse=True))))
_REWRITE_RE = re.compile("|".join(map(re.escape, sorted(REWRITES, key=len, reverse=True))))
_FORM_OF: dict[str, str] = {phrase: form for form, phrases in FORMS.items() for phrase in phrases}
FORM_PHRASES = frozenset(_FORM_OF)
_FORM_RE = re.compile("|".join(map(re.escape, sorted(_FORM_OF, key=len, reverse=True))))


def rewrite(normalized: str) -> str:
    """Fold colloquial question words onto one spelling (啥 → 什么, 咋 → 怎么)."""
    return _REWRITE_RE.sub(lambda match: REWRITES[match.group(0)], normalized)


def forms(rewritten: str) -> frozenset[str]:
    """The kinds of question ``rewritten`` asks, e.g. {"cause"} for 为什么会咯血.

    Phrases are found longest first without overlap, so 怎么办 counts as a
    remedy and not also as a method.
    """
    return frozenset(_FORM_OF[match.group(0)] for match in _FORM_RE.finditer(rewritten))


def equivalents(rewritten: str) -> list[str]:
    """The equivalence group (its first word) of each word of :data:`EQUIVALENTS` found, in order."""
    return [_EQUIVALENT_OF[match.group(0)] for match in _EQUIVALENT_RE.finditer(rewritten)]
