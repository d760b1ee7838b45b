"""The faqbot command line: ask, check and eval, in-process and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.paths import PROJECT_ROOT

JSON_KEYS = {"answered", "id", "score", "answer", "passage", "suggestions"}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_shipped_knowledge_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", str(PROJECT_ROOT / "knowledge" / "faq.yaml"))
    assert code == 0
    assert "没有问题" in out


def test_check_bad_file_prints_located_problems_and_exits_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "faq.yaml"
    bad.write_text("entries:\n  - id: a\n    qustions: [x]\n    answer: b\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "check", str(bad))
    assert code == 1
    lines = [line for line in out.strip().splitlines() if "按项目自带的文章" not in line]  # no article beside it
    assert lines
    assert all(line.startswith((str(bad) + ":", "faq.yaml:", "    | ")) for line in lines)
    located = lines.index(next(line for line in lines if ":3:5:" in line and "qustions" in line))
    assert lines[located + 1] == "    |     qustions: [x]"  # the offending line, quoted under its message
    assert lines[-1].endswith("处错误。请按上面的行号修改后再检查。")
    assert "Traceback" not in out + err


def test_check_missing_file_exits_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "check", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert "找不到" in out


def test_ask_prints_the_answer_with_its_passage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ask", "学习锻炼多长时间？")
    assert code == 0
    assert "100天左右" in out
    assert "原文" in out


def test_ask_json_has_exactly_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ask", "--json", "学习锻炼多长时间？")
    assert code == 0
    result = json.loads(out)
    assert set(result) == JSON_KEYS
    assert result["answered"] is True
    assert result["id"] == "duration"
    assert 0 <= result["score"] <= 100
    assert "100天" in result["passage"]


def test_ask_json_declines_off_topic(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "ask", "--json", "今天晚上吃火锅还是烧烤")
    result = json.loads(out)
    assert result["answered"] is False
    assert result["id"] is None
    assert result["suggestions"] == []
    assert result["passage"] == ""


def test_ask_other_knowledge_file_without_passages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    faq = tmp_path / "other.yaml"
    faq.write_text(
        "entries:\n  - id: q1\n    questions: [百令胶囊需要注意什么]\n    answer: 注意事项\n", encoding="utf-8"
    )
    _, out, _ = run_cli(capsys, "ask", "--knowledge", str(faq), "--json", "百令胶囊需要注意什么")
    result = json.loads(out)
    assert result == {**result, "answered": True, "id": "q1", "answer": "注意事项", "passage": ""}


def test_ask_reports_a_broken_knowledge_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text("entries: [", encoding="utf-8")
    code, _, err = run_cli(capsys, "ask", "--knowledge", str(faq), "多久")
    assert code == 1
    assert "faq.yaml:1:" in err


def test_eval_prints_both_splits(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "eval", "--quiet")
    assert code == 0
    assert "tuning" in out
    assert "holdout" in out
    assert "right answers" in out
    assert "unrelated declined" in out


def test_eval_lists_misses(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    labelled = tmp_path / "q.yaml"
    labelled.write_text(
        'positives:\n  - {q: "学习锻炼多长时间", id: how_many}\nunrelated:\n  - {q: "学习锻炼多长时间"}\n',
        encoding="utf-8",
    )
    _, out, _ = run_cli(capsys, "eval", str(labelled))
    assert out.count("miss") == 2
    assert "expected how_many" in out


def test_eval_supports_negatives(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    labelled = tmp_path / "q.yaml"
    labelled.write_text('negatives:\n  - {q: "学习锻炼多长时间", not: duration}\n', encoding="utf-8")
    _, out, _ = run_cli(capsys, "eval", str(labelled))
    assert "negatives answered with the entry they do not mean 100.0%" in out


def test_stdin_mode_writes_one_json_line_per_question() -> None:
    questions = "要去多久\n\n雙百雙招是什麼\n" + "长" * 5000 + "\n\u200b\x00😀\n"
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "-"],
        input=questions,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    lines = completed.stdout.splitlines()
    assert len(lines) == 5
    results = [json.loads(line) for line in lines]
    assert all(set(result) == JSON_KEYS for result in results)
    assert results[0]["id"] == "duration"
    assert results[1]["answered"] is False
    assert "雙百雙招" in results[2]["answer"]
