"""``faqbot check``: validate the staff-edited knowledge files, and say which files were checked."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.cli.common import add_config_option, bot_config
from bot.config import Config, ConfigError
from bot.core.announcements.schedule_file import check_schedule, sendings_summary
from bot.core.files.locations import ANNOUNCEMENTS_FILE, ARTICLE_FILE, FAQ_FILE
from bot.core.files.problems import Problem, display_path
from bot.core.knowledge.faq_file import check_faq
from bot.paths import PROJECT_ROOT, default_knowledge_dir

SHIPPED_ARTICLE = PROJECT_ROOT / "knowledge" / ARTICLE_FILE

# One checker per kind of knowledge file: (the file, the article to check passages against, the bot's
# config) -> problems.
Checker = Callable[[Path, Path | None, Config], list[Problem]]


def _faq_problems(path: Path, article: Path | None, config: Config) -> list[Problem]:
    return check_faq(path, article_path=article)[1]


def _announcement_problems(path: Path, article: Path | None, config: Config) -> list[Problem]:
    """The schedule as the bot will read it: in the config's time zone, with its shortest repetition."""
    minimum = timedelta(minutes=config.announcements.min_interval_minutes)
    schedule, problems = check_schedule(path, timezone=config.timezone, min_interval=minimum)
    if schedule is not None:
        for line in sendings_summary(schedule):  # how often each repetition sends
            print(line)
    return problems


# Knowledge files by name.  A folder is checked file by file; a file of another
# name is checked by its content's kind (a schedule starts with "announcements:").
CHECKERS: dict[str, Checker] = {
    FAQ_FILE: _faq_problems,
    ANNOUNCEMENTS_FILE: _announcement_problems,
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help="validate the FAQ and the schedule (and what they reference)")
    parser.add_argument("path", nargs="?", type=Path, help="a knowledge folder or file (default: knowledge/)")
    parser.add_argument(
        "--article",
        type=Path,
        metavar="PATH",
        help="the article passages are checked against (default: the one beside the FAQ, else the shipped one)",
    )
    add_config_option(parser)  # the schedule's time zone and shortest repetition
    parser.set_defaults(func=run)


def files_to_check(path: Path) -> list[tuple[Path, Checker]]:
    if path.is_dir():
        found = [(path / name, checker) for name, checker in CHECKERS.items() if (path / name).is_file()]
        return found or [(path / FAQ_FILE, _faq_problems)]
    if path.name in CHECKERS:
        return [(path, CHECKERS[path.name])]
    return [(path, _announcement_problems if _looks_like_schedule(path) else _faq_problems)]


def _looks_like_schedule(path: Path) -> bool:
    try:
        head = path.read_bytes()[:4096].decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    lines = [line for line in head.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return bool(lines) and lines[0].startswith("announcements")


def article_for(faq: Path, given: Path | None) -> tuple[Path | None, str]:
    """The article to check ``faq`` against, and a note to print when it is not the one beside the file."""
    if given is not None:
        return given, f"按指定的文章 {display_path(given)} 核对 passage 的出处。"
    if (faq.parent / ARTICLE_FILE).is_file() or not SHIPPED_ARTICLE.is_file():
        return None, ""
    return SHIPPED_ARTICLE, (
        f"{display_path(faq)} 旁边没有 {ARTICLE_FILE}，按项目自带的文章 {SHIPPED_ARTICLE} 核对 passage 的出处"
        "（另一篇文章请用 --article 指定）。"
    )


def run(args: argparse.Namespace) -> int:
    try:
        config = bot_config(args.config)
    except ConfigError as error:
        print(f"faqbot check: {error}", file=sys.stderr)
        return 2
    path: Path = args.path or default_knowledge_dir()
    files = files_to_check(path)
    if args.path is None:
        print(f"没有指定文件，检查 {path.resolve()} 里的：{'、'.join(file.name for file, _ in files)}")
    errors = 0
    for file, checker in files:
        article, note = article_for(file, args.article) if checker is _faq_problems else (None, "")
        if note:
            print(note)
        problems = checker(file, article, config)
        for problem in problems:
            print(problem)
        file_errors = sum(not problem.warning for problem in problems)
        errors += file_errors
        warnings = len(problems) - file_errors
        if file_errors:
            extra = f"，{warnings} 条提醒" if warnings else ""
            print(f"{display_path(file)}: {file_errors} 处错误{extra}。请按上面的行号修改后再检查。")
        else:
            print(f"{display_path(file)}: 没有问题" + (f"（{warnings} 条提醒）" if warnings else "。"))
    return 1 if errors else 0
