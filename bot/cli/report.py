"""``faqbot report``: the missed-question report of ``/unanswered``, in the terminal."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from bot.core.files.problems import InvalidFileError, display_path
from bot.core.knowledge.snapshot import Snapshot
from bot.core.storage.connection import Database, SchemaTooNewError
from bot.core.usage.missed import current_outcome, format_missed, missed_report, write_missed_csv
from bot.core.usage.period import DEFAULT_DAYS, Period

DEFAULT_CONFIG = Path("config.yaml")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("report", help="the missed questions of a period, similar phrasings grouped")
    parser.add_argument(
        "--since",
        type=_date,
        metavar="DATE",
        help=f"first day, YYYY-MM-DD (default: the last {DEFAULT_DAYS} days)",
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write every phrasing to this CSV file")
    parser.add_argument("--english", action="store_true", help="CSV column names in English (default: Chinese)")
    parser.add_argument(
        "--knowledge",
        type=Path,
        metavar="PATH",
        help="the FAQ that judges what the bot would do now (default: the config's, else knowledge/)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--config", type=Path, metavar="PATH", help="the bot's config file (default: ./config.yaml)")
    source.add_argument("--database", type=Path, metavar="PATH", help="the bot's database file")
    parser.set_defaults(func=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2025-03-01: {text!r}") from None


def _config(args: argparse.Namespace) -> Config:
    if args.config is not None:
        return load_config(args.config, require_token=False)
    if args.database is None and DEFAULT_CONFIG.is_file():
        return load_config(DEFAULT_CONFIG, require_token=False)
    return Config()


def run(args: argparse.Namespace) -> int:
    try:
        config = _config(args)
    except ConfigError as error:
        print(f"faqbot report: {error}", file=sys.stderr)
        return 2
    path: Path = args.database or config.database
    if not path.is_file():
        print(f"faqbot report: no database at {path} (the bot creates it when it starts)", file=sys.stderr)
        return 2
    now = datetime.now(config.tzinfo)
    first = args.since or now.date() - timedelta(days=DEFAULT_DAYS - 1)
    period = Period.from_date(first, now)
    try:
        db = Database(path)
    except SchemaTooNewError as error:
        print(f"faqbot report: {error}", file=sys.stderr)
        return 2
    try:
        groups = missed_report(db, period)
    finally:
        db.close()
    knowledge: Path = args.knowledge or config.knowledge
    try:
        current = current_outcome(Snapshot.load(knowledge).matcher.match)
    except InvalidFileError as error:
        current = None  # the report does not need the FAQ, only the "now" hint does
        print(f"faqbot report: {knowledge} has problems, so what the bot would do now is not shown:", file=sys.stderr)
        print(error, file=sys.stderr)
    print(format_missed(groups, period, current=current, limit=len(groups)))
    if current is not None and groups:
        print(f"（“现在……”按问答库 {display_path(knowledge)} 判断；另一份请用 --knowledge 指定。）")
    if args.csv is not None:
        with args.csv.open("w", encoding="utf-8-sig", newline="") as stream:  # BOM: Excel reads it as UTF-8
            write_missed_csv(groups, stream, period, english=args.english)
        print(f"CSV: {args.csv}")
    return 0
