"""Questions the bot missed, grouped so staff see what to add to the FAQ.

A miss is a declined question, a "none of these" press under suggestions, or a
👎 under an answer (the tables of migration 1).  Phrasings that read alike after
normalisation are grouped greedily: the most frequent phrasing starts a group and
each following one joins the first group whose leading phrasing is similar enough
(rapidfuzz ratio).  Staff can mark a group as handled (table ``missed_handled``,
migration 2); its earlier records then leave the report.
"""

from __future__ import annotations

import csv
import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from rapidfuzz import fuzz, process

from bot.core.matching.matcher import MatchResult
from bot.core.matching.thresholds import Outcome
from bot.core.storage.clock import iso
from bot.core.storage.connection import Database
from bot.core.usage import texts
from bot.core.usage.period import Period

SIMILARITY = 65.0  # rapidfuzz ratio (0–100) from which two normalised phrasings are one group
SHOWN_GROUPS = 15
SHOWN_PHRASINGS = 4


class MissKind(enum.StrEnum):
    DECLINED = "decline"
    NONE_OF_THESE = "none_of_these"
    THUMBS_DOWN = "down"

    @property
    def label(self) -> str:
        return texts.KIND_LABELS[self.value]


@dataclass(frozen=True)
class Miss:
    """One missed question (or one reaction to a reply) as recorded."""

    question_id: int
    at: datetime
    text: str
    normalized: str
    kind: MissKind
    entry_id: str | None


@dataclass(frozen=True)
class Phrasing:
    """One way of asking, with how often it was missed."""

    text: str
    normalized: str
    count: int


@dataclass(frozen=True)
class MissedGroup:
    """Similar phrasings of one missed question, the most frequent first."""

    phrasings: tuple[Phrasing, ...]
    kinds: tuple[tuple[MissKind, int], ...]
    entry_ids: tuple[str, ...]  # entries involved: rejected suggestions, answers rated 👎
    question_ids: tuple[int, ...]
    last_at: datetime

    @property
    def text(self) -> str:
        return self.phrasings[0].text

    @property
    def count(self) -> int:
        return sum(phrasing.count for phrasing in self.phrasings)

    @property
    def key(self) -> int:
        """The newest question id of the group: what a "handled" button refers to."""
        return max(self.question_ids)


_MISSES_SQL = """
SELECT q.id AS question_id, q.created_at AS at, q.text, q.normalized, 'decline' AS kind, q.entry_id
FROM questions AS q
LEFT JOIN missed_handled AS h ON h.normalized = q.normalized
WHERE q.outcome = 'decline' AND q.normalized != '' AND q.created_at >= ? AND q.created_at < ?
  AND (h.handled_at IS NULL OR q.created_at > h.handled_at)
UNION ALL
SELECT q.id, f.created_at, q.text, q.normalized, f.kind, COALESCE(f.entry_id, q.entry_id)
FROM feedback AS f
JOIN questions AS q ON q.id = f.question_id
LEFT JOIN missed_handled AS h ON h.normalized = q.normalized
WHERE f.kind IN ('down', 'none_of_these') AND q.normalized != '' AND f.created_at >= ? AND f.created_at < ?
  AND (h.handled_at IS NULL OR f.created_at > h.handled_at)
ORDER BY at
"""


def load_misses(db: Database, period: Period) -> list[Miss]:
    """Every miss of the period that staff have not marked as handled, oldest first."""
    since, until = period.bounds
    rows = db.connection.execute(_MISSES_SQL, (since, until, since, until)).fetchall()
    return [
        Miss(
            row["question_id"],
            datetime.fromisoformat(row["at"]),
            row["text"],
            row["normalized"],
            MissKind(row["kind"]),
            row["entry_id"],
        )
        for row in rows
    ]


class _Group:
    def __init__(self, key: str) -> None:
        self.key = key
        self.members: list[str] = []


def group_misses(misses: Iterable[Miss], similarity: float = SIMILARITY) -> list[MissedGroup]:
    """Group similar phrasings; the most frequent group first."""
    by_phrasing: dict[str, list[Miss]] = {}
    for miss in misses:
        by_phrasing.setdefault(miss.normalized, []).append(miss)
    order = sorted(by_phrasing, key=lambda key: (-len(by_phrasing[key]), -_newest(by_phrasing[key]).timestamp(), key))
    groups: list[_Group] = []
    for phrasing in order:
        found = process.extractOne(
            phrasing, [group.key for group in groups], scorer=fuzz.ratio, score_cutoff=similarity
        )
        group = groups[found[2]] if found is not None else None
        if group is None:
            group = _Group(phrasing)
            groups.append(group)
        group.members.append(phrasing)
    result = [
        _freeze([miss for member in group.members for miss in by_phrasing[member]], group.members) for group in groups
    ]
    result.sort(key=lambda group: (-group.count, -group.last_at.timestamp(), group.text))
    return result


def _newest(misses: list[Miss]) -> datetime:
    return max(miss.at for miss in misses)


