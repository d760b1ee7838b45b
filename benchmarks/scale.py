"""The scale run: a synthetic FAQ of many entries (the benchmark's plus perturbed copies), time and memory."""

from __future__ import annotations

import random
from collections.abc import Sequence

from benchmarks.datasets import Dataset
from benchmarks.measure import build_memory, build_timed, timed
from benchmarks.systems import engine_system, rapidfuzz_system
from benchmarks.tables import Share, Table
from bot.core.knowledge.model import Entry, Knowledge
from bot.core.matching.evaluation import Kind


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
