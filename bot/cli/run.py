"""``faqbot run``: start the Telegram bot (long polling, or a webhook when the config has one)."""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, ConfigError, load_config
from bot.core.files.problems import InvalidFileError
from bot.core.operations.runlock import AlreadyRunningError, RunLock
from bot.core.storage.connection import SchemaTooNewError
from bot.proxy import ProxyURLError

if TYPE_CHECKING:
    from bot.tg.context import FaqApplication

DEFAULT_CONFIG = Path("config.yaml")
QUIET_LOGGERS = ("apscheduler",)  # a line for every job run
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="start the Telegram bot")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"config file (default: {DEFAULT_CONFIG} if it exists, else only $FAQBOT_TOKEN)",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="default: INFO"
    )
    parser.set_defaults(func=run)


class RedactingFormatter(logging.Formatter):
    """A formatter that blanks out secrets (the bot token) wherever they appear, tracebacks included."""

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secret for secret in secrets if secret)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text


def _not_a_start_up_failure(record: logging.LogRecord) -> bool:
    """Drop PTB's traceback for a refused token or an unreachable Bot API at start: ``run`` says it in one line."""
    error = record.exc_info[1] if record.exc_info else None
    if type(error).__name__ == "InvalidToken":
        return False
    return "Network Retry Loop (Bootstrap" not in record.getMessage()


def configure_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """Log to stderr; quiet the chatty libraries; never print a secret."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(LOG_FORMAT, secrets))
    handler.addFilter(_not_a_start_up_failure)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def fail(message: str) -> None:
    print(f"faqbot: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    path = args.config if args.config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    try:
        config = load_config(path)
    except ConfigError as error:
        fail(str(error))
        return 2
    configure_logging(args.log_level, secrets=(config.token,))
    # PTB 22 warns on every RetryAfter unless durations are opted in to timedelta (the v23 behaviour).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # telegram is imported in _build_and_serve, so that the other commands start without loading it.
    lock = RunLock(config.database)
    try:
        lock.acquire()
    except AlreadyRunningError as error:
        fail(str(error))
        return 2
    except OSError as error:
        fail(f"cannot use the database folder {config.database.parent}: {error}")
        return 1
    try:
        return _build_and_serve(config)
    finally:
        lock.release()


def _build_and_serve(config: Config) -> int:
    from bot.tg.app import build_application  # noqa: PLC0415

    try:
        application = build_application(config)
    except ProxyURLError as error:
        fail(str(error))
        return 2
    except InvalidFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        fail("the knowledge files have problems; fix them (see `faqbot check`) and start again")
        return 1
    except (sqlite3.Error, SchemaTooNewError, OSError) as error:
        fail(f"cannot open the database {config.database}: {error}")
        return 1
    return _serve(application, config)


def _serve(application: FaqApplication, config: Config) -> int:
    """Serve until stopped; a start-up failure is one line and exit code 2 (or 1 when unreachable)."""
    from telegram.error import InvalidToken, NetworkError  # noqa: PLC0415

    from bot.tg.app import serve  # noqa: PLC0415

    if (via := application.bot_data.proxy) is not None:
        logging.getLogger(__name__).info("Bot API calls go through the proxy %s (%s)", via.display, via.source)
    try:
        serve(application, config)
    except InvalidToken:
        fail("config key 'token' was rejected by Telegram: copy it again from @BotFather")
        return 2
    except NetworkError as error:
        reason = str(error).replace(config.token, "<token>")
        target = config.base_url or "api.telegram.org"
        if (proxy := application.bot_data.proxy) is not None:
            fail(f"cannot reach the Bot API at {target} through the proxy {proxy.display} ({proxy.source}): {reason}")
            return 2
        fail(
            f"cannot reach the Bot API at {target}: {reason}; if this network cannot reach Telegram directly,"
            " set config key 'proxy' (or $HTTPS_PROXY)"
        )
        return 1
    return 0
