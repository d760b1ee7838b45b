"""What part of a message is the question.

Cadres rarely ask a bare question.  They name the programme (双百双招住哪里),
introduce themselves (我是今年被选派的干部，想问下要待多久), pass on hearsay
(听说要去100天，是真的吗) or point at "this" programme (这次派去哪些地方).  All
of that is *context*: every entry shares it, so it says nothing about which
entry is meant, yet it weighs in the matcher like any other word and drags the
question towards the few entries whose phrasings name the programme.

:class:`Focus` removes it, and the matcher reads the message a second time
without it (see :meth:`bot.core.matching.matcher.Matcher.match`).  Two kinds of context
are removed:

- the FAQ's own: the words of its ``context:`` list (the programme's name, the
  people it sends …), so another programme's FAQ names its own and nothing here
  is specific to one programme;
- the language's: a clause introducing the asker, hearsay markers and words
  pointing at "this" programme (:data:`SELF_INTRODUCTION_RE`,
  :data:`HEARSAY`, :data:`DEICTIC_RE`).

What is left is the question only when it still says something
(:func:`has_content`): 双百双招是什么 without its context is a bare 是什么, and
then the message asks about the programme itself and is read whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.core.matching import phrases
from bot.core.matching.text import SynonymTable, clean, normalize

# A clause in which the askers say who they are or where they work (我是今年被选派的干部,
# 本人在相山区工作, 我们单位有人报名了); dropped when another clause remains.
SELF_INTRODUCTION_RE = re.compile(
    r"^(?:我|本人|我们单位|咱们单位|我们这边|我单位)(?:是(?!不是)|叫|在|今年|这次|此次|刚|已经|被|也|有人)"
)
# Phrases that pass on what the asker heard; the claim after them stays, it is the question.
# fmt: off
HEARSAY = (
    "听说", "据说", "听人说", "听别人说", "听同事说", "听领导说", "同事说", "有人说", "别人说", "领导说",
    "通知里说", "通知上说", "通知说", "文件里说", "文件上说", "网上说", "群里说", "看到通知说", "我看到",
)
# fmt: on
# Phrases after which the question itself follows (…，想问岗位会不会在企业).
INTRODUCERS = (
    "想问一下",
    "想问下",
    "想问问",
    "想问",
    "请问一下",
    "请问",
    "想了解一下",
    "想了解",
    "想咨询一下",
    "想咨询",
    "咨询一下",
    "问一下",
    "问下",
    "打听一下",
    "想知道",
    "我想确认一下",
    "想确认一下",
    "想核实一下",
    "想核实",
)
# Tails that ask whether a claim is true: the claim is what is asked about.
VERIFICATION_TAILS = (
    "是真的吗",
    "是真的假的",
    "真的假的",
    "真的吗",
    "是这样吗",
    "是这样的吗",
    "对吗",
    "对不对",
    "是不是真的",
    "是吗",
    "靠谱吗",
    "可靠吗",
    "准确吗",
    "没错吧",
    "有这回事吗",
    "有这事吗",
    "靠谱",
    "真的",
    "是吧",
    "对吧",
)
# Words pointing at "this" programme, whatever its name.
DEICTIC_RE = re.compile(r"(?:这一次|这次|此次|本次|这回|今年这次)(?:的)?|(?:这个|该|此)(?:行动|项目|活动|计划)(?:的)?")
# Asking what the thing itself is: with nothing else asked, the question is about the programme
# (双百双招具体指的是什么: 具体 and 指的 ask nothing of their own; on tuning one more right answer).
ABOUT_ITSELF = ("是怎么回事", "怎么回事", "干什么的", "做什么的", "是干什么", "介绍", "具体", "指的是", "指的")
_CLAUSE_RE = re.compile(r"[^,.?!;:。…~，、！？；：\s]+[,.?!;:。…~，、！？；：\s]*")
_QUESTION_END_RE = re.compile(r"[?？]|[吗呢么嘛]\W*$")
_HEARSAY_RE = re.compile("|".join(map(re.escape, sorted(HEARSAY, key=len, reverse=True))))
_INTRODUCER_RE = re.compile("|".join(map(re.escape, sorted(INTRODUCERS, key=len, reverse=True))))
_TAIL_RE = re.compile("(?:" + "|".join(map(re.escape, sorted(VERIFICATION_TAILS, key=len, reverse=True))) + r")[\W]*$")
_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_FORM_PHRASES_LONGEST_FIRST = tuple(sorted(phrases.FORM_PHRASES, key=len, reverse=True))


def has_content(normalized: str) -> bool:
    """Whether a normalised question asks something besides what a thing is (是什么, 怎么回事, 介绍).

    Stripped of its context, 双百双招是什么 asks nothing but what the programme is, while
    要去多长时间 still asks how long and 住哪里 where to stay: a content character, a digit or
    a letter, or a kind of question other than "what is it" (:data:`bot.core.matching.phrases.FORMS`).
    """
    rewritten = phrases.rewrite(normalized)
    for phrase in ABOUT_ITSELF:
        rewritten = rewritten.replace(phrase, " ")
    if phrases.forms(rewritten) - {"meaning"}:
        return True
    for form_phrase in _FORM_PHRASES_LONGEST_FIRST:
        rewritten = rewritten.replace(form_phrase, " ")
    return any(
        (char.isalnum() and not _HAN_RE.match(char)) or (_HAN_RE.match(char) and char not in phrases.FUNCTION_CHARS)
        for char in rewritten
    )


def _is_introduction(clause: str) -> bool:
    return bool(SELF_INTRODUCTION_RE.match(clause.strip())) and not _asks(clause)


def _asks(clause: str) -> bool:
    """Whether a clause asks something: a question mark or particle, a question phrase, an introducer."""
    return bool(
        _QUESTION_END_RE.search(clause)
        or _INTRODUCER_RE.search(clause)
        or phrases.forms(phrases.rewrite(normalize(clause)))
    )


def question_clauses(message: str) -> str:
    """The part of a cleaned message that asks: without self-introductions, hearsay markers and verification tails.

    A clause introducing the asker (我是今年被选派的干部) goes when another clause remains; after a
    question introducer (…，想问岗位会不会在企业) only what follows it stays; hearsay markers (听说)
    and a tail asking whether the claim is true (是真的吗) go, the claim stays.  Other clauses are
    kept: a topic often stands before the question (听说有补贴，一天多少钱).
    """
    message = _TAIL_RE.sub("", message) or message
    parts = _CLAUSE_RE.findall(message) or [message]
    parts = [part for part in parts if not _is_introduction(part)] or parts
    text = "".join(parts)
    introduced = list(_INTRODUCER_RE.finditer(text))
    if introduced and has_content(normalize(text[introduced[-1].end() :])):
        text = text[introduced[-1].end() :]
    return _HEARSAY_RE.sub(" ", text)


class Focus:
    """Removes a message's context: the FAQ's ``context:`` words and the language's context phrases."""

    def __init__(self, context_words: Iterable[str], synonyms: SynonymTable) -> None:
        self.synonyms = synonyms
        # The FAQ's words as the matcher sees them (synonyms applied), longest first.
        normalized = [normalize(word, synonyms) for word in context_words]
        # The first word names the programme: "this programme" (这个行动) asked about alone means it.
        self.name = next((word for word in normalized if word), "")
        ordered = sorted({word for word in normalized if word}, key=len, reverse=True)
        self._context_re = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def names_context(self, message: str, normalized: str | None = None) -> bool:
        """Whether the message names the FAQ's context (the programme): it is about the programme.

        ``normalized``: the message already normalised with this FAQ's synonyms, if the caller has it.
        """
        if self._context_re is None:
            return False
        return bool(self._context_re.search(normalize(message, self.synonyms) if normalized is None else normalized))

    def question(self, message: str, normalized: str | None = None) -> str | None:
        """The normalised message without its context, or None when it has none or nothing would be left.

        ``normalized``: the message already normalised with this FAQ's synonyms, if the caller has it.
        """
        full = normalize(message, self.synonyms) if normalized is None else normalized
        # Clause by clause, so that the matcher can still re-read the closing clauses of what is left.
        kept = question_clauses(clean(message))
        asked = ",".join(filter(None, (normalize(part, self.synonyms) for part in _CLAUSE_RE.findall(kept) or [kept])))
        focused = DEICTIC_RE.sub("", asked)
        if self._context_re is not None:
            focused = self._context_re.sub("", focused)
        if not has_content(focused):
            # Only the programme is asked about (这个行动到底是怎么回事): name it.
            focused = DEICTIC_RE.sub(self.name, asked, count=1) if self.name else asked
        return None if focused.replace(",", "") == full or not focused else focused


