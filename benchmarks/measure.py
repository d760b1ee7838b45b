"""How long a system takes per question and to build, and how much memory its index takes."""

from __future__ import annotations

import functools
import gc
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.systems import Ranker, System
from bot.core.knowledge.model import Knowledge
from bot.core.matching.pinyin import reading
from bot.core.matching.text import to_simplified
from bot.paths import PROJECT_ROOT


@dataclass
class Timing:
    median_ms: float
    p95_ms: float


def summarize(times: Sequence[float]) -> Timing:
    ordered = sorted(times) or [0.0]
    return Timing(statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))])


def timed(rank: Ranker, questions: Sequence[str]) -> tuple[list[tuple[list[str], bool | None]], Timing]:
    results = []
    times = []
    for question in questions:
        start = time.perf_counter()
        results.append(rank(question))
        times.append((time.perf_counter() - start) * 1000)
    return results, summarize(times)


def build_timed(system: System, knowledge: Knowledge) -> tuple[Ranker, float]:
    gc.collect()
    start = time.perf_counter()
    rank = system.build(knowledge)
    return rank, time.perf_counter() - start


SHARED_TABLES_CODE = (
    "import tracemalloc; tracemalloc.start(); "
    "from bot.core.matching.pinyin import reading; from bot.core.matching.text import to_simplified; "
    "reading('测'); to_simplified('測試'); print(tracemalloc.get_traced_memory()[0] / 1e6)"
)


@functools.cache
def shared_tables() -> tuple[float, float]:
    """Seconds to load the engine's process-wide tables (pinyin readings, script converters) and their MB.

    The time is measured here, cold (the first call; later calls return the same); the memory in a
    fresh interpreter, so that tracing does not slow the load.
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

    For the engine this includes its process-wide tables (:func:`shared_tables`).
    """
    gc.collect()
    tracemalloc.start()
    try:
        rank = system.build(knowledge)
        rank("预热")  # lazy tables (pinyin readings, converters) count as part of the engine
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6 + (shared_tables()[1] if system.name == "engine" else 0.0)
