"""The FAQ in force, kept in step with ``faq.yaml`` and the files read with it.

:class:`FaqFile` is the FAQ's :class:`~bot.core.files.watched.WatchedFile`: it
watches ``faq.yaml``, the article and the calibration beside it, validates a
changed version with the same checks as ``faqbot check``, builds the new
:class:`Snapshot` completely and installs it with one :meth:`KnowledgeHolder.swap`,
so a question answered meanwhile sees the old version or the new one, never a mix.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.core.files.locations import FAQ_FILE, resolve_faq_path, watched_files
from bot.core.files.problems import Problem
from bot.core.files.watched import Changes, FileUpdate, WatchedFile, item_changes
from bot.core.knowledge.faq_file import check_faq
from bot.core.knowledge.model import Entry, Knowledge, content_digest
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot

BACKUP_PREFIX = "faq-"
SYNONYMS = "synonyms"  # a part of the FAQ besides its entries (Changes.parts)
ARTICLE = "article"

FaqUpdate = FileUpdate[Knowledge]


def _comparable(entry: Entry) -> Entry:
    """The entry without its line number: moving an entry in the file is not a change."""
    return dataclasses.replace(entry, line=0)


def diff_knowledge(old: Knowledge, new: Knowledge) -> Changes:
    """Entries added, removed and changed between two versions, in file order; the synonyms and the article."""
    parts = (SYNONYMS,) * (old.synonyms != new.synonyms) + (ARTICLE,) * (old.article != new.article)
    return item_changes(
        {entry.id: _comparable(entry) for entry in old}, {entry.id: _comparable(entry) for entry in new}, parts
    )


class FaqFile(WatchedFile[Knowledge]):
    """Keeps a :class:`KnowledgeHolder` in step with the knowledge files on disk.

    Args:
        holder: the holder whose snapshot serves questions.
        path: the knowledge folder or its FAQ file.
    """

    def __init__(self, holder: KnowledgeHolder, path: Path) -> None:
        super().__init__(resolve_faq_path(path), settle=True, backup_prefix=BACKUP_PREFIX)
        self.holder = holder

    @property
    def faq_path(self) -> Path:
        return self.path

    @property
    def default_name(self) -> str:
        return FAQ_FILE

    @property
    def current(self) -> Knowledge:
        return self.holder.snapshot.knowledge

    def watched(self) -> tuple[Path, ...]:
        return watched_files(self.path)

    def digest_of(self, version: Knowledge) -> str:
        return version.digest

    def disk_digest(self) -> str:
        try:
            return content_digest(self.path)
        except OSError:
            return ""

    def check(self, path: Path, shown: str | None = None) -> tuple[Knowledge | None, list[Problem]]:
        knowledge, problems = check_faq(path)
        if shown is not None:
            problems = [dataclasses.replace(problem, path=shown) for problem in problems]
        if knowledge is not None and path != self.path:  # an upload's copy: it becomes the live file
            knowledge = dataclasses.replace(knowledge, source=self.path)
        return knowledge, problems

    def put_in_force(self, version: Knowledge) -> Knowledge:
        snapshot = Snapshot.build(version)  # complete before anyone can see it
        return self.holder.swap(snapshot).knowledge

    def changes(self, old: Knowledge, new: Knowledge) -> Changes:
        return diff_knowledge(old, new)
