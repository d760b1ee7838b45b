"""Chinese text normalisation shared by the FAQ index and incoming questions.

Everything the matcher compares goes through :func:`normalize`, so a question
typed in traditional script, with full-width digits, greetings, emoji or
zero-width characters lands on the same form as the FAQ's own questions.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping

import opencc


class Script(enum.StrEnum):
    """The writing system a user writes in, and gets replies in."""

    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"


# Politeness and filler phrases that carry no meaning for matching.  Longest
# first is not needed here: the regex below sorts them.
# fmt: off
FILLER_PHRASES = (
    "领导好", "领导您好", "老师好", "老师您好", "各位好", "大家好", "您好", "你好", "哈喽", "嗨", "早上好", "晚上好",
    "我想请问一下", "我想请问", "想请问", "请问一下", "请问", "请教一下", "请教", "想问一下", "想问下", "问一下", "问下",
    "打听一下", "咨询一下", "想咨询", "我想知道", "想知道", "想了解一下", "想了解", "我想问", "麻烦问一下", "麻烦问下",
    "麻烦您", "麻烦", "打扰一下", "打扰了", "冒昧问一下", "冒昧地问", "冒昧", "问问", "顺便问一下",
    "谢谢您", "谢谢啦", "谢谢", "多谢", "感谢", "辛苦了", "拜托了", "能不能告诉我", "能告诉我", "告诉我", "帮我看看",
    "哈哈", "呵呵", "嘿嘿", "嗯嗯", "一下", "大概", "大约", "到底", "究竟", "我们", "咱们", "你们",
)
# fmt: on
# Sentence-final particles: dropped only at the end of a clause, so that words
# such as 吗啡 or 酒吧 keep their characters.
FINAL_PARTICLES = "呢吗嘛吧呀啊哈哦噢喔啦咯哇"

_FILLER_RE = re.compile("|".join(sorted(map(re.escape, FILLER_PHRASES), key=len, reverse=True)))
_CLAUSE_SPLIT_RE = re.compile(r"[^\w]+")
_FINAL_PARTICLES_RE = re.compile(f"[{FINAL_PARTICLES}]+$")
# Invisible characters that NFKC keeps: zero-width space/joiners, BOM, bidi marks.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_INNER_SPACE_RE = re.compile(r"(?<![a-z0-9]) | (?![a-z0-9])")
_TOKEN_RE = re.compile(r"[a-z0-9]+|[^\W\d_a-z]", re.UNICODE)


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def load_converters() -> None:
    """Load OpenCC's dictionaries now (about 0.1 s each) rather than on the first question that needs them."""
    for config in ("t2s", "s2tw"):
        _converter(config)


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified ones."""
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    """Convert simplified characters to traditional ones, in the forms readers use (吃飯, 家裡).

    OpenCC's ``s2t`` gives its etymological standard (喫飯, 家裏), which readers take for
    mistakes; ``s2tw`` gives the common Taiwan forms, read without surprise in Hong Kong too.
    ``s2twp`` is not used: it also swaps vocabulary (软件 → 軟體), changing the FAQ's words.
    """
    return str(_converter("s2tw").convert(text))


def detect_script(text: str) -> Script:
    """Tell whether ``text`` is written in traditional rather than simplified script.

    Characters that exist in only one script decide; text with neither (ASCII,
    characters shared by both scripts) counts as simplified, the default.
    """
    traditional = simplified = 0
    for char in set(text):
        if not ("\u4e00" <= char <= "\u9fff"):
            continue
        if to_simplified(char) != char:
            traditional += 1
        elif to_traditional(char) != char:
            simplified += 1
    return Script.TRADITIONAL if traditional > simplified else Script.SIMPLIFIED


def convert(text: str, script: Script) -> str:
    """Render simplified ``text`` in ``script``."""
    return to_traditional(text) if script is Script.TRADITIONAL else text


def clean(text: str) -> str:
    """NFKC, drop control and invisible characters, lowercase, simplified script."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return to_simplified(text.lower())


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RE = re.compile("[零〇一二两三四五六七八九十百千万]+")
# A lone digit character is a number only before a measure word (一个, 五批), so
# that words such as 一体化, 统一 or 五群 keep their characters.
_MEASURE_WORDS = frozenset("个名位人天批年月日号次条家岁周项元块")


