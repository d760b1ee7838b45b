"""The ``faqbot`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import ask, backup, calibrate, chat, check, evaluate, report, run, status

# Each command module offers ``register(subparsers)`` and sets ``func`` on its parser.
COMMANDS = (chat, ask, check, evaluate, calibrate, report, run, status, backup)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faqbot", description="双百双招 FAQ bot")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``faqbot`` command and return its exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
