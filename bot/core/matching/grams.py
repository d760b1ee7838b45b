"""The grams a question is read as: characters, their pinyin, the kinds of question it asks.

Every question (and every FAQ phrasing) is analysed into *grams*: character
unigrams and bigrams, bigrams of its (fuzzy, toneless) pinyin reading — so
homophone typos still meet — one token per kind of question it asks and one per
generic word equivalence (:mod:`bot.core.matching.phrases`).  Each kind of gram
weighs differently (:class:`~bot.core.matching.features.Weights`), and each
character by how much it says about the meaning
(:mod:`bot.core.matching.learned`).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from bot.core.matching import phrases
from bot.core.matching.features import Weights
from bot.core.matching.keys import gram_key
from bot.core.matching.learned import KEEP_RATE
from bot.core.matching.pinyin import reading, split_pinyin
from bot.core.matching.text import SynonymTable, normalize, tokens

HAN_RE = re.compile(r"[\u3400-\u9fff]")
PINYIN = "\x02"
FORM = "\x03"
PAIR = "\x1f"
EQUIVALENT = "\x04"


def grams(rewritten: str) -> Counter[str]:
    """Character unigrams and bigrams, pinyin bigrams and question forms of a rewritten question.

    An ASCII word that spells pinyin (``shuangbai``) joins only the pinyin
    channel, where it meets the characters it stands for.
    """
    chars: list[str] = []
    sounds: list[str] = []
    for tok in tokens(rewritten):
        if HAN_RE.match(tok):
            chars.append(tok)
            sounds.append(reading(tok) or tok)
            continue
        spelled = split_pinyin(tok)
        if spelled is None:
            chars.append(tok)
            sounds.append(tok)
        else:
            sounds.extend(spelled)
    found: Counter[str] = Counter(chars)
    found.update(a + PAIR + b for a, b in itertools.pairwise(chars))
    found.update(PINYIN + a + " " + b for a, b in itertools.pairwise(sounds))
    found.update(FORM + form for form in phrases.forms(rewritten))
    found.update(EQUIVALENT + word for word in phrases.equivalents(rewritten))
    return found


def _char_factor(token: str, weights: Weights) -> float:
    rate = KEEP_RATE.get(token)
    if rate is not None:
        return float(rate**weights.keep_power)
    return weights.function if token in phrases.FUNCTION_CHARS else 1.0


def kind_factor(gram: str, weights: Weights) -> float:
    """How much a gram of this kind and these characters weighs, before IDF."""
    if gram.startswith(PINYIN):
        return weights.pinyin
    if gram.startswith(FORM):
        return weights.form
    if gram.startswith(EQUIVALENT):
        return weights.equivalent
    factor = 1.0
    parts = gram.split(PAIR)
    for part in parts:
        factor *= _char_factor(part, weights)
    return float(factor ** (1 / len(parts)))


def misspelt_grams(rewritten: str, known_of: dict[str, bool]) -> frozenset[str]:
    """Character grams the FAQ never uses although it uses their sound: likely typing slips (双白 for 双百).

    A pair of characters counts when its pinyin pair is known; its characters
    count with it.  Single sounds are not enough: too many characters share one.
    """
    han = [tok for tok in tokens(rewritten) if HAN_RE.match(tok)]
    found: set[str] = set()
    for a, b in itertools.pairwise(han):
        if known_of.get(PINYIN + (reading(a) or a) + " " + (reading(b) or b)):
            found.update((a, b, a + PAIR + b))
    return frozenset(gram for gram in found if not known_of.get(gram, True))


def gram_keys(text: str, synonyms: SynonymTable) -> frozenset[int]:
    """The gram hashes of a text read the way questions are."""
    if not text:
        return frozenset()
    return frozenset(gram_key(gram) for gram in grams(phrases.rewrite(normalize(text, synonyms))))