def _numeral_value(numeral: str) -> int | None:
    """The value of a Chinese numeral such as 一百零四, 十三 or 两万, or None."""
    total = section = digit = 0
    seen_digit = False
    for char in numeral:
        if char in _DIGITS:
            if seen_digit and digit:  # two digits in a row (一一) is not a number
                return None
            digit, seen_digit = _DIGITS[char], True
        elif char in _UNITS:
            section += (digit if seen_digit else 1) * _UNITS[char]
            digit, seen_digit = 0, False
        else:  # 万
            total = (total + section + digit) * 10000
            section = digit = 0
            seen_digit = False
    return total + section + digit


def _replace_numeral(match: re.Match[str]) -> str:
    numeral = match.group(0)
    if len(numeral) == 1 and numeral in "百千万":
        return numeral  # 百天, 双百: a bare unit is a word, not a number
    if len(numeral) == 1 and numeral in _DIGITS:
        following = match.string[match.end() : match.end() + 1]
        if following not in _MEASURE_WORDS:
            return numeral
    value = _numeral_value(numeral)
    return numeral if value is None else str(value)


def arabic_numerals(text: str) -> str:
    """Write Chinese numerals in digits: 一百天 → 100天, 十三个 → 13个, 五批 → 5批."""
    return _NUMERAL_RE.sub(_replace_numeral, text)


def strip_fillers(text: str) -> str:
    """Remove politeness phrases, then clause-final particles, then punctuation."""
    text = _FILLER_RE.sub(" ", text)
    clauses = (_FINAL_PARTICLES_RE.sub("", clause) for clause in _CLAUSE_SPLIT_RE.split(text))
    # Keep one space between ASCII words only ("wifi 100"), none between Han characters.
    return _INNER_SPACE_RE.sub("", " ".join(clause for clause in clauses if clause))


class SynonymTable:
    """Maps every word of a synonym group to the group's first word."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        mapping: dict[str, str] = {}
        for group in groups:
            words = [self._key(word) for word in group]
            words = [word for word in words if word]
            for word in words[1:]:
                if word != words[0]:
                    mapping[word] = words[0]
        self._mapping: Mapping[str, str] = mapping
        alternatives = sorted(mapping, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    @staticmethod
    def _key(word: str) -> str:
        return _CLAUSE_SPLIT_RE.sub("", arabic_numerals(clean(word)))

    def apply(self, text: str) -> str:
        """Replace each synonym in ``text`` by its canonical word (longest match first)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self._mapping[match.group(0)], text)

    def __len__(self) -> int:
        return len(self._mapping)


def normalize(text: str, synonyms: SynonymTable | None = None) -> str:
    """The matching form of a question: cleaned, numerals in digits, fillers removed, synonyms unified."""
    text = strip_fillers(arabic_numerals(clean(text)))
    return synonyms.apply(text) if synonyms is not None else text


_CLAUSE_BREAK_RE = re.compile(r"[,.?!;:。…~\s]+")
MAX_CLAUSES = 8  # a longer message is read as a whole and by its last clauses only


def clauses(text: str) -> list[str]:
    """The clauses of a message, split where punctuation or spaces end them (of the cleaned text).

    Only the last :data:`MAX_CLAUSES` are returned: a question usually ends a message.
    """
    parts = [part for part in _CLAUSE_BREAK_RE.split(clean(text)) if part]
    return parts[-MAX_CLAUSES:]


def tokens(normalized: str) -> list[str]:
    """Split a normalised string into tokens: one per Han character, one per ASCII word or number."""
    return _TOKEN_RE.findall(normalized)
