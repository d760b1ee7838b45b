"""Smoke runs of the benchmark harness: it runs and prints its tables (no times are asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.datasets import part_of, tianchi_available, tianchi_path
from benchmarks.run import Share, Table, format_cell, synthetic_knowledge
from bot.core.knowledge import Entry, Knowledge


def test_harness_on_our_faq_with_a_small_scale_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    markdown = tmp_path / "bench.md"
    code = run.main(
        ["--tianchi", str(tmp_path / "absent"), "--scale", "300", "--queries", "20", "--markdown", str(markdown)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Our FAQ" in out
    assert "extractOne WRatio" in out
    assert "Tianchi section skipped" in out
    assert "Scale: 300 entries" in out
    assert "| system |" in markdown.read_text(encoding="utf-8")


@pytest.mark.skipif(not tianchi_available(tianchi_path()), reason="no Tianchi data (../shared/bench/tianchi)")
def test_harness_on_a_tianchi_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code = run.main(["--skip-own", "--entries", "200", "--scale", "0"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Tianchi (200 entries" in out
    assert "extractOne ratio" in out


def test_parts_split_entries_deterministically() -> None:
    parts = [part_of(f"q{index:04d}") for index in range(200)]
    assert parts == [part_of(f"q{index:04d}") for index in range(200)]
    assert 60 < parts.count("A") < 140


def test_synthetic_knowledge_is_deterministic_and_sized() -> None:
    base = Knowledge(entries=(Entry("a", ("双百双招是什么",), "x"),))
    sentences = ["每年选派多少干部", "要去多久", "去哪里学习锻炼"]
    first = synthetic_knowledge(base, sentences, 50)
    assert len(first.entries) == 50
    assert first.entries[0].id == "a"
    assert first == synthetic_knowledge(base, sentences, 50)


def test_table_renders_text_and_markdown() -> None:
    table = Table("T", ["system", "top-1", "median ms"])
    table.add(system="engine", **{"top-1": Share(0.5), "median ms": 0.25})
    assert "50.0%" in table.text()
    assert "| engine | 50.0% | 0.250 |" in table.markdown()
    assert format_cell(None) == "—"
