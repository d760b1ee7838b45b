"""The bot's configuration file, read once into frozen dataclasses.

Every key is optional except the token (and the token may come from the
``FAQBOT_TOKEN`` environment variable instead).  An unknown key, a value of the
wrong type or a malformed file raises :class:`ConfigError` with one line that
names the key; ``faqbot run`` prints it and exits with code 2.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.texts import DEFAULT_CONTACT
from bot.paths import default_knowledge_dir
from bot.proxy import CONFIG_KEY as PROXY_KEY
from bot.proxy import ProxyURLError, check_proxy_url

TOKEN_ENV = "FAQBOT_TOKEN"  # noqa: S105 - the name of the variable, not a secret
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a webhook secret_token


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the key."""


@dataclass(frozen=True)
class WebhookConfig:
    """Webhook mode (instead of long polling) when ``url`` is set."""

    url: str = ""
    listen: str = "127.0.0.1"  # behind the reverse proxy that terminates TLS
    port: int = 8443
    path: str = ""
    secret_token: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class GroupConfig:
    """How the bot behaves in group chats."""

    repeat_window_seconds: int = 300
    quote_question: bool = True


@dataclass(frozen=True)
class StaffConfig:
    """Staff tools: live reload, uploads, privacy of what is recorded."""

    reload_interval_seconds: float = 5.0
    max_upload_kb: int = 256
    history_keep: int = 20
    store_user_ids: bool = False
    question_retention_days: int = 180  # the text of older questions is forgotten daily; 0 keeps it


@dataclass(frozen=True)
class AnnouncementConfig:
    """Scheduled announcements."""

    grace_period_minutes: int = 60
    min_interval_minutes: int = 60  # a repetition more frequent is refused unless its entry says frequent: true


@dataclass(frozen=True)
class HandoffConfig:
    """Questions handed to staff (``/ask_staff``, the «问工作人员» button)."""

    max_open_per_user: int = 5
    remind_after_hours: float = 24.0
    retention_days: int = 30


@dataclass(frozen=True)
class ContactConfig:
    """Who cadres can reach, shown by ``/contact``; every field is optional."""

    name: str = ""
    phone: str = ""
    email: str = ""
    office: str = ""
    hours: str = ""


@dataclass(frozen=True)
class BackupConfig:
    """Daily backups made by the running bot (off unless ``folder`` is set)."""

    folder: Path | None = None
    keep: int = 14
    hour: int = 3  # local time (config ``timezone``) of the daily backup


@dataclass(frozen=True)
class Config:
    """Everything ``faqbot run`` needs."""

    token: str = ""
    base_url: str = ""
    base_file_url: str = ""
    local_mode: bool = False
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    admins: tuple[int, ...] = ()
    admin_chat_id: int | None = None
    staff_chat_id: int | None = None
    contact: str = DEFAULT_CONTACT
    contact_details: ContactConfig = field(default_factory=ContactConfig)
    knowledge: Path = field(default_factory=default_knowledge_dir)
    database: Path = Path("data/faqbot.sqlite3")
    timezone: str = "Asia/Shanghai"
    conversation_minutes: float = 10.0
    group: GroupConfig = field(default_factory=GroupConfig)
    staff: StaffConfig = field(default_factory=StaffConfig)
    announcements: AnnouncementConfig = field(default_factory=AnnouncementConfig)
    handoffs: HandoffConfig = field(default_factory=HandoffConfig)
    proxy: str = ""
    backup: BackupConfig = field(default_factory=BackupConfig)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def is_admin(self, user_id: int | None) -> bool:
        """The one place that decides who is staff."""
        return user_id is not None and user_id in self.admins


def _type_name(kind: Any) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false", Path: "a path"}
    if typing.get_origin(kind) is tuple:
        return "a list of " + {int: "whole numbers"}.get(typing.get_args(kind)[0], "values")
    if isinstance(kind, types.UnionType):
        return " or ".join(_type_name(arg) for arg in typing.get_args(kind) if arg is not type(None))
    return names.get(kind, getattr(kind, "__name__", str(kind)))


