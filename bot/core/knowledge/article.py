"""The cleaned source article (``knowledge/article.md``) with its numbered paragraphs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.core.matching.text import to_simplified

_PARAGRAPH_RE = re.compile(r"^\[(?P<id>[A-Za-z0-9_-]+)\]\s*(?P<text>.+)$")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Paragraph:
    """One numbered paragraph of the article."""

    id: str
    text: str

    @property
    def label(self) -> str:
        """How a reply names the paragraph: 第2段, 标题, 署名."""
        if self.id == "title":
            return "标题"
        if self.id == "byline":
            return "署名"
        number = self.id.removeprefix("p")
        return f"第{number}段" if number.isdigit() else self.id


def comparable(text: str) -> str:
    """Text reduced for quote lookup: NFKC (half-width punctuation) and no white space."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Article:
    """The article as a title and an ordered tuple of paragraphs."""

    title: str
    paragraphs: tuple[Paragraph, ...]

    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        """The paragraph with this id, or None."""
        return next((p for p in self.paragraphs if p.id == paragraph_id), None)

    def find_quote(self, quote: str) -> Paragraph | None:
        """The paragraph containing ``quote``, ignoring white space and punctuation width."""
        wanted = comparable(quote)
        if not wanted:
            return None
        return next((p for p in self.paragraphs if wanted in comparable(p.text)), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.paragraphs)


def parse_article(text: str) -> Article:
    """Parse the Markdown produced by ``scripts/clean_article.py``."""
    title = ""
    paragraphs: list[Paragraph] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            paragraphs.append(Paragraph("title", title))
        elif match := _PARAGRAPH_RE.match(line):
            paragraphs.append(Paragraph(match["id"], match["text"].strip()))
    return Article(title, tuple(paragraphs))


def load_article(path: Path) -> Article:
    """Read and parse an article file."""
    return parse_article(path.read_text(encoding="utf-8"))


# A request for the article itself («能把原文发我看看吗», «报道全文在哪看»): a word for the whole
# text and, unless that word is all there is, a word for sending, reading or finding it.
_ARTICLE_WORDS = re.compile("原文|全文|原稿|原报道|整篇|全篇|(?:那|这)篇(?:报道|文章|新闻)|完整(?:的)?(?:报道|文章)")
_ARTICLE_VERBS = re.compile("发|看|给|读|分享|转|链接|在哪|哪里|有没有")
_ARTICLE_REQUEST_MAX = 20  # characters: a longer message asks something about the article
_NOT_WORDS = re.compile(r"[\W_]+")


def asks_for_article(question: str) -> bool:
    """Whether ``question`` asks for the article as a whole rather than for something in it."""
    text = _NOT_WORDS.sub("", to_simplified(unicodedata.normalize("NFKC", question)))
    if not text or len(text) > _ARTICLE_REQUEST_MAX:
        return False
    words = _ARTICLE_WORDS.search(text)
    if words is None:
        return False
    rest = text[: words.start()] + text[words.end() :]
    return len(rest) <= 2 or _ARTICLE_VERBS.search(rest) is not None