# Chat that asks nothing: thanks, greetings, acknowledgements, laughter, praise.
# fmt: off
SMALL_TALK = (
    "谢谢", "多谢", "感谢", "谢了", "好的", "好滴", "好嘞", "好", "收到", "明白", "了解", "知道了", "懂了", "清楚了",
    "嗯", "哦", "噢", "ok", "okay", "哈哈", "呵呵", "嘿嘿", "嘻嘻", "你好", "您好", "大家好", "早上好", "上午好",
    "下午好", "晚上好", "早安", "晚安", "在吗", "在不在", "辛苦了", "辛苦", "厉害", "不错", "挺好", "太好了", "真好",
    "赞", "棒", "牛", "再见", "拜拜", "没事了", "没问题", "不客气", "可以", "行", "对", "是的", "原来如此", "这样啊",
    "老师", "领导", "同志", "了", "啦", "啊", "呀", "哈", "的", "哇", "喔", "吧", "呢", "我", "您", "你", "们", "大家",
    "非常", "很", "太", "真", "十分", "已", "已经", "一下", "那", "这", "也", "都", "加油", "学到了", "学习了",
    "受教了", "长知识了", "长见识了", "涨知识了", "涨见识了", "感谢解答", "谢谢解答", "聪明", "好厉害", "明白啦", "谢啦", "谢谢啦", "是这样", "原来是这样",
    "原来这样", "唉", "哎",
    # praise of the answer (谢谢，很有帮助; 感谢您的耐心解答; 辛苦了，谢谢你的回答)
    "有帮助", "帮助很大", "帮大忙了", "帮了大忙", "有用", "管用", "详细", "清楚", "到位", "指点", "耐心",
    "回复", "回答", "解答", "答复",
    # is anyone there, does it work
    "有人吗", "有人在吗", "在么", "在嘛", "喂", "测试", "试试", "试一下", "hello", "hi", "哈喽", "嗨",
    # the same in English, as people type it
    "test", "testing", "thanks", "thank you", "thx", "bye", "nice", "cool", "great", "good job", "good morning",
    "morning", "good", "yes",
)
# Questions about the bot itself, not the programme (你是机器人吗, 你叫什么名字).
ABOUT_THE_BOT_RE = re.compile(r"^(?:你|您)(?:是(?:谁|机器人|真人|人工|ai|人)|叫什么|叫啥|会什么|能干什么|还挺|真聪明|真厉害)")
# A remark about the bot itself (你这个机器人挺好用的, 这个bot回得挺快): chat, when it asks nothing.
BOT_REMARK_RE = re.compile(r"机器人|bot|小助手|回得|回复得|答得")
# A reaction that opens a remark, not a question (哈哈，100个人，咱们市里真舍得).
REACTIONS = ("哈哈", "呵呵", "嘿嘿", "厉害", "真不错", "不错", "牛", "666", "赞", "佩服", "太好了", "好家伙", "可以啊")
# A remark that closes on a judgement, not a question (五十个人一个团，阵仗不小; 一百天，可不短啊).
JUDGEMENT_RE = re.compile(
    r"(?:不小|不少|不短|不低|不轻松|不容易|不简单|不得了|了不起|有意思|挺多|真多|好多|真大|挺大|好大|真长|挺长|够长"
    r"|舍得|真辛苦|挺辛苦|够辛苦|真行|有魄力|大手笔|下血本|重视|给力|有气势|气派|压力山大|常态|好用|挺快|真快|在理|有道理|说得好|讲得好|说得对|讲得对|不错)[的啊呀哇了啦吧哈嘛!！。.~～\s]*$"
)
# A remark that closes on a degree word and what it grades (挺有意义的, 很周到, 够忙活的), when nothing in
# it asks: no question word, no "A不A" or "A没A" and no "A还是B" (人会不会很多, 是真的不, 挂个名还是真干活 ask);
# 讲一个很长的故事 grades a noun.
EVALUATION_RE = re.compile(
    r"(?:挺|很|真|太|蛮|特别|非常|相当|够|好|这么)(?!不)(?:(?!的)[\u4e00-\u9fff]){1,3}[的啊呀哇了啦吧哈嘛!！。.~～\s]*$"
)
_INTERROGATIVE_RE = re.compile(r"什么|怎么|怎样|哪|谁|几|多少|多久|多长|是否|为什么|为啥|咋|啥|还是|(\w)[不没]\1")
# An acknowledgement that opens a remark (好的，我回头再看看报道; 收到，我跟同事说一声).
ACKNOWLEDGEMENTS = ("好的", "好嘞", "好滴", "好", "ok", "okay", "嗯", "嗯嗯", "收到", "明白", "了解", "知道了", "谢谢", "多谢", "感谢", "行", "可以")
# A wish (祝大家招商顺利, 先锋团的同志们加油).
WISH_RE = re.compile(r"^祝(?!贺)|(?:加油|顺利|成功|圆满)[的啊呀哇了啦吧哈!！。.~～\s]*$")
# fmt: on
_ACKNOWLEDGED_RE = re.compile(
    r"^(?:" + "|".join(map(re.escape, sorted(ACKNOWLEDGEMENTS, key=len, reverse=True))) + r")[\W_]"
)
_SMALL_TALK_RE = re.compile("|".join(map(re.escape, sorted(SMALL_TALK, key=len, reverse=True))))
_ASKS_RE = re.compile(r"[?？]|[吗呢么嘛][^\w]*$")


