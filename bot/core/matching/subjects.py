"""The subject an FAQ entry names: the person or thing its phrasings are about (孔彬, 许大鹏, 长三角).

A follow-up points back at it with a pronoun (他原来在哪个单位 after 孔彬是谁): see
:func:`bot.core.follow_ups.named_again`.  The subject is read off the FAQ itself, so another
programme's FAQ names its own: a word that many of one entry's phrasings say (two at least) and
hardly any other entry's do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from bot.core.knowledge.model import Knowledge
from bot.core.matching.phrases import FUNCTION_CHARS
from bot.core.matching.text import SynonymTable, normalize

# An entry names a subject said by at least this share of its phrasings and by less than OTHERS_SHARE of
# any other entry's.  Chosen on the tuning part (sets A–L): follow-ups right +5 and one answered wrongly
# fewer at 0.4; 0.5 drops 王程俊 (said by 45 % of his entry's phrasings; +3 right), 0.3 adds 城市, 住宿 and
# 时候 (+6 right, one more wrong answer).
SUBJECT_SHARE = 0.4
OTHERS_SHARE = 0.2
SIZES = (2, 3, 4)  # characters in a subject


def words(text: str, synonyms: SynonymTable) -> set[str]:
    """The runs of two to four content characters in ``text`` (normalised; no function characters)."""
    normalized = normalize(text, synonyms)
    return {
        run
        for size in SIZES
        for start in range(len(normalized) - size + 1)
        if (run := normalized[start : start + size]).isalnum() and not any(char in FUNCTION_CHARS for char in run)
    }


def _shares(phrasings: Iterable[str], synonyms: SynonymTable) -> dict[str, float]:
    """The share of ``phrasings`` that say each word said by two of them at least (one phrasing names nothing)."""
    phrasings = list(phrasings)
    counts = Counter(word for phrasing in phrasings for word in words(phrasing, synonyms))
    return {word: count / len(phrasings) for word, count in counts.items() if count >= 2}


def entry_subjects(knowledge: Knowledge, synonyms: SynonymTable) -> Mapping[str, str]:
    """Each entry's subject, for the entries that name one: the most widely said word, at its longest
    (许大鹏 rather than 许大, which as many phrasings contain)."""
    shares = {entry.id: _shares(entry.questions, synonyms) for entry in knowledge.entries}
    # Per word, the largest share of one entry's phrasings that say it and the entry, and the second largest.
    first: dict[str, tuple[float, str]] = {}
    second: dict[str, float] = {}
    for entry_id, own in shares.items():
        for word, share in own.items():
            top = first.get(word)
            if top is None or share > top[0]:
                if top is not None:
                    second[word] = max(second.get(word, 0.0), top[0])
                first[word] = (share, entry_id)
            else:
                second[word] = max(second.get(word, 0.0), share)
    named: dict[str, dict[str, float]] = {}
    for word, (share, entry_id) in first.items():
        if share >= SUBJECT_SHARE and second.get(word, 0.0) < OTHERS_SHARE:
            named.setdefault(entry_id, {})[word] = share
    subjects: dict[str, str] = {}
    for entry_id, said in named.items():
        widest = max(said.values())
        core = max((word for word, share in said.items() if share == widest), key=len)
        subjects[entry_id] = max((word for word in said if core in word), key=lambda word: (len(word), said[word]))
    return subjects
