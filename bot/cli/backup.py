"""``faqbot backup [DEST]`` and ``faqbot restore ARCHIVE``: the bot's database and knowledge in one archive."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from bot.cli.common import add_config_option, bot_config
from bot.config import ConfigError
from bot.core.operations.backup import BackupError, create_backup, restore_backup
from bot.core.operations.runlock import holder
from bot.core.storage.clock import utc_now

DEFAULT_FOLDER = Path("backups")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("backup", help="copy the database and the knowledge folder into one dated archive")
    parser.add_argument(
        "destination",
        nargs="?",
        type=Path,
        metavar="DEST",
        help=f"a folder, or a file ending in .tar.gz (default: config key backup.folder, else ./{DEFAULT_FOLDER})",
    )
    add_config_option(parser)
    parser.set_defaults(func=backup)
    parser = subparsers.add_parser("restore", help="check a backup archive and put it back (the bot must be stopped)")
    parser.add_argument("archive", type=Path, metavar="ARCHIVE", help="a faqbot-backup-….tar.gz file")
    add_config_option(parser)
    parser.set_defaults(func=restore)


def _fail(command: str, message: str) -> int:
    print(f"faqbot {command}: {message}", file=sys.stderr)
    return 2


def backup(args: argparse.Namespace) -> int:
    try:
        config = bot_config(args.config)
    except ConfigError as error:
        return _fail("backup", str(error))
    if not config.database.is_file():
        return _fail("backup", f"no database at {config.database} (the bot creates it when it starts)")
    destination = args.destination or config.backup.folder or DEFAULT_FOLDER
    source = sqlite3.connect(config.database, timeout=30)  # not bot.core.storage.Database: never migrate here
    try:
        path = create_backup(source, config.knowledge, destination, now=utc_now())
    except (OSError, sqlite3.Error, BackupError) as error:
        return _fail("backup", f"cannot write the backup: {error}")
    finally:
        source.close()
    print(f"backup written: {path}")
    return 0


def restore(args: argparse.Namespace) -> int:
    try:
        config = bot_config(args.config)
    except ConfigError as error:
        return _fail("restore", str(error))
    if (pid := holder(config.database)) is not None:
        return _fail("restore", f"the bot is running on {config.database} (process {pid}): stop it first")
    try:
        restored = restore_backup(args.archive, config.database, config.knowledge, now=utc_now())
    except BackupError as error:
        return _fail("restore", f"{error}; nothing was changed")
    except OSError as error:
        return _fail("restore", f"cannot put the backup back: {error}")
    manifest = restored.manifest
    rows = ", ".join(f"{count} {table}" for table, count in sorted(manifest.rows.items()) if count)
    print(f"restored the backup of {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC")
    print(f"database: {restored.database} ({rows or 'empty'})")
    print(f"knowledge: {restored.knowledge} ({len(manifest.knowledge_files)} files)")
    for path in restored.moved_aside:
        print(f"kept the previous version as {path}")
    return 0