def _convert(value: Any, kind: Any, key: str) -> Any:
    """Check ``value`` against the field type ``kind``; return it converted."""
    if isinstance(kind, types.UnionType):
        if value is None and type(None) in typing.get_args(kind):
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ConfigError(f"config key '{key}' must be a section of keys, not {value!r}")
        return _build(kind, value, key + ".")
    if typing.get_origin(kind) is tuple:
        item_kind = typing.get_args(kind)[0]
        if not isinstance(value, list):
            raise ConfigError(f"config key '{key}' must be {_type_name(kind)}, e.g. [123456789]")
        return tuple(_convert(item, item_kind, key) for item in value)
    ok = {
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, int | float) and not isinstance(value, bool),
        str: isinstance(value, str | int) and not isinstance(value, bool),
        Path: isinstance(value, str) and bool(value),
    }.get(kind, False)
    if not ok:
        raise ConfigError(f"config key '{key}' must be {_type_name(kind)}, not {value!r}")
    return kind(value)


def _build(cls: Any, data: dict[str, Any], prefix: str = "") -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in data.items():
        if key not in names:
            raise ConfigError(f"unknown config key '{prefix}{key}' (known keys: {', '.join(sorted(names))})")
        if value is None and key not in {"admin_chat_id", "staff_chat_id"}:
            continue  # an empty value means "use the default"
        values[key] = _convert(value, hints[key], prefix + key)
    return cls(**values)


def parse_config(data: Any, *, environ: typing.Mapping[str, str] | None = None, require_token: bool = True) -> Config:
    """Build a :class:`Config` from parsed YAML data and the environment."""
    environ = os.environ if environ is None else environ
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("the config file must be a set of 'key: value' lines")
    config: Config = _build(Config, data)
    if token := environ.get(TOKEN_ENV, "").strip():
        config = dataclasses.replace(config, token=token)
    if require_token and not config.token:
        raise ConfigError(f"config key 'token' is missing: set it in the config file or in ${TOKEN_ENV}")
    try:
        config.tzinfo  # noqa: B018 - validates the zone name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"config key 'timezone' is not a known time zone: {config.timezone!r}") from None
    if config.webhook.enabled and not config.webhook.url.startswith("https://"):
        raise ConfigError("config key 'webhook.url' must be a public https:// URL")
    if config.webhook.secret_token and not SECRET_TOKEN_RE.fullmatch(config.webhook.secret_token):
        raise ConfigError("config key 'webhook.secret_token' may only use A-Z, a-z, 0-9, _ and - (at most 256)")
    _check_operations(config)
    return config


def _yaml_error(path: Path, error: yaml.YAMLError) -> str:
    """One line: where the YAML broke, and why when it is a Tab (YAML indents with spaces only)."""
    mark = getattr(error, "problem_mark", None)
    if mark is None:
        return f"config file {path} is not valid YAML"
    where = f" at line {mark.line + 1}, column {mark.column + 1}"
    lines = mark.buffer.splitlines() if isinstance(mark.buffer, str) else []
    line = lines[mark.line] if mark.line < len(lines) else ""
    problem = getattr(error, "problem", "") or ""
    if "\t" in line[: mark.column + 1] or "'\\t'" in problem:
        return f"config file {path} is not valid YAML{where}: a Tab is used for indentation; use spaces instead"
    return f"config file {path} is not valid YAML{where}" + (f": {problem}" if problem else "")


def _check_operations(config: Config) -> None:
    """The proxy and backup keys."""
    if config.proxy:
        try:
            check_proxy_url(config.proxy, f"config key '{PROXY_KEY}'")
        except ProxyURLError as error:
            raise ConfigError(str(error)) from None
    if not 0 <= config.backup.hour <= 23:
        raise ConfigError(f"config key 'backup.hour' must be an hour from 0 to 23, not {config.backup.hour}")
    if config.backup.keep < 1:
        raise ConfigError(f"config key 'backup.keep' must be 1 or more, not {config.backup.keep}")


def load_config(path: Path | None, *, require_token: bool = True) -> Config:
    """Read the config file (or only the environment when ``path`` is None).

    Raises:
        ConfigError: one line naming what is wrong.
    """
    data: Any = {}
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read config file {path}: {error}") from None
        except yaml.YAMLError as error:
            raise ConfigError(_yaml_error(path, error)) from None
    config = parse_config(data, require_token=require_token)
    if path is None:
        return config
    # Relative paths in the file are relative to the file, not to where the bot was started.
    base = path.resolve().parent
    backup_folder = config.backup.folder
    return dataclasses.replace(
        config,
        knowledge=base / config.knowledge if "knowledge" in data else config.knowledge,
        database=base / config.database,
        backup=dataclasses.replace(config.backup, folder=base / backup_folder if backup_folder else None),
    )
