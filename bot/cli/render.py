"""Plain-text rendering of replies for the terminal."""

from __future__ import annotations

from bot.core.conversation import Reply
from bot.core.matching.text import convert
from bot.core.matching.thresholds import Outcome


def render_plain(reply: Reply, *, numbered_from: int = 1) -> str:
    """A reply as the terminal shows it; suggestions are numbered so they can be picked."""
    lines = [reply.text]
    if reply.outcome is Outcome.SUGGEST:
        lines += [f"  {n}. {link.question}" for n, link in enumerate(reply.suggestions, start=numbered_from)]
        lines.append(convert("  0. 都不是", reply.script))
    if reply.passage is not None:
        source = convert(f"原文（{reply.passage.label}）", reply.script)
        lines += ["", f"📖 {source}：“{reply.passage.text}”"]
    if reply.related:
        lines += ["", convert("相关问题：", reply.script)]
        lines += [f"  {n}. {link.question}" for n, link in enumerate(reply.related, start=numbered_from)]
    return "\n".join(lines)


def render_line(reply: Reply) -> str:
    """A reply on one line: outcome, entry id, score and text, tab-separated."""
    text = " ".join(reply.text.split())
    if reply.suggestions:
        text += " " + " | ".join(link.question for link in reply.suggestions)
    return f"{reply.outcome.value}\t{reply.entry_id or '-'}\t{reply.score:.1f}\t{text}"
