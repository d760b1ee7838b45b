"""A toneless, fuzzy pinyin reading of Chinese text, for homophone typos.

Cadres type with pinyin input methods, so a wrong character usually sounds like
the right one (双召 for 双招, 许大朋 for 许大鹏).  The matcher compares readings as
well as characters; the reading here folds the sounds that input-method users
and many southern speakers confuse (zh/z, ch/c, sh/s, l/n, -ng/-n).  ASCII words
that spell pinyin (``shuangbai``) are split into syllables so that a question
typed without the input method still meets its characters.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_VOWEL_RE = re.compile("[aeiouv]")
_SYLLABLE_RE = re.compile(r"^[a-z]+$")


@functools.cache
def _readings() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict  # noqa: PLC0415 - 0.2 s import, only when first needed

    table: dict[int, str] = {}
    for code, readings in pinyin_dict.items():
        first = readings.split(",", 1)[0]
        plain = "".join(ch for ch in unicodedata.normalize("NFD", first) if not unicodedata.combining(ch))
        table[code] = plain.replace("ü", "v")
    return table


def fold(syllable: str) -> str:
    """Merge easily confused sounds: zh→z, ch→c, sh→s, initial l→n, final ng→n."""
    for before, after in _FOLDS:
        if syllable.startswith(before):
            syllable = after + syllable[len(before) :]
            break
    if syllable.startswith("l"):
        syllable = "n" + syllable[1:]
    if syllable.endswith("ng") and len(syllable) > 2:
        syllable = syllable[:-1]
    return syllable


@functools.cache
def reading(char: str) -> str | None:
    """The folded toneless reading of one Han character, or None for other characters."""
    plain = _readings().get(ord(char))
    return fold(plain) if plain else None


@functools.cache
def _syllables() -> frozenset[str]:
    return frozenset(_readings().values())


@functools.cache
def split_pinyin(word: str) -> tuple[str, ...] | None:
    """Split an ASCII word into folded pinyin syllables (``shuangbai`` → shuan, bai), or None.

    Dynamic programming that prefers fewer, longer syllables; words that are not
    entirely pinyin (``wifi``, ``gdp``) give None.
    """
    if not _SYLLABLE_RE.match(word) or len(word) > 60:
        return None
    syllables = _syllables()
    best: list[tuple[str, ...] | None] = [None] * (len(word) + 1)
    best[0] = ()
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            piece = word[start:end]
            if head is not None and piece in syllables and _VOWEL_RE.search(piece):
                candidate = (*head, piece)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    result = best[len(word)]
    if not result or (len(result) == 1 and len(word) < 4):
        return None  # short words such as "ai" or "me" are more likely English than pinyin
    return tuple(fold(s) for s in result)
