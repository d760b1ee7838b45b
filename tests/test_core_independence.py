"""``bot/core`` never imports telegram: checked in the source and at run time."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot.core
from bot.paths import PROJECT_ROOT

CORE = PROJECT_ROOT / "bot" / "core"
FORBIDDEN = ("telegram",)


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def core_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(bot.core.__path__, prefix="bot.core."))


def imported_names(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
            "import_module",
            "__import__",
        }:
            names += [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return names


def test_the_scan_sees_the_whole_core() -> None:
    assert len(core_files()) >= 10
    assert "bot.core.conversation" in core_modules()


@pytest.mark.parametrize("path", core_files(), ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_no_core_module_imports_telegram(path: Path) -> None:
    bad = [name for name in imported_names(path) if name.split(".")[0] in FORBIDDEN]
    assert bad == [], f"{path} imports {bad}"


def test_importing_every_core_module_loads_no_telegram() -> None:
    modules = core_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT, timeout=120
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "source",
    [
        "import telegram",
        "import telegram.ext as ext",
        "from telegram import Update",
        "from telegram.ext import Application",
        "import importlib\nimportlib.import_module('telegram')",
        "def f():\n    from telegram import Bot",
    ],
)
def test_the_scan_catches_every_form_of_import(tmp_path: Path, source: str) -> None:
    module = tmp_path / "module.py"
    module.write_text(source, encoding="utf-8")
    assert any(name.split(".")[0] == "telegram" for name in imported_names(module))
