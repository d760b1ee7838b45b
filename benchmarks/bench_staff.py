"""Timings of the staff tools: the periodic change check, a reload, the reports on a large journal.

Run: python benchmarks/bench_staff.py   (prints numbers; nothing is asserted)
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.conversation import Reply
from bot.core.knowledge.reload import FaqFile
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.text import Script, normalize
from bot.core.matching.thresholds import Outcome
from bot.core.storage.connection import Database
from bot.core.usage.journal import Journal
from bot.core.usage.missed import missed_report
from bot.core.usage.period import Period
from bot.core.usage.stats import collect_stats
from bot.paths import PROJECT_ROOT

WORDS = "补贴工资住宿吃饭家属孩子考核提拔报名岗位城市时间人数任务招商人才上海江苏浙江"


def timed(label: str, function: Callable[[], object], repeat: int = 1) -> object:
    start = time.perf_counter()
    for _ in range(repeat):
        result = function()
    elapsed = (time.perf_counter() - start) / repeat
    print(f"{label:<48} {elapsed * 1000:9.2f} ms")
    return result


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        knowledge = folder / "knowledge"
        shutil.copytree(PROJECT_ROOT / "knowledge", knowledge, ignore=shutil.ignore_patterns("source", "history"))
        holder = KnowledgeHolder(Snapshot.load(knowledge))
        reloader = FaqFile(holder, knowledge)
        reloader.poll()
        reloader.poll()
        timed("poll, nothing changed (stat only)", reloader.poll, repeat=1000)
        timed("reload, same content (read + hash)", reloader.reload, repeat=100)
        faq = knowledge / "faq.yaml"
        original = faq.read_text(encoding="utf-8")

        def changed_reload() -> object:
            faq.write_text(original + f"\n# {random.random()}\n", encoding="utf-8")
            return reloader.reload()

        timed(f"reload, changed ({len(holder.snapshot.knowledge)} entries: check + index + swap)", changed_reload, 20)

        db = Database(folder / "bench.sqlite3")
        journal = Journal(db)
        rng = random.Random(1)
        now = datetime.now(UTC)
        phrasings = ["".join(rng.sample(WORDS, rng.randint(4, 9))) for _ in range(800)]
        for _ in range(20_000):
            text = rng.choice(phrasings)
            outcome = rng.choice([Outcome.ANSWER, Outcome.ANSWER, Outcome.SUGGEST, Outcome.DECLINE])
            reply = Reply(outcome, Script.SIMPLIFIED, "", None, 0.0, query=text, normalized=normalize(text))
            journal.record_question(reply, "private", at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 30)))
        period = Period.last_days(30, now)
        groups = timed("missed report, 30 days, 20 000 questions", lambda: missed_report(db, period), repeat=3)
        print(f"  -> {len(groups)} groups")  # type: ignore[arg-type]
        timed("stats, 30 days, 20 000 questions", lambda: collect_stats(db, period), repeat=3)
        db.close()
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
