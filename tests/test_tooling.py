"""The project's own checks run as part of the suite: lint, format and types."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.paths import PROJECT_ROOT

CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", "."],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", "."],
    "mypy": [sys.executable, "-m", "mypy"],
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_tool_is_clean(name: str) -> None:
    if not (PROJECT_ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    completed = subprocess.run(CHECKS[name], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
