"""``faqbot status``: is the bot alive, and what is its state; exit code 1 for a monitor when it is not well."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta

from bot.cli.common import add_config_option, bot_config
from bot.config import ConfigError
from bot.core.operations.status import format_status, read_status

DEFAULT_MAX_IDLE_HOURS = 24.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("status", help="is the bot alive: last update handled, FAQ version, backlog")
    add_config_option(parser)
    parser.add_argument(
        "--max-idle",
        type=float,
        default=DEFAULT_MAX_IDLE_HOURS,
        metavar="HOURS",
        help=f"exit code 1 when no update was handled for longer (default: {DEFAULT_MAX_IDLE_HOURS:g})",
    )
    parser.add_argument(
        "--active-hours",
        type=_hours,
        default=(0, 24),
        metavar="FROM-TO",
        help="only check idleness between these local hours, e.g. 8-20 (default: all day)",
    )
    parser.set_defaults(func=run)


def _hours(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    if not (first.isdigit() and last.isdigit() and 0 <= int(first) < int(last) <= 24):
        raise argparse.ArgumentTypeError(f"not a range of hours like 8-20: {text!r}")
    return int(first), int(last)


def problems(status_alive: bool, idle: timedelta | None, max_idle: timedelta, active: bool) -> list[str]:
    """Why a monitor should raise the alarm (empty: all is well)."""
    found = []
    if not status_alive:
        found.append("the bot is not running or not responding")
    if active and (idle is None or idle > max_idle):
        hours = max_idle.total_seconds() / 3600
        found.append(f"no update handled for more than {hours:g} h")
    return found


def run(args: argparse.Namespace) -> int:
    try:
        config = bot_config(args.config)
    except ConfigError as error:
        print(f"faqbot status: {error}", file=sys.stderr)
        return 2
    if not config.database.is_file():
        print(f"faqbot status: no database at {config.database} (the bot creates it when it starts)", file=sys.stderr)
        return 2
    status = read_status(config.database)
    print(format_status(status))
    first, last = args.active_hours
    active = first <= datetime.now(config.tzinfo).hour < last
    found = problems(status.alive, status.idle_for(), timedelta(hours=args.max_idle), active)
    for problem in found:
        print(f"PROBLEM: {problem}")
    return 1 if found else 0
