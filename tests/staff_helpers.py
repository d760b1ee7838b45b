"""Small knowledge folders and journal rows for the staff-tool tests."""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.core.conversation import Reply
from bot.core.matching.text import Script, normalize
from bot.core.matching.thresholds import Outcome
from bot.core.usage.journal import FeedbackKind, Journal
from bot.paths import PROJECT_ROOT

ARTICLE = PROJECT_ROOT / "knowledge" / "article.md"


@dataclass(frozen=True)
class FaqEntry:
    """One entry of a test FAQ, written out as YAML by :func:`faq_yaml`."""

    id: str
    questions: tuple[str, ...]
    answer: str
    passage: str | None = None
    related: tuple[str, ...] = ()
    topic: str = "测试"


@dataclass(frozen=True)
class Faq:
    entries: tuple[FaqEntry, ...]
    synonyms: tuple[tuple[str, ...], ...] = field(default=(("沪苏浙", "江浙沪"),))

    def yaml(self) -> str:
        lines = ["synonyms:"]
        lines += [f"  - [{', '.join(group)}]" for group in self.synonyms]
        lines.append("entries:")
        for entry in self.entries:
            lines.append(f"  - id: {entry.id}")
            lines.append(f"    topic: {entry.topic}")
            lines.append("    questions:")
            lines += [f'      - "{question}"' for question in entry.questions]
            lines.append(f'    answer: "{entry.answer}"')
            if entry.passage is not None:
                lines.append(f'    passage: "{entry.passage}"')
            if entry.related:
                lines.append(f"    related: [{', '.join(entry.related)}]")
        return "\n".join(lines) + "\n"

    def replace(self, entry_id: str, **changes: object) -> Faq:
        """A copy with one entry changed."""
        return Faq(
            tuple(dataclasses.replace(e, **changes) if e.id == entry_id else e for e in self.entries),  # type: ignore[arg-type]
            self.synonyms,
        )

    def without(self, entry_id: str) -> Faq:
        return Faq(tuple(e for e in self.entries if e.id != entry_id), self.synonyms)

    def plus(self, entry: FaqEntry) -> Faq:
        return Faq((*self.entries, entry), self.synonyms)


DURATION = FaqEntry(
    "duration",
    ("要去多长时间", "学习锻炼多少天", "去长三角待多久"),
    "每次学习锻炼100天左右。",
    passage="学习锻炼100天左右",
    related=("how_many",),
)
HOW_MANY = FaqEntry(
    "how_many",
    ("每年选派多少干部", "一年派几个人出去", "选派人数是多少"),
    "每年选派100名左右优秀干部。",
    passage="每年选派100名左右优秀干部",
    related=("duration",),
)
POSTS = FaqEntry(
    "posts_count",
    ("今年有多少个岗位", "岗位分布在几个城市", "一共多少岗位"),
    "今年13个城市、104个岗位。",
    passage="p4",
)
HISTORY = FaqEntry(
    "history",
    ("以前派过干部吗", "之前去过上海的干部有多少", "往年选派情况"),
    "先后选派5批160名优秀干部赴上海。",
    passage="p8",
)
BASE_FAQ = Faq((DURATION, HOW_MANY, POSTS))


def make_knowledge(folder: Path, faq: Faq = BASE_FAQ) -> Path:
    """A knowledge folder with the real article and ``faq``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTICLE, folder / "article.md")
    (folder / "faq.yaml").write_text(faq.yaml(), encoding="utf-8")
    return folder


def write_faq(folder: Path, text: str) -> None:
    """Overwrite faq.yaml so that a poll sees a new modification stamp even within one clock tick."""
    path = folder / "faq.yaml"
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def reply(question: str, outcome: Outcome, entry_id: str | None = None, score: float = 0.0) -> Reply:
    """A reply as the journal records it, without running the matcher."""
    return Reply(
        outcome=outcome,
        script=Script.SIMPLIFIED,
        text="",
        entry_id=entry_id,
        score=score,
        query=question,
        normalized=normalize(question),
    )


def ask(journal: Journal, question: str, outcome: Outcome, at: datetime, entry_id: str | None = None) -> int:
    """Record one question; returns its id."""
    return journal.record_question(reply(question, outcome, entry_id), "private", at=at)


def react(journal: Journal, kind: FeedbackKind, question_id: int | None, entry_id: str | None, at: datetime) -> None:
    journal.record_feedback(kind, "private", entry_id, question_id=question_id, at=at)
