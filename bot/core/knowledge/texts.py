"""Fixed texts of the FAQ's reload and upload reports (Chinese)."""

from __future__ import annotations

from bot.core.files.locations import ARTICLE_FILE
from bot.core.files.texts import FIX_AND_RETRY, item_lines, loaded_tail, problem_lines
from bot.core.files.watched import Changes, ReloadStatus
from bot.core.knowledge.reload import ARTICLE, SYNONYMS, FaqUpdate

UNCHANGED = "文件内容和正在使用的版本相同，没有需要更新的。"
INVALID = "问答库文件有 {count} 处错误，没有更新，机器人继续使用原来的版本。"
LOADED = "问答库已更新，现在共有 {count} 个条目。"
NO_CHANGES = "条目没有变化。"
PART_CHANGED = {SYNONYMS: "同义词有改动。", ARTICLE: f"文章 {ARTICLE_FILE} 有改动。"}


def describe_changes(changes: Changes) -> str:
    """The summary, one line per kind of change."""
    if changes.empty:
        return NO_CHANGES
    return "\n".join(item_lines(changes) + [PART_CHANGED[part] for part in changes.parts])


def format_update(result: FaqUpdate, entry_count: int) -> str:
    """What staff are told after a reload or an upload."""
    if result.status is ReloadStatus.UNCHANGED:
        return UNCHANGED
    if result.status is ReloadStatus.INVALID:
        errors = result.errors
        return "\n".join([INVALID.format(count=len(errors)) + FIX_AND_RETRY, *problem_lines(errors)])
    return "\n".join([LOADED.format(count=entry_count), describe_changes(result.changes), *loaded_tail(result)])
