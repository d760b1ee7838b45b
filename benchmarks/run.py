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
import gc
import logging
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from benchmarks.tables import Share, Table
from bot.core.knowledge.faq_file import load_knowledge
from bot.core.knowledge.model import Entry, Knowledge
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.evaluation import HOLDOUT, TUNING, Kind, LabelledQuestion
from bot.core.matching.matcher import Matcher
from bot.core.matching.pinyin import reading
from bot.core.matching.text import to_simplified
from bot.core.matching.thresholds import Outcome
from bot.paths import PROJECT_ROOT

# A system answers a question with its ranked entry ids and whether it is confident
# (None: the system has no notion of confidence).
Ranker = Callable[[str], tuple[list[str], bool | None]]


@dataclass
class System:
    """One matcher under test, built from a knowledge base."""

    name: str
    build: Callable[[Knowledge], Ranker]


def engine_system() -> System:
    def build(knowledge: Knowledge) -> Ranker:
        matcher = Matcher(knowledge)

        def rank(query: str) -> tuple[list[str], bool | None]:
            result = matcher.match(query, limit=3)
            return [c.entry_id for c in result.candidates], result.outcome is Outcome.ANSWER

        return rank

    return System("engine", build)


def rapidfuzz_system(name: str, scorer_name: str) -> System:
    scorer = getattr(fuzz, scorer_name)

    def build(knowledge: Knowledge) -> Ranker:
        questions = [q for entry in knowledge.entries for q in entry.questions]
        owners = [entry.id for entry in knowledge.entries for _ in entry.questions]

        def rank(query: str) -> tuple[list[str], bool | None]:
            best = process.extractOne(query, questions, scorer=scorer)
            return ([owners[best[2]]] if best else []), None

        return rank

    return System(name, build)


def top3_system(name: str, scorer_name: str) -> System:
    """rapidfuzz ``extract`` (top 3) for the top-3 column; its top 1 equals extractOne's."""
    scorer = getattr(fuzz, scorer_name)

    def build(knowledge: Knowledge) -> Ranker:
        questions = [q for entry in knowledge.entries for q in entry.questions]
        owners = [entry.id for entry in knowledge.entries for _ in entry.questions]

        def rank(query: str) -> tuple[list[str], bool | None]:
            found = process.extract(query, questions, scorer=scorer, limit=10)
            return list(dict.fromkeys(owners[index] for _, _, index in found))[:3], None

        return rank

    return System(name, build)


def bm25_system() -> System | None:
    try:
        import jieba  # noqa: PLC0415 - optional: the bench extra
        from rank_bm25 import BM25Okapi  # noqa: PLC0415 - optional: the bench extra
    except ImportError:
        return None

    jieba.setLogLevel(logging.WARNING)

    def build(knowledge: Knowledge) -> Ranker:
        questions = [q for entry in knowledge.entries for q in entry.questions]
        owners = [entry.id for entry in knowledge.entries for _ in entry.questions]
        index = BM25Okapi([jieba.lcut(q) for q in questions])

        def rank(query: str) -> tuple[list[str], bool | None]:
            scores = index.get_scores(jieba.lcut(query))
            order = sorted(range(len(scores)), key=lambda i: -scores[i])[:10]
            return list(dict.fromkeys(owners[i] for i in order))[:3], None

        return rank

    return System("BM25 (jieba)", build)


@dataclass
class Timing:
    median_ms: float
    p95_ms: float


def timed(rank: Ranker, questions: Sequence[str]) -> tuple[list[tuple[list[str], bool | None]], Timing]:
    results = []
    times = []
    for question in questions:
        start = time.perf_counter()
        results.append(rank(question))
        times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times) or [0.0]
    return results, Timing(statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))])


def build_timed(system: System, knowledge: Knowledge) -> tuple[Ranker, float]:
    gc.collect()
    start = time.perf_counter()
    rank = system.build(knowledge)
    return rank, time.perf_counter() - start


SHARED_TABLES_MB = 0.0  # set by main(): the engine's process-wide tables, added to its peak


SHARED_TABLES_CODE = (
    "import tracemalloc; tracemalloc.start(); "
    "from bot.core.matching.pinyin import reading; from bot.core.matching.text import to_simplified; "
    "reading('测'); to_simplified('測試'); print(tracemalloc.get_traced_memory()[0] / 1e6)"
)


def shared_tables() -> tuple[float, float]:
    """Seconds to load the engine's process-wide tables (pinyin readings, script converters) and their MB.

    The time is measured here, cold; the memory in a fresh interpreter, so that
    tracing does not slow the load.
    """
    start = time.perf_counter()
    reading("测")
    to_simplified("測試")
    seconds = time.perf_counter() - start
    output = subprocess.run(
        [sys.executable, "-c", SHARED_TABLES_CODE], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    ).stdout
    return seconds, float(output.strip().splitlines()[-1])


