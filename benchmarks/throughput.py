"""How many questions one bot process handles per second, and its memory: the figures of "Scale, on paper".

    python3 -m benchmarks.throughput [--questions 2000]

Three measurements on the labelled questions (tests/data/questions.yaml), one process:

1. the engine alone (``Responder.reply``);
2. whole private-chat updates through the real application (parsing, matching, the SQLite record with
   ``synchronous=FULL``, rendering, the Bot API call answered by the in-process fake of the tests), with
   the flood limiter taken out, so that only the process itself limits;
3. the same with the bot's flood limiter in place, which holds the bot to Telegram's limits (about 30
   messages a second overall).

Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.cli.evaluate import DEFAULT_QUESTIONS
from bot.core.conversation import Responder
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.matching.evaluation import load_labelled
from tests.kit.constants import SHIPPED_KNOWLEDGE
from tests.kit.harness import make_config, running
from tests.kit.payloads import Payloads

CONCURRENCY = 16  # as CONCURRENT_UPDATES in bot.tg.app


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def engine(snapshot: Snapshot, questions: list[str]) -> tuple[float, float]:
    responder = Responder(KnowledgeHolder(snapshot))
    times = []
    for question in questions:
        start = time.perf_counter()
        responder.reply(question)
        times.append(time.perf_counter() - start)
    return len(questions) / sum(times), statistics.median(times) * 1000


async def updates(questions: list[str], *, limited: bool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        async with running(make_config(Path(folder))) as bot:
            if not limited:
                bot.app.bot._rate_limiter = None  # the process alone
            payloads = Payloads(bot.api.bot_user)
            users = itertools.count(10_000)
            batch = [payloads.text(question, user=Payloads.user(next(users))) for question in questions]
            start = time.perf_counter()
            for first in range(0, len(batch), CONCURRENCY):
                await asyncio.gather(*(bot.send(update) for update in batch[first : first + CONCURRENCY]))
            elapsed = time.perf_counter() - start
            sent = len(bot.api.called("sendMessage"))
    if sent != len(questions):
        raise SystemExit(f"expected {len(questions)} replies, got {sent}")
    return len(questions) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--questions", type=int, default=2000, help="questions per measurement (default 2000)")
    parser.add_argument("--limited", type=int, default=150, help="questions through the flood limiter (default 150)")
    args = parser.parse_args()
    started = time.perf_counter()
    snapshot = Snapshot.load(SHIPPED_KNOWLEDGE)
    load_s = time.perf_counter() - started
    texts = [item.text for item in load_labelled(DEFAULT_QUESTIONS)]
    questions = list(itertools.islice(itertools.cycle(texts), args.questions))
    print(f"Python {sys.version.split()[0]}; FAQ loaded in {load_s:.2f} s; peak {peak_mb():.0f} MB")
    per_second, median_ms = engine(snapshot, questions)
    print(f"engine alone:           {per_second:7.0f} questions/s (median {median_ms:.2f} ms)")
    whole = asyncio.run(updates(questions, limited=False))
    print(f"whole updates:          {whole:7.0f} questions/s (recorded in SQLite, reply rendered and sent)")
    limited = asyncio.run(updates(questions[: args.limited], limited=True))
    print(f"with the flood limiter: {limited:7.0f} questions/s (Telegram: about 30 messages/s per bot)")
    print(f"peak memory: {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
