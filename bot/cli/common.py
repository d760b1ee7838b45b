"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Config, load_config
from bot.core.files.problems import InvalidFileError
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.evaluation import LabelledQuestion, load_labelled
from bot.paths import default_knowledge_dir


def add_knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        type=Path,
        default=None,
        metavar="PATH",
        help="FAQ file or knowledge folder (default: the shipped knowledge/)",
    )


def load_snapshot(path: Path | None) -> Snapshot | None:
    """Load the knowledge, or print its problems to stderr and return None."""
    try:
        return Snapshot.load(path or default_knowledge_dir())
    except InvalidFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def load_labelled_run(args: argparse.Namespace) -> tuple[Snapshot, list[LabelledQuestion]] | None:
    """The knowledge (``--knowledge``) and the labelled questions (``file``) of an eval-like command.

    Prints what is wrong and returns None when either cannot be loaded.
    """
    snapshot = load_snapshot(args.knowledge)
    if snapshot is None:
        return None
    try:
        questions = load_labelled(args.file)
    except InvalidFileError as error:
        print(error)
        return None
    return snapshot, questions


DEFAULT_CONFIG = Path("config.yaml")


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=None, metavar="PATH", help="the bot's config file (default: ./config.yaml)"
    )


def bot_config(path: Path | None) -> Config:
    """The config of the bot a maintenance command works on: ``--config``, else ./config.yaml, else defaults.

    Raises:
        ConfigError: the file cannot be used.
    """
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    return load_config(path, require_token=False) if path is not None else Config()
