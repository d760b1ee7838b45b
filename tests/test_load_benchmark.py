"""A smoke run of ``benchmarks/load.py``: it drives a real ``faqbot run`` and prints its figures (no times asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks import load


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with signals")
def test_the_load_benchmark_runs_on_a_small_crowd(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load.flooding_group(tmp_path, flood=3, private=2)
    load.thousand_users(tmp_path, users=4, presses=2)
    out = capsys.readouterr().out
    assert "private replies  (2/2): p50" in out
    assert "questions answered: 4/4" in out
    assert "callback answers:" in out
    assert "(2/2)" in out
