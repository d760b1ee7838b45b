"""A small chart of questions per day, when the optional ``charts`` extra (matplotlib) is installed.

The text report never depends on it: :func:`questions_per_day_png` returns None
without matplotlib.  Labels are dates and numbers only, so no CJK font is needed.
"""

from __future__ import annotations

import importlib.util
import io

from bot.core.usage.stats import Stats


def charts_available() -> bool:
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except ValueError:  # a stub module without a spec (as tests install to hide it)
        return False


def questions_per_day_png(stats: Stats) -> bytes | None:
    """A PNG bar chart of real questions per day, or None when matplotlib is missing."""
    if not charts_available():
        return None
    from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency, imported when used
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    figure = Figure(figsize=(6, 3), dpi=100)  # no pyplot: no global state, no GUI backend
    axes = figure.subplots()
    labels = [f"{day:%m-%d}" for day, _ in stats.per_day]
    counts = [count for _, count in stats.per_day]
    axes.bar(range(len(counts)), counts, color="#3b7dd8")
    step = max(1, len(labels) // 10)
    axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=45 if step > 1 else 0)
    axes.set_ylabel("questions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
