"""Usage statistics for a period (with the knowledge updates of :func:`~bot.core.usage.journal.record_knowledge_update`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.storage.connection import Database
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
    lines = [f"使用统计（{stats.period.describe()}）"]
    extra = f"（另有问候或空消息 {stats.greetings} 条）" if stats.greetings else ""
    lines.append(f"提问 {stats.asked} 次{extra}")
    for label, count in (("直接回答", stats.answered), ("给出建议", stats.suggested), ("无法回答", stats.declined)):
        lines.append(f"  {label} {count}（{stats.share(count):.0%}）")
    if stats.top_entries:
        lines.append("最常回答的条目：")
        for number, (entry_id, count) in enumerate(stats.top_entries, start=1):
            title = f" {titles[entry_id]}" if entry_id in titles else ""
            lines.append(f"  {number}. {entry_id}{title} ×{count}")
    lines.append(f"反馈：👍 {stats.thumbs_up} · 👎 {stats.thumbs_down} · “都不是” {stats.none_of_these}")
    lines += _activity_lines(stats.per_day)
    if stats.updates_loaded or stats.updates_refused:
        refused = f"（另有 {stats.updates_refused} 次因错误被拒绝）" if stats.updates_refused else ""
        lines.append(f"问答库更新：{stats.updates_loaded} 次{refused}")
    return "\n".join(lines)


def _activity_lines(per_day: tuple[tuple[date, int], ...]) -> list[str]:
    """Questions per day with questions, or per week (from Monday) when the period is long; quiet ones counted."""
    weekly = len(per_day) > WEEKLY_AFTER_DAYS
    buckets: dict[date, int] = {}
    for day, count in per_day:
        start = max(day - timedelta(days=day.weekday()), per_day[0][0]) if weekly else day
        buckets[start] = buckets.get(start, 0) + count
    busy = [(start, count) for start, count in buckets.items() if count]
    unit = "周" if weekly else "天"
    if not busy:
        return [f"每{unit}提问：这段时间没有提问。"]
    lines = [
        f"每{unit}提问：" + (f"（另有 {len(buckets) - len(busy)} {unit}没有提问）" if len(busy) < len(buckets) else "")
    ]
    peak = max(count for _, count in busy)
    for start, count in busy:
        label = f"{start:%m-%d} 起" if weekly else f"{start:%m-%d}"
        lines.append(f"  {label} {'▇' * max(round(BAR_WIDTH * count / peak), 1)} {count}")
    return lines
