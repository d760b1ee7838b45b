"""The systemd units in deploy/: every key is one systemd knows, the values fit the bot, and systemd agrees."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.paths import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = ("faqbot.service", "faqbot-status.service", "faqbot-status.timer")
INSTALLED_COMMAND = "/opt/faqbot/venv/bin/faqbot"

# The keys these units may use, so that a typo fails here even where systemd-analyze is missing.
KNOWN_KEYS = {
    "Unit": {"Description", "Documentation", "Wants", "After", "StartLimitIntervalSec", "StartLimitBurst"},
    "Service": {
        "Type", "User", "Group", "ExecStart", "WorkingDirectory", "EnvironmentFile", "StateDirectory",
        "StateDirectoryMode", "UMask", "Restart", "RestartSec", "RestartPreventExitStatus", "KillSignal",
        "TimeoutStopSec", "NoNewPrivileges", "ProtectSystem", "ReadWritePaths", "PrivateTmp", "ProtectHome",
        "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups",
        "RestrictAddressFamilies", "RestrictNamespaces", "LockPersonality", "SystemCallArchitectures",
    },
    "Timer": {"OnBootSec", "OnUnitActiveSec"},
    "Install": {"WantedBy"},
}  # fmt: skip


def parse_unit(text: str) -> dict[str, dict[str, str]]:
    """A systemd unit as sections of keys (the last value of a repeated key wins); fails on a malformed line."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if match := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(match.group(1), {})
            continue
        key, equals, value = line.partition("=")
        assert current is not None and equals and re.fullmatch(r"[A-Za-z]+", key.strip()), f"line {number}: {line}"
        current[key.strip()] = value.strip()
    return sections


def seconds(value: str) -> float:
    units = {"": 1, "s": 1, "min": 60, "h": 3600}
    total = 0.0
    for number, unit in re.findall(r"(\d+)\s*(min|s|h|)", value):
        total += int(number) * units[unit]
    return total


def unit(name: str) -> dict[str, dict[str, str]]:
    return parse_unit((DEPLOY / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", UNITS)
def test_every_key_is_known(name: str) -> None:
    for section, keys in unit(name).items():
        assert section in KNOWN_KEYS, f"{name}: unknown section [{section}]"
        assert set(keys) <= KNOWN_KEYS[section], f"{name}: unknown keys {set(keys) - KNOWN_KEYS[section]}"


def test_the_service_runs_the_bot_as_its_own_user_with_its_state_directory() -> None:
    service = unit("faqbot.service")["Service"]
    assert service["User"] == service["Group"] == "faqbot"
    assert service["ExecStart"] == f"{INSTALLED_COMMAND} run --config /etc/faqbot/config.yaml"
    assert service["StateDirectory"] == "faqbot"
    assert service["WorkingDirectory"] == service["ReadWritePaths"] == "/var/lib/faqbot"
    assert service["EnvironmentFile"].startswith("/etc/faqbot/")
    assert service["NoNewPrivileges"] == service["PrivateTmp"] == "yes"
    assert service["ProtectSystem"] == "strict"


def test_restarts_back_off_and_spare_configuration_errors() -> None:
    from bot.cli import main

    service = unit("faqbot.service")["Service"]
    assert service["Restart"] == "on-failure"
    assert seconds(service["RestartSec"]) >= 5
    assert service["RestartPreventExitStatus"] == "2"
    assert main(["run", "--config", str(DEPLOY / "no-such-config.yaml")]) == 2  # what exit code 2 means


def test_the_stop_timeout_covers_the_bots_clean_stop() -> None:
    default = inspect.signature(Application.run_polling).parameters["timeout"].default
    long_poll = default.total_seconds() if isinstance(default, timedelta) else float(default)
    service = unit("faqbot.service")["Service"]
    assert service["KillSignal"] == "SIGTERM"
    assert seconds(service["TimeoutStopSec"]) >= long_poll + 15  # the open long poll, then shutdown


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    # verify checks that ExecStart's program exists: point it at one that does.
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8").replace(INSTALLED_COMMAND, sys.executable)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(f"./{name}" for name in UNITS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Unknown" not in output and "ignoring" not in output, output
