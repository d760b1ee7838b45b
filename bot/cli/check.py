"""``faqbot check``: validate the staff-edited knowledge files."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bot.core.announcements.schedule_file import ANNOUNCEMENTS_FILE, check_schedule, sendings_summary
from bot.core.knowledge import FAQ_FILE, check_faq
from bot.core.problems import Problem, display_path
from bot.paths import default_knowledge_dir


def _faq_problems(path: Path) -> list[Problem]:
    return check_faq(path)[1]


def _announcement_problems(path: Path) -> list[Problem]:
    schedule, problems = check_schedule(path)
    if schedule is not None:
        for line in sendings_summary(schedule):  # how often each repetition sends
            print(line)
    return problems


# Knowledge files by name, with the function that checks one.  A folder is
# checked file by file; a file of another name is checked as an FAQ.
CHECKERS: dict[str, Callable[[Path], list[Problem]]] = {
    FAQ_FILE: _faq_problems,
    ANNOUNCEMENTS_FILE: _announcement_problems,
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help="validate the FAQ (and every file it references)")
    parser.add_argument("path", nargs="?", type=Path, help="a knowledge folder or file (default: knowledge/)")
    parser.set_defaults(func=run)


def files_to_check(path: Path) -> list[tuple[Path, Callable[[Path], list[Problem]]]]:
    if path.is_dir():
        found = [(path / name, checker) for name, checker in CHECKERS.items() if (path / name).is_file()]
        return found or [(path / FAQ_FILE, _faq_problems)]
    return [(path, CHECKERS.get(path.name, _faq_problems))]


def run(args: argparse.Namespace) -> int:
    path = args.path or default_knowledge_dir()
    errors = 0
    for file, checker in files_to_check(path):
        problems = checker(file)
        for problem in problems:
            print(problem)
        file_errors = sum(not problem.warning for problem in problems)
        errors += file_errors
        if not file_errors:
            print(f"{display_path(file)}: 没有问题" + (f"（{len(problems)} 条提醒）" if problems else "。"))
    return 1 if errors else 0
