"""The FAQ as frozen objects: entries, the passage of the article each rests on, and the whole knowledge."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.files.locations import watched_files
from bot.core.knowledge.article import Article, Paragraph
from bot.core.matching.thresholds import Thresholds

DEFAULT_TOPIC = "其他"


@dataclass(frozen=True)
class Passage:
    """The part of the article an answer rests on."""

    paragraph: Paragraph
    quote: str

    @property
    def label(self) -> str:
        return self.paragraph.label


@dataclass(frozen=True)
class Entry:
    """One FAQ topic: the ways to ask it and the answer."""

    id: str
    questions: tuple[str, ...]
    answer: str
    topic: str = DEFAULT_TOPIC
    passage: Passage | None = None
    related: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    line: int = 0
    # Questions cadres asked that the phrasings did not answer, from examples.yaml (faqbot calibrate
    # writes it): matched like phrasings, never shown.
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Knowledge:
    """Everything the bot knows, from one FAQ file (and the article beside it)."""

    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    # Words cadres put around any question (the programme's name, 选派干部…): they say nothing
    # about which entry is meant, so the matcher also reads a question without them.
    context: tuple[str, ...] = ()
    article: Article | None = None
    source: Path | None = None
    digest: str = ""
    thresholds: Thresholds | None = None  # from calibration.yaml beside the FAQ, if any
    _by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None."""
        return self._by_id.get(entry_id)

    def __getitem__(self, entry_id: str) -> Entry:
        return self._by_id[entry_id]

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def topics(self) -> tuple[str, ...]:
        """Menu headings in the order they first appear."""
        return tuple(dict.fromkeys(entry.topic for entry in self.entries))


def content_digest(faq_path: Path) -> str:
    """A hash of the FAQ and of those companion files that exist."""
    digest = hashlib.sha256()
    for role, path in enumerate(watched_files(faq_path)):
        if path.is_file():  # the role, not the name: a temporary copy of the FAQ hashes the same
            data = path.read_bytes()
            digest.update(b"%d:%d:" % (role, len(data)) + data)
    return digest.hexdigest()
