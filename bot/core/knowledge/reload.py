"""Live reload of the knowledge files: notice a change, validate it, swap it in whole.

A :class:`KnowledgeReloader` watches ``faq.yaml`` and the article beside it.  The
periodic :meth:`~KnowledgeReloader.poll` is cheap: it compares modification times
and sizes, and only when those moved does it read the files and compare their
content hash with the version being served.  A changed file is validated with the
same checks as ``faqbot check``; the new :class:`Snapshot` is built completely and
then installed with one :meth:`KnowledgeHolder.swap`, so a question answered
meanwhile sees the old version or the new one, never a mix.  A file with errors
never replaces the version that works.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.core.files.problems import Problem
from bot.core.knowledge.model import (
    ARTICLE_FILE,
    Entry,
    Knowledge,
    check_faq,
    content_digest,
    resolve_faq_path,
    watched_files,
)
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot

# (modification time in ns, size in bytes) of each watched file; None when it is missing.
Stamps = tuple[tuple[int, int] | None, ...]


@dataclass(frozen=True)
class ChangeSummary:
    """What a new version of the knowledge changes, by entry id."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    synonyms_changed: bool = False
    article_changed: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.synonyms_changed or self.article_changed)

    def describe(self) -> str:
        """The summary in Chinese, one line per kind of change."""
        if self.empty:
            return "条目没有变化。"
        lines = []
        for label, ids in (("新增", self.added), ("删除", self.removed), ("修改", self.changed)):
            if ids:
                lines.append(f"{label} {len(ids)} 条：{'、'.join(ids)}")
        if self.synonyms_changed:
            lines.append("同义词有改动。")
        if self.article_changed:
            lines.append(f"文章 {ARTICLE_FILE} 有改动。")
        return "\n".join(lines)


def _comparable(entry: Entry) -> Entry:
    """The entry without its line number: moving an entry in the file is not a change."""
    return dataclasses.replace(entry, line=0)


def diff_knowledge(old: Knowledge, new: Knowledge) -> ChangeSummary:
    """Entries added, removed and changed between two versions, in file order."""
    old_ids = {entry.id for entry in old}
    new_ids = {entry.id for entry in new}
    return ChangeSummary(
        added=tuple(entry.id for entry in new if entry.id not in old_ids),
        removed=tuple(entry.id for entry in old if entry.id not in new_ids),
        changed=tuple(
            entry.id for entry in new if entry.id in old_ids and _comparable(entry) != _comparable(old[entry.id])
        ),
        synonyms_changed=old.synonyms != new.synonyms,
        article_changed=old.article != new.article,
    )


class ReloadStatus(enum.StrEnum):
    LOADED = "loaded"  # the new version is serving
    UNCHANGED = "unchanged"  # the files hold the version already serving
    INVALID = "invalid"  # the files have errors; the old version keeps serving


@dataclass(frozen=True)
class ReloadResult:
    """The outcome of one reload or upload.

    ``problems`` are the errors of a rejected file, or the warnings of an accepted one.
    """

    status: ReloadStatus
    changes: ChangeSummary = ChangeSummary()
    problems: tuple[Problem, ...] = ()
    digest: str = ""
    backup: Path | None = None

    @property
    def ok(self) -> bool:
        return self.status is not ReloadStatus.INVALID

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.warning)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.warning)


