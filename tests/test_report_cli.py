"""``faqbot report``: the missed-question report in the terminal, and as CSV."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.core.matching.thresholds import Outcome
from bot.core.storage.connection import Database
from bot.core.usage.journal import FeedbackKind, Journal
from tests.staff_helpers import BASE_FAQ, FaqEntry, ask, make_knowledge, react

FAMILY = FaqEntry("family", ("能带家属吗", "可以带家属吗", "家属能一起去吗"), "报道没有说明。")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def filled_database(path: Path, now: datetime) -> Path:
    db = Database(path, target_version=1)  # written by the previous version: the report migrates it
    journal = Journal(db)
    for hours in (1, 2, 3):
        ask(journal, "能带家属吗", Outcome.DECLINE, now - timedelta(hours=hours))
    ask(journal, "可以带家属吗", Outcome.DECLINE, now - timedelta(hours=4))
    suggested = ask(journal, "补贴多少", Outcome.SUGGEST, now - timedelta(hours=5), "how_many")
    react(journal, FeedbackKind.NONE_OF_THESE, suggested, "how_many", now - timedelta(hours=5))
    ask(journal, "很久以前", Outcome.DECLINE, now - timedelta(days=40))
    db.close()
    return path


def test_report_prints_the_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(SHANGHAI)
    path = filled_database(tmp_path / "faqbot.sqlite3", now)
    assert main(["report", "--database", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("：共 5 次，2 组，次数多的在前。")
    assert lines[1] == "1. 能带家属吗 ×4（未答 4）"
    assert lines[2] == "   类似问法：可以带家属吗"
    assert lines[4] == "2. 补贴多少 ×1（“都不是” 1）"
    assert "很久以前" not in "\n".join(lines)
    db = Database(path, target_version=1)  # opening at version 1 migrates nothing: the report already did
    assert db.version >= 2
    db.close()


def test_report_since_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(SHANGHAI)
    path = filled_database(tmp_path / "faqbot.sqlite3", now)
    since = (now - timedelta(days=60)).date().isoformat()
    out = tmp_path / "missed.csv"
    assert main(["report", "--database", str(path), "--since", since, "--csv", str(out), "--english"]) == 0
    assert "很久以前" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["group"], row["question"], row["count"]) for row in rows] == [
        ("1", "能带家属吗", "3"),
        ("1", "可以带家属吗", "1"),
        ("2", "补贴多少", "1"),
        ("3", "很久以前", "1"),
    ]


def test_report_reads_the_database_from_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(SHANGHAI)
    filled_database(tmp_path / "data" / "bot.sqlite3", now)
    make_knowledge(tmp_path / "knowledge")
    config = tmp_path / "config.yaml"
    config.write_text("database: data/bot.sqlite3\nknowledge: knowledge\n", encoding="utf-8")
    assert main(["report", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "1. 能带家属吗 ×4" in out
    assert "现在仍然无法回答" in out  # checked against the FAQ named in the config


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--database", "{tmp}/missing.sqlite3"], "no database at"),
        (["--config", "{tmp}/missing.yaml"], "config file not found"),
    ],
)
def test_report_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str) -> None:
    assert main(["report", *(a.format(tmp=tmp_path) for a in arguments)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()  # a report never creates a database


def test_report_rejects_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--since", "3/1"])
    assert exit_info.value.code == 2
    assert "not a date like 2025-03-01" in capsys.readouterr().err


def test_report_judges_with_the_given_knowledge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(SHANGHAI)
    path = filled_database(tmp_path / "faqbot.sqlite3", now)
    knowledge = make_knowledge(tmp_path / "knowledge", BASE_FAQ.plus(FAMILY))
    out = tmp_path / "missed.csv"
    assert main(["report", "--database", str(path), "--knowledge", str(knowledge), "--csv", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3] == "   现在会回答条目 family"  # the given FAQ answers it now
    assert any(line.startswith("（“现在……”按问答库 ") and "knowledge" in line for line in lines)
    with out.open(encoding="utf-8-sig", newline="") as stream:
        header = next(csv.reader(stream))
    assert header[:4] == ["组号", "本组次数", "问法", "次数"]
