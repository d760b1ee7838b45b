"""Usage statistics for a period (with the knowledge updates of :func:`~bot.core.usage.journal.record_knowledge_update`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.storage.connection import Database
from bot.core.usage import texts
from bot.core.usage.period import Period

TOP_ENTRIES = 5
BAR_WIDTH = 20
WEEKLY_AFTER_DAYS = 14  # longer periods are shown week by week


@dataclass(frozen=True)
class Stats:
    """What happened in one period.

    ``asked`` counts real questions; greetings and empty messages (nothing left
    after normalisation) are counted apart in ``greetings``.
    """

    period: Period
    asked: int
    answered: int
    suggested: int
    declined: int
    greetings: int
    top_entries: tuple[tuple[str, int], ...]
    thumbs_up: int
    thumbs_down: int
    none_of_these: int
    per_day: tuple[tuple[date, int], ...]
    updates_loaded: int = 0
    updates_refused: int = 0

    def share(self, count: int) -> float:
        return count / self.asked if self.asked else 0.0


def collect_stats(db: Database, period: Period) -> Stats:
    """Read the statistics of ``period`` from the journal tables."""
    since, until = period.bounds
    connection = db.connection
    outcomes: Counter[str] = Counter()
    per_day: Counter[date] = Counter()
    rows = connection.execute(
        "SELECT created_at, outcome, normalized = '' AS empty FROM questions WHERE created_at >= ? AND created_at < ?",
        (since, until),
    )
    for row in rows:
        if row["empty"]:
            outcomes["greeting"] += 1
            continue
        outcomes[row["outcome"]] += 1
        per_day[datetime.fromisoformat(row["created_at"]).astimezone(period.tz).date()] += 1
    top = connection.execute(
        "SELECT entry_id, COUNT(*) AS n FROM questions"
        " WHERE outcome = 'answer' AND entry_id IS NOT NULL AND created_at >= ? AND created_at < ?"
        " GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
        (since, until, TOP_ENTRIES),
    ).fetchall()
    feedback = dict(
        connection.execute(
            "SELECT kind, COUNT(*) FROM feedback WHERE created_at >= ? AND created_at < ? GROUP BY kind", (since, until)
        ).fetchall()
    )
    updates = dict(
        connection.execute(
            "SELECT status, COUNT(*) FROM knowledge_updates WHERE created_at >= ? AND created_at < ? GROUP BY status",
            (since, until),
        ).fetchall()
    )
    return Stats(
        period=period,
        asked=outcomes["answer"] + outcomes["suggest"] + outcomes["decline"],
        answered=outcomes["answer"],
        suggested=outcomes["suggest"],
        declined=outcomes["decline"],
        greetings=outcomes["greeting"],
        top_entries=tuple((row["entry_id"], row["n"]) for row in top),
        thumbs_up=feedback.get("up", 0),
        thumbs_down=feedback.get("down", 0),
        none_of_these=feedback.get("none_of_these", 0),
        per_day=tuple((day, per_day[day]) for day in period.days()),
        updates_loaded=updates.get("loaded", 0),
        updates_refused=updates.get("invalid", 0),
    )


def format_stats(stats: Stats, titles: Mapping[str, str] | None = None) -> str:
    """The statistics as plain text (Chinese); ``titles`` maps entry ids to their first question."""
    titles = titles or {}
    lines = [texts.STATS_HEADING.format(period=stats.period.describe())]
    extra = texts.GREETINGS.format(count=stats.greetings) if stats.greetings else ""
    lines.append(texts.ASKED.format(count=stats.asked, extra=extra))
    for label, count in (
        (texts.ANSWERED, stats.answered),
        (texts.SUGGESTED, stats.suggested),
        (texts.DECLINED, stats.declined),
    ):
        lines.append(f"  {label} {count}（{stats.share(count):.0%}）")
    if stats.top_entries:
        lines.append(texts.TOP_ENTRIES)
        for number, (entry_id, count) in enumerate(stats.top_entries, start=1):
            title = f" {titles[entry_id]}" if entry_id in titles else ""
            lines.append(f"  {number}. {entry_id}{title} ×{count}")
    lines.append(texts.FEEDBACK.format(up=stats.thumbs_up, down=stats.thumbs_down, none=stats.none_of_these))
    lines += _activity_lines(stats.per_day)
    if stats.updates_loaded or stats.updates_refused:
        refused = texts.UPDATES_REFUSED.format(count=stats.updates_refused) if stats.updates_refused else ""
        lines.append(texts.UPDATES.format(count=stats.updates_loaded, refused=refused))
    return "\n".join(lines)


def _activity_lines(per_day: tuple[tuple[date, int], ...]) -> list[str]:
    """Questions per day with questions, or per week (from Monday) when the period is long; quiet ones counted."""
    weekly = len(per_day) > WEEKLY_AFTER_DAYS
    buckets: dict[date, int] = {}
    for day, count in per_day:
        start = max(day - timedelta(days=day.weekday()), per_day[0][0]) if weekly else day
        buckets[start] = buckets.get(start, 0) + count
    busy = [(start, count) for start, count in buckets.items() if count]
    unit = texts.WEEK if weekly else texts.DAY
    if not busy:
        return [texts.NO_QUESTIONS.format(unit=unit)]
    quiet = texts.QUIET.format(count=len(buckets) - len(busy), unit=unit) if len(busy) < len(buckets) else ""
    lines = [texts.PER_UNIT.format(unit=unit) + quiet]
    peak = max(count for _, count in busy)
    for start, count in busy:
        label = texts.WEEK_FROM.format(start=start) if weekly else f"{start:%m-%d}"
        lines.append(f"  {label} {'▇' * max(round(BAR_WIDTH * count / peak), 1)} {count}")
    return lines