def _evaluates(text: str) -> bool:
    """Whether a message closes on a degree word and what it grades, and nothing in it asks."""
    return bool(EVALUATION_RE.search(text)) and not (_TAIL_RE.search(text) or _INTERROGATIVE_RE.search(text))


def is_question(message: str) -> bool:
    """Whether a message asks: a question mark, a closing 吗/呢, a question word, A不A or A没A (有没有).

    先锋团 or 2月8日 大会 name a subject and ask nothing of it.
    """
    text = clean(message)
    return bool(_ASKS_RE.search(text) or _INTERROGATIVE_RE.search(text))


# A number in a claim (每天补贴200块, 100多个人, 5年) with what rounds it; not an ordinal (第1批), a date
# (2月8号) or a lone 1, which counts the unit (1天300块, 1个人) rather than states a value.
_CLAIMED_NUMBER_RE = re.compile(r"(?<![第\d.])(?!1(?![\d.]))\d+(?:\.\d+)?(?:多|余|几|来)?(?![\d月日号])(?:左右)?")
ASKED_NUMBER = "多少"  # how the FAQ's phrasings ask for a number


def claim_question(message: str, normalized: str) -> str | None:
    """The question a claim passed on for checking stands for: its one number asked for, or None.

    听说每天补助两百块，是真的吗 asks how much the allowance is, and the FAQ's phrasings ask it with 多少
    (每天补贴多少): a claim marked as hearsay or closing on a verification tail (是真的吗), asking nothing
    else and stating one number, is read with the number as the question.  Several numbers describe
    something (双百就是一百个人、一百天) rather than state a value.  ``normalized`` is the claim as the
    matcher reads it (normalised, without its context).
    """
    text = clean(message)
    if not (_HEARSAY_RE.search(text) or _TAIL_RE.search(text)):
        return None
    if _INTERROGATIVE_RE.search(_TAIL_RE.sub("", text)) or len(_CLAIMED_NUMBER_RE.findall(normalized)) != 1:
        return None
    return _CLAIMED_NUMBER_RE.sub(ASKED_NUMBER, normalized)