class KnowledgeReloader:
    """Keeps a :class:`KnowledgeHolder` in step with the knowledge files on disk.

    Thread-safe: the periodic check, ``/reload`` and an upload take one lock, so two
    of them never validate or install at the same time.

    Args:
        holder: the holder whose snapshot serves questions.
        path: the knowledge folder or its FAQ file.
    """

    def __init__(self, holder: KnowledgeHolder, path: Path) -> None:
        self.holder = holder
        self.faq_path = resolve_faq_path(path)
        self._lock = threading.RLock()
        self._seen: Stamps | None = None  # stamps of the files last dealt with
        self._pending: Stamps | None = None  # stamps seen once, waiting to settle
        self._rejected = ""  # digest of the last rejected content, reported once

    @property
    def watched(self) -> tuple[Path, ...]:
        return watched_files(self.faq_path)

    @property
    def history_dir(self) -> Path:
        return self.faq_path.parent / "history"

    def stamps(self) -> Stamps:
        """Modification time and size of each watched file: the cheap change check."""
        result: list[tuple[int, int] | None] = []
        for path in self.watched:
            try:
                status = path.stat()
            except OSError:
                result.append(None)
            else:
                result.append((status.st_mtime_ns, status.st_size))
        return tuple(result)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the reload lock (an upload validates and installs under it)."""
        with self._lock:
            yield

    def poll(self) -> ReloadResult | None:
        """The periodic check; None when there is nothing new to act on or report.

        A change is acted on once the files have stayed the same for one poll, so a
        file caught halfway through being saved is not reported as broken.  The same
        rejected content is reported only once.
        """
        with self._lock:
            stamps = self.stamps()
            if stamps == self._seen:
                return None
            if stamps != self._pending:
                self._pending = stamps
                return None
            result = self._reload(stamps)
            if result.status is ReloadStatus.UNCHANGED:
                return None
            if result.status is ReloadStatus.INVALID:
                if result.digest and result.digest == self._rejected:
                    return None
                self._rejected = result.digest
            return result

    def reload(self) -> ReloadResult:
        """Check the files now (``/reload``), whether or not they look changed."""
        with self._lock:
            return self._reload(self.stamps())

    def adopt(self, knowledge: Knowledge, warnings: tuple[Problem, ...] = ()) -> ReloadResult:
        """Build the snapshot for already-validated ``knowledge`` and swap it in.

        Call it inside :meth:`exclusive` after the files on disk hold ``knowledge``.
        """
        with self._lock:
            self._seen = self._pending = self.stamps()
            return self._install(knowledge, warnings)

    def _reload(self, stamps: Stamps) -> ReloadResult:
        # The stamps are taken before the files are read: if they change while being
        # read, the next poll sees different stamps and looks again.
        self._seen = self._pending = stamps
        try:
            digest = content_digest(self.faq_path)
        except OSError:
            digest = ""
        if digest and digest == self.holder.snapshot.knowledge.digest:
            return ReloadResult(ReloadStatus.UNCHANGED, digest=digest)
        knowledge, problems = check_faq(self.faq_path)
        if knowledge is None:
            return ReloadResult(ReloadStatus.INVALID, problems=tuple(problems), digest=digest)
        return self._install(knowledge, tuple(problems))

    def _install(self, knowledge: Knowledge, warnings: tuple[Problem, ...]) -> ReloadResult:
        snapshot = Snapshot.build(knowledge)  # complete before anyone can see it
        previous = self.holder.swap(snapshot)
        self._rejected = ""
        return ReloadResult(
            ReloadStatus.LOADED, diff_knowledge(previous.knowledge, knowledge), warnings, knowledge.digest
        )


SHOWN_PROBLEMS = 15


def format_update(result: ReloadResult, entry_count: int) -> str:
    """What staff are told after a reload or an upload (Chinese)."""
    if result.status is ReloadStatus.UNCHANGED:
        return "文件内容和正在使用的版本相同，没有需要更新的。"
    if result.status is ReloadStatus.INVALID:
        errors = result.errors
        lines = [
            f"问答库文件有 {len(errors)} 处错误，没有更新，机器人继续使用原来的版本。"
            "请按下面的行号修改（可以先运行 faqbot check 检查）后再试："
        ]
        lines += problem_lines(errors)
        return "\n".join(lines)
    lines = [f"问答库已更新，现在共有 {entry_count} 个条目。", result.changes.describe()]
    if result.backup is not None:
        lines.append(f"原来的文件已备份为 {result.backup.parent.name}/{result.backup.name}。")
    if result.warnings:
        lines.append(f"另有 {len(result.warnings)} 条提醒（不影响使用，建议修改）：")
        lines += problem_lines(result.warnings)
    return "\n".join(lines)


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """The first problems, one each (with the line they quote), and how many more there are."""
    lines = [str(problem) for problem in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"……还有 {len(problems) - SHOWN_PROBLEMS} 处，运行 faqbot check 可以看到全部。")
    return lines
