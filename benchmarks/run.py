"""The benchmark harness: answer quality, speed and memory of the engine against naive baselines.

    python -m benchmarks.run                      # everything, prints tables
    python -m benchmarks.run --markdown out.md    # also writes them as Markdown
    python -m benchmarks.run --entries 200 --scale 2000 --queries 100   # a quick smoke run

Three sections, all measured in one run on one machine:

1. *Our FAQ* (knowledge/ with tests/data/questions.yaml, tuning and holdout parts):
   the engine against ``process.extractOne(q, questions, scorer=fuzz.WRatio)``.
2. *Tianchi* (``--tianchi`` or ``$FAQBOT_TIANCHI``, default ``../shared/bench/tianchi``;
   skipped when absent): parts A (what the engine's tables were learned on) and B
   (never used for learning), the engine against rapidfuzz ``extractOne`` with
   ``fuzz.ratio`` and ``fuzz.WRatio`` over the raw questions and BM25 over jieba
   tokens (the ``bench`` extra).
3. *Scale*: a synthetic FAQ of ``--scale`` entries (the Tianchi entries, or ours,
   plus perturbed copies of the benchmark sentences) — time per question, index
   build time and memory.

Times are wall-clock per question (median and 95th percentile); memory is the
peak that ``tracemalloc`` sees while the index is built (numpy arrays included),
measured in a separate pass so that tracing does not slow the timed one; the
engine's figure adds its process-wide tables (pinyin readings, converters).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from benchmarks.datasets import (
    OWN_KNOWLEDGE,
    PART_A,
    PART_B,
    Dataset,
    own_dataset,
    tianchi_available,
    tianchi_dataset,
    tianchi_path,
)
from benchmarks.forms import forms_table, helpful_first
from benchmarks.measure import build_memory, build_timed, shared_tables, summarize, timed
from benchmarks.scale import scale_table
from benchmarks.systems import System, bm25_system, engine_system, rapidfuzz_system
from benchmarks.tables import Share, Table
from bot.core.knowledge.faq_file import load_knowledge
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.evaluation import HOLDOUT, TUNING, Kind, LabelledQuestion
from bot.core.matching.examples import HeldOut
from bot.core.matching.thresholds import Outcome


def quality_cells(
    questions: Sequence[LabelledQuestion], results: Sequence[tuple[list[str], bool | None]]
) -> dict[str, Any]:
    positives = [(q, r) for q, r in zip(questions, results, strict=True) if q.kind is Kind.POSITIVE]
    negatives = [(q, r) for q, r in zip(questions, results, strict=True) if q.kind is Kind.NEGATIVE]
    cells: dict[str, Any] = {}
    count = max(len(positives), 1)
    cells["top-1"] = Share(sum(bool(r[0]) and r[0][0] == q.entry_id for q, r in positives) / count)
    has_top3 = any(len(r[0]) > 1 for _, r in positives)
    cells["top-3"] = Share(sum(q.entry_id in r[0][:3] for q, r in positives) / count) if has_top3 else None
    if positives and positives[0][1][1] is not None:
        answered = [(q, r) for q, r in positives if r[1]]
        right = sum(r[0][0] == q.entry_id for q, r in answered)
        cells["answered"] = Share(len(answered) / count)
        cells["right answers"] = Share(right / count)
        cells["precision"] = Share(right / len(answered) if answered else 0.0)
        if negatives:
            wrong = sum(bool(r[1]) and r[0][0] == q.entry_id for q, r in negatives)
            cells["neg. answered wrongly"] = Share(wrong / len(negatives))
    return cells


def run_dataset(
    dataset: Dataset,
    systems: Sequence[System],
    parts: Sequence[str],
    title: str,
    columns: list[str],
) -> Table:
    table = Table(title, ["system", "part", "questions", *columns, "median ms", "p95 ms", "build s", "peak MB"])
    for system in systems:
        rank, build_seconds = build_timed(system, dataset.knowledge)
        memory = build_memory(system, dataset.knowledge)
        for part in parts:
            questions = dataset.parts[part]
            results, timing = timed(rank, [q.text for q in questions])
            cells = quality_cells(questions, results)
            table.add(
                system=system.name,
                part=part,
                questions=len(questions),
                **{c: cells.get(c) for c in columns},
                **{
                    "median ms": round(timing.median_ms, 3),
                    "p95 ms": round(timing.p95_ms, 3),
                    "build s": round(build_seconds, 3),
                    "peak MB": round(memory, 1),
                },
            )
    return table


def own_faq_table(tables_seconds: float) -> Table:
    """Issue 2: the engine against naive WRatio on our labelled questions, with start-up time."""
    table = Table(
        "Our FAQ (knowledge/, tests/data/questions.yaml)",
        [
            "system",
            "part",
            "positives",
            "top-1",
            "right answers",
            "wrong answers",
            "unrelated declined",
            "median ms",
            "p95 ms",
            "start-up s",
        ],
    )
    dataset = own_dataset()
    start = time.perf_counter()
    snapshot = Snapshot.load(OWN_KNOWLEDGE)
    engine_startup = time.perf_counter() - start + tables_seconds
    start = time.perf_counter()
    knowledge = load_knowledge(OWN_KNOWLEDGE)
    questions = [q for entry in knowledge.entries for q in entry.questions]
    owners = [entry.id for entry in knowledge.entries for _ in entry.questions]
    naive_startup = time.perf_counter() - start
    held = HeldOut(snapshot)
    for part in (TUNING, HOLDOUT):
        labelled = dataset.parts[part]
        positives = [q for q in labelled if q.kind is Kind.POSITIVE]
        unrelated = [q for q in labelled if q.kind is Kind.UNRELATED]
        times: list[float] = []
        top1 = right = wrong = declined = 0
        for question in labelled:
            matcher = held.snapshot_for(question.text).matcher
            begin = time.perf_counter()
            result = matcher.match(question.text)
            times.append((time.perf_counter() - begin) * 1000)
            best = result.best.entry_id if result.best else None
            if question.kind is Kind.POSITIVE:
                top1 += best == question.entry_id
                if result.outcome is Outcome.ANSWER:
                    right += best == question.entry_id
                    wrong += best != question.entry_id
            elif question.kind is Kind.UNRELATED:
                declined += result.outcome is Outcome.DECLINE
        timing = summarize(times)
        table.add(
            system="engine",
            part=part,
            positives=len(positives),
            **{
                "top-1": Share(top1 / len(positives)),
                "right answers": Share(right / len(positives)),
                "wrong answers": wrong,
                "unrelated declined": Share(declined / max(len(unrelated), 1)),
                "median ms": round(timing.median_ms, 3),
                "p95 ms": round(timing.p95_ms, 3),
                "start-up s": round(engine_startup, 3),
            },
        )
        times = []
        naive_top1 = 0
        for question in positives:
            begin = time.perf_counter()
            best_match = process.extractOne(question.text, questions, scorer=fuzz.WRatio)
            times.append((time.perf_counter() - begin) * 1000)
            naive_top1 += bool(best_match) and owners[best_match[2]] == question.entry_id
        timing = summarize(times)
        table.add(
            system="extractOne WRatio",
            part=part,
            positives=len(positives),
            **{
                "top-1": Share(naive_top1 / len(positives)),
                "median ms": round(timing.median_ms, 3),
                "p95 ms": round(timing.p95_ms, 3),
                "start-up s": round(naive_startup, 3),
            },
        )
    table.notes.append(
        "right answers = answered confidently with the right entry; the naive baseline always answers its top 1,"
        " so its right-answer rate is its top-1 and it never declines."
    )
    return table


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tianchi", help="Tianchi folder (default $FAQBOT_TIANCHI or ../shared/bench/tianchi)")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    parser.add_argument("--entries", type=int, help="use only the first N Tianchi entries (smoke run)")
    parser.add_argument("--scale", type=int, default=50_000, help="entries in the synthetic scale run (0: skip)")
    parser.add_argument("--queries", type=int, default=500, help="questions timed in the scale run")
    parser.add_argument("--skip-own", action="store_true", help="skip the section on our own FAQ")
    parser.add_argument(
        "--skip-tianchi", action="store_true", help="skip the Tianchi section (the scale run still uses it)"
    )
    args = parser.parse_args(argv)

    tables_seconds, tables_mb = shared_tables()
    tables: list[Table] = []
    header = (
        f"Machine: {machine()}\n"
        f"Engine tables loaded once per process: {tables_seconds:.2f} s, {tables_mb:.0f} MB"
        " (included in the engine's start-up and peak MB below; not in its per-FAQ build s)"
    )
    print(header, flush=True)
    if not args.skip_own:
        tables.append(own_faq_table(tables_seconds))
        print("\n" + tables[-1].text(), flush=True)
        tables.append(forms_table())
        print("\n" + tables[-1].text(), flush=True)
    path = tianchi_path(args.tianchi)
    base: Dataset
    if tianchi_available(path) and args.skip_tianchi:
        base = tianchi_dataset(path, args.entries)
    elif tianchi_available(path):
        tianchi = tianchi_dataset(path, args.entries)
        systems = [
            engine_system(),
            rapidfuzz_system("extractOne ratio", "ratio", top=3),
            rapidfuzz_system("extractOne WRatio", "WRatio", top=3),
        ]
        bm25 = bm25_system()
        if bm25 is not None:
            systems.append(bm25)
        columns = ["top-1", "top-3", "answered", "precision", "neg. answered wrongly"]
        title = f"Tianchi ({len(tianchi.knowledge.entries):,} entries; tables learned on part A, B never seen)"
        table = run_dataset(tianchi, systems, (PART_A, PART_B), title, columns)
        if bm25 is None:
            table.notes.append("BM25 skipped: install the bench extra (pip install -e '.[bench]').")
        table.notes.append(
            "answered = positives answered confidently; precision = right among those;"
            " neg. answered wrongly = negatives confidently answered with the entry they do not mean."
        )
        first = helpful_first(tianchi, (PART_A, PART_B))
        table.notes.append(
            "engine with the default limits (no calibration file): the right entry answered or suggested first"
            f" for {first[PART_A]:.1%} of part A's positives, {first[PART_B]:.1%} of part B's."
        )
        tables.append(table)
        print("\n" + table.text(), flush=True)
        base = tianchi
    else:
        print(f"\nTianchi data not found at {path}: Tianchi section skipped (set --tianchi or FAQBOT_TIANCHI).")
        base = own_dataset()
    if args.scale:
        tables.append(scale_table(base, args.scale, args.queries))
        print("\n" + tables[-1].text(), flush=True)
    if args.markdown:
        body = "\n\n".join(table.markdown() for table in tables)
        args.markdown.write_text(f"{header}\n\n{body}\n", encoding="utf-8")
        print(f"\nwrote {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