_RHETORICAL_RE = re.compile(r"(?<!干)嘛[^\w?？]*$")


def _judges(text: str) -> bool:
    """Whether a message closes on a judgement or a graded remark (规模真不小, 挺有意义的) and asks nothing."""
    return bool(JUDGEMENT_RE.search(text) and not _INTERROGATIVE_RE.search(text)) or _evaluates(text)


def is_small_talk(message: str) -> bool:
    """Whether a message only chats: nothing but small-talk words or emoji, or a remark that asks nothing.

    A remark opens with a reaction (哈哈，100个人) or closes on a judgement (阵仗不小); an acknowledgement
    followed by what the asker will do (好的，我再看看) and a wish (祝…, …加油) ask nothing either, unless
    they hold a kind of question (好的，岗位有多少个).

    An emoji alone (👍, 🙏) is a reaction, like 谢谢; punctuation alone (？？？) says nothing and is not.
    """
    text = clean(message)
    if not re.sub(r"[\W_]+", "", _SMALL_TALK_RE.sub("", text)):
        return bool(re.sub(r"[\W_]+", "", text)) or any(unicodedata.category(char) == "So" for char in text)
    if ABOUT_THE_BOT_RE.match(text.strip()):
        return True
    if _ASKS_RE.search(text):
        # A closing 嘛 after a judgement is rhetorical (挺多的嘛, 不错嘛); any other question asks.
        return bool(_RHETORICAL_RE.search(text)) and _judges(text)
    text = "".join(char for char in text if unicodedata.category(char) != "So")  # 先锋团加油💪: the emoji adds nothing
    if _judges(text):
        return True  # 规模真不小, 挺有意义的: a judgement, though 规模 or 意义 could name what a question asks about
    if _ACKNOWLEDGED_RE.match(stripped := text.strip()) or WISH_RE.search(stripped):
        return not phrases.forms(phrases.rewrite(normalize(text)))  # 好的，岗位有多少个 still asks
    reacts = text.lstrip().startswith(REACTIONS) or re.search(r"(?:哈哈|呵呵|嘿嘿)\W*$", text)
    return bool(reacts or BOT_REMARK_RE.search(text)) and not phrases.forms(phrases.rewrite(normalize(text)))
