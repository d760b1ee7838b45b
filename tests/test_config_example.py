"""``config.example.yaml`` documents every config key and loads as it is."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Config, ConfigError, load_config
from bot.paths import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "config.example.yaml"


def config_keys(cls: Any = Config, prefix: str = "") -> set[str]:
    keys = set()
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        keys.add(prefix + field.name)
        if dataclasses.is_dataclass(hints[field.name]):
            keys |= config_keys(hints[field.name], prefix + field.name + ".")
    return keys


def file_keys(data: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in data.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= file_keys(value, prefix + key + ".")
    return keys


def test_every_config_key_is_in_the_example() -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert file_keys(data) == config_keys()


def test_every_key_has_a_comment() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#") and ":" in line:
            commented = "#" in line or lines[number - 1].lstrip().startswith("#")
            section = line.rstrip().endswith(":") and not line.startswith(" ")
            assert commented or section, f"config.example.yaml:{number + 1}: {line.strip()!r} has no comment"


def test_the_example_needs_only_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "config.yaml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="'token'"):
        load_config(copy)

    monkeypatch.setenv("FAQBOT_TOKEN", "123:abc")
    config = load_config(copy)
    assert config.token == "123:abc"
    assert config.database == tmp_path / "data" / "faqbot.sqlite3"
    assert config.knowledge == tmp_path / "knowledge"
    assert dataclasses.replace(config, token="", database=Config().database, knowledge=Config().knowledge) == Config()
