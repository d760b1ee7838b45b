"""Problems found in a staff-edited file, reported as ``path:line:column: message``."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

QUOTE_WIDTH = 60  # characters of the offending line shown under a problem


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in the source file."""

    line: int
    column: int


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a file, located for a person with a text editor."""

    path: str
    line: int
    column: int
    message: str
    warning: bool = False
    quote: str = field(default="", compare=False)  # the offending line, shown under the message

    def __str__(self) -> str:
        label = "提醒：" if self.warning else ""
        text = f"{self.path}:{self.line}:{self.column}: {label}{self.message}"
        return f"{text}\n    | {self.quote}" if self.quote else text


def quote_lines(problems: Iterable[Problem], text: str, shown: str) -> list[Problem]:
    """``problems`` with the line of ``text`` (the file named ``shown``) each one points at."""
    lines = text.splitlines()
    quoted = []
    for problem in problems:
        line = lines[problem.line - 1].rstrip() if problem.path == shown and 0 < problem.line <= len(lines) else ""
        line = line.replace("\t", "[Tab]")
        if len(line) > QUOTE_WIDTH:
            line = line[:QUOTE_WIDTH] + "……"
        quoted.append(dataclasses.replace(problem, quote=line) if line.strip() else problem)
    return quoted


class InvalidFileError(Exception):
    """A knowledge file that cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def display_path(path: Path) -> str:
    """A short path for messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class ProblemCollector:
    """Base of the file checkers: gathers every problem instead of stopping at the first."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def add(self, mark: Mark | None, message: str, *, warning: bool = False) -> None:
        line, column = (mark.line, mark.column) if mark is not None else (1, 1)
        self.problems.append(Problem(self.shown, line, column, message, warning))

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.warning]

    @staticmethod
    def unknown_key(key: str, allowed: tuple[str, ...], where: str) -> str:
        """The message for a key that is not allowed here, with the likely intended one."""
        guess = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"是不是想写 {guess[0]}？" if guess else f"可以用的键有：{', '.join(allowed)}。"
        return f"{where}有一个不认识的键“{key}”：{hint}"