def build_memory(system: System, knowledge: Knowledge) -> float:
    """Peak MB that tracemalloc sees while the system builds its index (and what stays).

    For the engine this includes its process-wide tables (:data:`SHARED_TABLES_MB`).
    """
    gc.collect()
    tracemalloc.start()
    try:
        rank = system.build(knowledge)
        rank("预热")  # lazy tables (pinyin readings, converters) count as part of the engine
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6 + (SHARED_TABLES_MB if system.name == "engine" else 0.0)


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
    for part in (TUNING, HOLDOUT):
        labelled = dataset.parts[part]
        positives = [q for q in labelled if q.kind is Kind.POSITIVE]
        unrelated = [q for q in labelled if q.kind is Kind.UNRELATED]
        times: list[float] = []
        top1 = right = wrong = declined = 0
        for question in labelled:
            begin = time.perf_counter()
            result = snapshot.matcher.match(question.text)
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


def summarize(times: Sequence[float]) -> Timing:
    ordered = sorted(times) or [0.0]
    return Timing(statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))])


def perturb(sentence: str, rng: random.Random, pool: Sequence[str]) -> str:
    """A plausible but different question: delete, swap, duplicate or borrow characters."""
    chars = list(sentence)
    for _ in range(rng.randint(1, 3)):
        action = rng.random()
        position = rng.randrange(len(chars)) if chars else 0
        if action < 0.3 and len(chars) > 4:
            del chars[position]
        elif action < 0.6 and len(chars) > 2:
            other = rng.randrange(len(chars))
            chars[position], chars[other] = chars[other], chars[position]
        else:
            donor = rng.choice(pool)
            start = rng.randrange(max(len(donor) - 3, 1))
            chars[position:position] = list(donor[start : start + rng.randint(2, 4)])
    return "".join(chars)


def synthetic_knowledge(base: Knowledge, sentences: Sequence[str], size: int, seed: int = 7) -> Knowledge:
    """``base`` plus perturbed copies of ``sentences`` up to ``size`` entries (deterministic)."""
    rng = random.Random(seed)
    entries = list(base.entries[:size])
    seen = {q for entry in entries for q in entry.questions}
    while len(entries) < size:
        text = perturb(rng.choice(sentences), rng, sentences)
        if text in seen or not text.strip():
            continue
        seen.add(text)
        entries.append(Entry(id=f"syn{len(entries):06d}", questions=(text,), answer=text))
    return Knowledge(entries=tuple(entries), synonyms=base.synonyms)


def scale_table(base: Dataset, size: int, queries: int) -> Table:
    positives = [q for part in base.parts.values() for q in part if q.kind is Kind.POSITIVE]
    # Distractors come from the FAQ's own questions and the negatives, never from the
    # timed questions themselves (a perturbed copy of a question would "win" it).
    sentences = [q.text for part in base.parts.values() for q in part if q.kind is not Kind.POSITIVE] + [
        question for entry in base.knowledge.entries for question in entry.questions
    ]
    knowledge = synthetic_knowledge(base.knowledge, sentences, size)
    sample = random.Random(11).sample(positives, min(queries, len(positives)))
    table = Table(
        f"Scale: {len(knowledge.entries):,} entries ({base.name} entries + perturbed copies), {len(sample)} questions",
        ["system", "entries", "top-1", "median ms", "p95 ms", "build s", "peak MB"],
    )
    systems = [engine_system(), rapidfuzz_system("extractOne ratio", "ratio")]
    for system in systems:
        rank, build_seconds = build_timed(system, knowledge)
        results, timing = timed(rank, [q.text for q in sample])
        top1 = sum(bool(r[0]) and r[0][0] == q.entry_id for q, r in zip(sample, results, strict=True))
        del rank
        memory = build_memory(system, knowledge)
        table.add(
            system=system.name,
            entries=len(knowledge.entries),
            **{
                "top-1": Share(top1 / max(len(sample), 1)),
                "median ms": round(timing.median_ms, 3),
                "p95 ms": round(timing.p95_ms, 3),
                "build s": round(build_seconds, 3),
                "peak MB": round(memory, 1),
            },
        )
    table.notes.append(
        "top-1 here: the labelled entry must beat near-copies (perturbed FAQ questions and negatives) of its"
        " neighbours."
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

    global SHARED_TABLES_MB
    tables_seconds, SHARED_TABLES_MB = shared_tables()
    tables: list[Table] = []
    header = (
        f"Machine: {machine()}\n"
        f"Engine tables loaded once per process: {tables_seconds:.2f} s, {SHARED_TABLES_MB:.0f} MB"
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
            top3_system("extractOne ratio", "ratio"),
            top3_system("extractOne WRatio", "WRatio"),
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
