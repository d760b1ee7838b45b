"""The configuration file: defaults, overrides and one clear line for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config


def test_defaults_need_only_a_token() -> None:
    config = parse_config({"token": "123:abc"}, environ={})
    assert config.timezone == "Asia/Shanghai"
    assert config.admins == ()
    assert not config.webhook.enabled
    assert config.staff.store_user_ids is False


def test_environment_token_overrides_the_file() -> None:
    config = parse_config({"token": "from-file"}, environ={"FAQBOT_TOKEN": "from-env"})
    assert config.token == "from-env"


def test_admin_check_is_by_user_id() -> None:
    config = parse_config({"token": "t", "admins": [42]}, environ={})
    assert config.is_admin(42)
    assert not config.is_admin(43)
    assert not config.is_admin(None)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({}, ["token", "FAQBOT_TOKEN"]),
        ({"token": "t", "admns": [1]}, ["unknown config key 'admns'"]),
        ({"token": "t", "group": {"repeat_windo": 1}}, ["group.repeat_windo"]),
        ({"token": "t", "admins": 5}, ["'admins'", "list"]),
        ({"token": "t", "admins": ["me"]}, ["'admins'", "whole number"]),
        ({"token": "t", "staff": {"store_user_ids": "yes"}}, ["staff.store_user_ids", "true or false"]),
        ({"token": "t", "timezone": "Mars/Olympus"}, ["timezone"]),
        ({"token": "t", "webhook": {"url": "http://example.org"}}, ["webhook.url", "https"]),
        ({"token": "t", "group": 3}, ["'group'", "section"]),
        ({"token": "t", "webhook": {"secret_token": "has spaces"}}, ["webhook.secret_token", "A-Z"]),
    ],
)
def test_bad_config_names_the_key(data: dict[str, object], words: list[str]) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(data, environ={})
    message = str(raised.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_config_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("token: t\ndatabase: db/bot.sqlite3\nknowledge: kb\n", encoding="utf-8")
    config = load_config(path)
    assert config.database == tmp_path / "db" / "bot.sqlite3"
    assert config.knowledge == tmp_path / "kb"


@pytest.mark.parametrize(
    ("content", "words"),
    [("token: [unclosed", ["not valid YAML", "line 1"]), ("- a\n- b\n", ["key: value"])],
)
def test_malformed_config_file(tmp_path: Path, content: str, words: list[str]) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    for word in words:
        assert word in str(raised.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
