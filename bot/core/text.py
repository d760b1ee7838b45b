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
    "领导好", "领导您好", "老师好", "老师您好", "各位好", "大家好", "您好", "你好", "哈喽", "嗨",
    "我想请问一下", "我想请问", "想请问", "请问一下", "请问", "请教一下", "请教", "想问一下", "想问下", "问一下", "问下", "打听一下",
    "我想知道", "想了解一下", "想了解", "我想问", "麻烦问一下", "麻烦您", "麻烦", "打扰一下", "打扰了",
    "谢谢您", "谢谢", "多谢", "感谢", "辛苦了", "能不能告诉我", "能告诉我", "告诉我", "帮我看看",
    "一下",
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


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified ones."""
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    """Convert simplified characters to traditional ones (standard OpenCC forms)."""
    return str(_converter("s2t").convert(text))


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
        return _CLAUSE_SPLIT_RE.sub("", clean(word))

    def apply(self, text: str) -> str:
        """Replace each synonym in ``text`` by its canonical word (longest match first)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self._mapping[match.group(0)], text)

    def __len__(self) -> int:
        return len(self._mapping)


def normalize(text: str, synonyms: SynonymTable | None = None) -> str:
    """The matching form of a question: cleaned, fillers removed, synonyms unified."""
    text = strip_fillers(clean(text))
    return synonyms.apply(text) if synonyms is not None else text


def tokens(normalized: str) -> list[str]:
    """Split a normalised string into tokens: one per Han character, one per ASCII word or number."""
    return _TOKEN_RE.findall(normalized)
