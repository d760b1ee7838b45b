"""Learn how much each character says about a question's meaning, from Tianchi part A.

    python -m benchmarks.learn [--tianchi PATH]     # rewrites bot/core/matching/learned.py

For every labelled paraphrase pair of part A (an FAQ question and a question
that means the same), count how often a character on one side is kept on the
other.  Characters people keep when they rephrase (肺, 哮, 药) carry the meaning;
characters they swap freely (怎, 样, 该, 导) only shape the question.  The
smoothed keep rate of each character seen often enough is written to
``bot/core/matching/learned.py`` and used by the matcher as a generic per-character weight.
Part B is never read here; ``python -m benchmarks.run`` reports on it.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.datasets import PART_A, tianchi_available, tianchi_dataset, tianchi_path
from bot.core.matching import phrases
from bot.core.matching.evaluation import Kind
from bot.core.matching.text import normalize, tokens

TARGET = Path(__file__).resolve().parent.parent / "bot" / "core" / "matching" / "learned.py"
MIN_SEEN = 15

HEADER = '''"""Per-character tables learned by ``python -m benchmarks.learn``; do not edit.

Counted over Tianchi part A: %(pairs)d paraphrase pairs (same meaning) and
%(contrasts)d contrast pairs (same topic, another question); characters seen at
least %(min_seen)d times.

- ``KEEP_RATE``: the smoothed rate at which a character is kept when a question
  is rephrased — how much it says about the meaning.  Characters not listed
  weigh 1 (or the function-character weight of :mod:`bot.core.matching.phrases`).
- ``CHANGE_RISK``: the log-odds that a character present on one side only means
  the two questions ask different things (positive) rather than the same thing
  in other words (negative).
"""

# fmt: off
'''


def keep_rates(pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
    seen: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    for first, second in pairs:
        a = set(tokens(phrases.rewrite(normalize(first))))
        b = set(tokens(phrases.rewrite(normalize(second))))
        for chars, other in ((a, b), (b, a)):
            for char in chars:
                seen[char] += 1
                kept[char] += char in other
    return {
        char: round((kept[char] + 1) / (count + 2), 2)
        for char, count in sorted(seen.items())
        if count >= MIN_SEEN and len(char) == 1 and not char.isdigit()
    }


def change_risks(paraphrases: Sequence[tuple[str, str]], contrasts: Sequence[tuple[str, str]]) -> dict[str, float]:
    """Log-odds that a character differing between two questions changes what is asked.

    Compares how often each character is on one side only in paraphrase pairs
    (same meaning) and in contrast pairs (same topic, another question).
    """
    counts: list[Counter[str]] = [Counter(), Counter()]
    for pairs, counter in ((paraphrases, counts[0]), (contrasts, counts[1])):
        for first, second in pairs:
            a = set(tokens(phrases.rewrite(normalize(first))))
            b = set(tokens(phrases.rewrite(normalize(second))))
            counter.update(char for char in a ^ b if len(char) == 1 and not char.isdigit())
    same, other = counts
    risks = {}
    for char in sorted(set(same) | set(other)):
        if same[char] + other[char] < MIN_SEEN:
            continue
        same_rate = (same[char] + 1) / (len(paraphrases) + 2)
        other_rate = (other[char] + 1) / (len(contrasts) + 2)
        risks[char] = round(math.log(other_rate / same_rate), 2)
    return risks


def table(name: str, values: dict[str, float]) -> str:
    items = [f'"{char}": {value}' for char, value in values.items()]
    lines = [f"{name}: dict[str, float] = {{\n"]
    for start in range(0, len(items), 10):
        lines.append("    " + ", ".join(items[start : start + 10]) + ",\n")
    lines.append("}\n")
    return "".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tianchi", help="Tianchi folder (default $FAQBOT_TIANCHI or ../shared/bench/tianchi)")
    args = parser.parse_args(argv)
    path = tianchi_path(args.tianchi)
    if not tianchi_available(path):
        print(f"no Tianchi data at {path}")
        return 1
    dataset = tianchi_dataset(path)
    pairs = [
        (dataset.knowledge[q.entry_id].questions[0], q.text)
        for q in dataset.parts[PART_A]
        if q.kind is Kind.POSITIVE and q.entry_id
    ]
    contrasts = [
        (dataset.knowledge[q.entry_id].questions[0], q.text)
        for q in dataset.parts[PART_A]
        if q.kind is Kind.NEGATIVE and q.entry_id
    ]
    rates = keep_rates(pairs)
    risks = change_risks(pairs, contrasts)
    text = HEADER % {"pairs": len(pairs), "contrasts": len(contrasts), "min_seen": MIN_SEEN}
    text += table("KEEP_RATE", rates) + "\n" + table("CHANGE_RISK", risks) + "# fmt: on\n"
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {len(rates)} keep rates and {len(risks)} change risks from {len(pairs)}+{len(contrasts)} pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