def _freeze(misses: list[Miss], members: list[str]) -> MissedGroup:
    phrasings = []
    for member in members:
        own = [miss for miss in misses if miss.normalized == member]
        wordings = Counter(miss.text for miss in own)
        newest = {miss.text: miss.at for miss in sorted(own, key=lambda miss: miss.at)}
        shown = max(wordings, key=lambda text: (wordings[text], newest[text]))  # most common, then newest
        phrasings.append(Phrasing(shown, member, len(own)))
    kinds = {kind: sum(miss.kind is kind for miss in misses) for kind in MissKind}
    entry_ids = dict.fromkeys(miss.entry_id for miss in misses if miss.entry_id and miss.kind is not MissKind.DECLINED)
    return MissedGroup(
        phrasings=tuple(phrasings),
        kinds=tuple((kind, count) for kind, count in kinds.items() if count),
        entry_ids=tuple(entry_id for entry_id in entry_ids if entry_id),
        question_ids=tuple(sorted({miss.question_id for miss in misses})),
        last_at=_newest(misses),
    )


def missed_report(db: Database, period: Period) -> list[MissedGroup]:
    """The grouped misses of ``period``, the most frequent first."""
    return group_misses(load_misses(db, period))


def mark_handled(
    db: Database, period: Period, question_id: int, *, by: int | None = None, at: datetime
) -> MissedGroup | None:
    """Mark the group holding ``question_id`` as handled; None when it is not in the report any more."""
    group = next((group for group in missed_report(db, period) if question_id in group.question_ids), None)
    if group is None:
        return None
    with db.transaction() as connection:
        connection.executemany(
            "INSERT INTO missed_handled (normalized, handled_at, handled_by) VALUES (?, ?, ?)"
            " ON CONFLICT (normalized) DO UPDATE SET handled_at = excluded.handled_at, handled_by = excluded.handled_by",
            [(phrasing.normalized, iso(at), by) for phrasing in group.phrasings],
        )
    return group


def current_outcome(match: Callable[[str], MatchResult]) -> Callable[[str], str]:
    """What the bot would do with a phrasing now, for the report (after an FAQ update)."""

    def describe(text: str) -> str:
        result = match(text)
        if result.outcome is Outcome.ANSWER and result.best is not None:
            return texts.WOULD_ANSWER.format(entry=result.best.entry_id)
        if result.outcome is Outcome.SUGGEST:
            return texts.WOULD_SUGGEST.format(
                entries="、".join(candidate.entry_id for candidate in result.candidates[:3])
            )
        return texts.STILL_UNANSWERED

    return describe


def format_missed(
    groups: list[MissedGroup],
    period: Period,
    *,
    current: Callable[[str], str] | None = None,
    limit: int = SHOWN_GROUPS,
) -> str:
    """The report as plain text (Chinese), shared by ``/unanswered`` and ``faqbot report``."""
    heading = texts.MISSED_HEADING.format(period=period.describe())
    if not groups:
        return texts.NOTHING_MISSED.format(heading=heading)
    total = sum(group.count for group in groups)
    lines = [texts.MISSED_TOTAL.format(heading=heading, total=total, groups=len(groups))]
    for number, group in enumerate(groups[:limit], start=1):
        kinds = " · ".join(f"{kind.label} {count}" for kind, count in group.kinds)
        lines.append(f"{number}. {group.text} ×{group.count}（{kinds}）")
        others = group.phrasings[1 : SHOWN_PHRASINGS + 1]
        if others:
            more = len(group.phrasings) - 1 - len(others)
            shown = "；".join(f"{p.text} ×{p.count}" if p.count > 1 else p.text for p in others)
            lines.append(
                texts.SIMILAR.format(shown=shown) + (texts.MORE_SIMILAR.format(count=more) if more > 0 else "")
            )
        if group.entry_ids:
            lines.append(texts.ENTRIES.format(entries="、".join(group.entry_ids)))
        if current is not None:
            lines.append(f"   {current(group.text)}")
    if len(groups) > limit:
        lines.append(texts.MORE_GROUPS.format(count=len(groups) - limit))
    return "\n".join(lines)


CSV_COLUMNS = ("group", "group_count", "question", "count", "normalized", "kinds", "entry_ids", "last_asked")


def write_missed_csv(groups: list[MissedGroup], stream: TextIO, period: Period, *, english: bool = False) -> None:
    """One row per phrasing, with the group it belongs to (for a spreadsheet); Chinese headers unless ``english``."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS if english else texts.CSV_COLUMNS)
    for number, group in enumerate(groups, start=1):
        kinds = " ".join(f"{kind.value if english else kind.label}:{count}" for kind, count in group.kinds)
        last = group.last_at.astimezone(period.tz).strftime("%Y-%m-%d %H:%M")
        for phrasing in group.phrasings:
            writer.writerow(
                (
                    number,
                    group.count,
                    phrasing.text,
                    phrasing.count,
                    phrasing.normalized,
                    kinds,
                    " ".join(group.entry_ids),
                    last,
                )
            )
