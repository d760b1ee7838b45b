"""HTML for Telegram: escaping, and splitting long replies at paragraph boundaries.

A reply is a list of :class:`Block` s (paragraphs).  Plain blocks are escaped
here, so FAQ and user text can never inject markup; :func:`split_message`
packs them into messages no longer than Telegram's limit, splitting an
oversized paragraph at line, then sentence, then character boundaries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from telegram.constants import MessageLimit

MAX_MESSAGE_LENGTH = MessageLimit.MAX_TEXT_LENGTH
PARAGRAPH_SEPARATOR = "\n\n"
_SENTENCE_RE = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”」』\"']?|[^。！？!?；;]+")


def escape(text: str) -> str:
    """Text made safe for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); measured on the HTML, so it errs long."""
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Block:
    """One paragraph of a message.

    Attributes:
        text: plain text (escaped when rendered), or HTML when ``html`` is true.
        tag: an HTML tag wrapped around the escaped text, e.g. ``blockquote``.
        html: ``text`` is ready-made HTML (short, never split).
        lead: a short HTML line put right above the block (e.g. a heading over a quote).
    """

    text: str
    tag: str = ""
    html: bool = False
    lead: str = ""

    @classmethod
    def markup(cls, text: str) -> Block:
        return cls(text, html=True)

    def render(self, text: str | None = None) -> str:
        body = self.text if text is None else text
        if self.html:
            return body
        body = escape(body)
        return f"<{self.tag}>{body}</{self.tag}>" if self.tag else body

    def pieces(self, limit: int) -> list[str]:
        """The block rendered as one or more HTML pieces, each at most ``limit`` long."""
        lead = self.lead + "\n" if self.lead else ""
        whole = lead + self.render()
        if self.html or telegram_length(whole) <= limit:
            return [whole]
        budget = limit - telegram_length(lead + self.render(""))
        pieces, current, cost = [], "", 0
        for atom in _atoms(self.text, budget):
            atom_cost = _cost(atom)
            if current and cost + atom_cost > budget:
                pieces.append(current)
                current, cost = "", 0
            current += atom
            cost += atom_cost
        if current:
            pieces.append(current)
        rendered = [self.render(piece.strip("\n")) for piece in pieces if piece.strip()]
        return [lead + rendered[0], *rendered[1:]] if rendered else []


def _cost(text: str) -> int:
    return telegram_length(escape(text))


def _atoms(text: str, budget: int) -> Iterator[str]:
    """Lines, or the sentences of a long line, or the characters of a long sentence."""
    for line in text.splitlines(keepends=True):
        if _cost(line) <= budget:
            yield line
            continue
        for sentence in _SENTENCE_RE.findall(line):
            if _cost(sentence) <= budget:
                yield sentence
            else:
                yield from sentence


def paragraphs(text: str, tag: str = "") -> list[Block]:
    """Plain ``text`` as blocks, one per paragraph (separated by blank lines)."""
    parts = re.split(r"\n\s*\n", text.strip())
    return [Block(part.strip(), tag) for part in parts if part.strip()]


def split_message(blocks: Sequence[Block], limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Render ``blocks`` as HTML messages of at most ``limit`` characters each.

    Paragraphs stay whole when they fit; a message break only falls between them.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in block.pieces(limit):
            candidate = current + PARAGRAPH_SEPARATOR + piece if current else piece
            if current and telegram_length(candidate) > limit:
                messages.append(current)
                current = piece
            else:
                current = candidate
    if current:
        messages.append(current)
    return messages
