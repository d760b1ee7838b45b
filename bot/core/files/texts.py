"""Fixed texts shared by every staff file's report (Chinese): changes by id, problems, backup, warnings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.files.problems import Problem
from bot.core.files.watched import Changes, FileUpdate

SHOWN_PROBLEMS = 15
ADDED = "新增"
REMOVED = "删除"
CHANGED = "修改"
ITEMS = "{label} {count} 条：{ids}"
MORE_PROBLEMS = "……还有 {count} 处，运行 faqbot check 可以看到全部。"
BACKED_UP = "原来的文件已备份为 {name}。"
WARNINGS = "另有 {count} 条提醒（不影响使用，建议修改）："
FIX_AND_RETRY = "请按下面的行号修改（可以先运行 faqbot check 检查）后再试："


def item_lines(changes: Changes) -> list[str]:
    """One line per kind of change to the items (entries, announcements), by id."""
    return [
        ITEMS.format(label=label, count=len(ids), ids="、".join(ids))
        for label, ids in ((ADDED, changes.added), (REMOVED, changes.removed), (CHANGED, changes.changed))
        if ids
    ]


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """The first problems, one each (with the line they quote), and how many more there are."""
    lines = [str(problem) for problem in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(MORE_PROBLEMS.format(count=len(problems) - SHOWN_PROBLEMS))
    return lines


def loaded_tail(result: FileUpdate[Any]) -> list[str]:
    """What follows a loaded version's summary: where the old file went, and the warnings."""
    lines = []
    if result.backup is not None:
        lines.append(BACKED_UP.format(name=f"{result.backup.parent.name}/{result.backup.name}"))
    if result.warnings:
        lines.append(WARNINGS.format(count=len(result.warnings)))
        lines += problem_lines(result.warnings)
    return lines
