"""``faqbot status`` and the whole round trip on real runs: run, back up live, restore elsewhere, run again."""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.status import problems
from bot.core.handoffs.store import HandoffStore, Kind, NewHandoff
from bot.core.knowledge.faq_file import load_knowledge
from bot.core.operations.heartbeat import Heartbeat, heartbeat_path, read_heartbeat, write_heartbeat
from bot.core.operations.status import format_status, read_status
from bot.core.storage.connection import Database
from bot.paths import PROJECT_ROOT
from tests.fake_bot_api_server import FakeBotApiServer
from tests.kit.api import ApiCall, FakeBotApi
from tests.kit.constants import TOKEN, USER_ID
from tests.kit.payloads import Payloads
from tests.test_cli_run import BotProcess

HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("alive", "idle", "active", "expected"),
    [
        (True, timedelta(minutes=5), True, []),
        (True, 30 * HOUR, True, ["no update handled for more than 24 h"]),
        (True, 30 * HOUR, False, []),  # outside the active hours idleness is expected
        (True, None, True, ["no update handled for more than 24 h"]),
        (False, timedelta(minutes=5), True, ["the bot is not running or not responding"]),
        (False, None, False, ["the bot is not running or not responding"]),
    ],
)
def test_what_makes_a_monitor_raise_the_alarm(
    alive: bool, idle: timedelta | None, active: bool, expected: list[str]
) -> None:
    assert problems(alive, idle, 24 * HOUR, active) == expected


def test_a_heartbeat_round_trips_and_a_broken_one_reads_as_none(tmp_path: Path) -> None:
    now = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    beat = Heartbeat(pid=7, mode="polling", started_at=now, alive_at=now, updates_handled=3, last_update_id=42,
                     last_update_kind="message", last_update_at=now, faq_digest="abc", faq_entries=35)  # fmt: skip
    path = heartbeat_path(tmp_path / "faqbot.sqlite3")
    write_heartbeat(path, beat)
    assert read_heartbeat(path) == beat
    path.write_text("{half a fi", encoding="utf-8")
    assert read_heartbeat(path) is None


def test_status_of_a_stopped_bot_from_its_database_alone(tmp_path: Path) -> None:
    database = tmp_path / "faqbot.sqlite3"
    db = Database(database)
    now = datetime.now(UTC).replace(microsecond=0)
    with db.transaction() as connection:
        connection.execute(
            "INSERT INTO questions (created_at, chat_type, text, normalized, outcome, score)"
            " VALUES (?, 'private', 'q', 'q', 'answer', 90)",
            ((now - 2 * HOUR).isoformat(timespec="seconds"),),
        )
        connection.execute(
            "INSERT INTO broadcasts (id, kind, text, targets, pin, state, created_at)"
            " VALUES (1, 'adhoc', 't', 'groups', 0, 'sending', ?)",
            (now.isoformat(),),
        )
        for chat, state, attempted in ((1, "pending", None), (2, "sending", now - HOUR), (3, "sending", now)):
            connection.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, audience, state, pin, created_at, attempted_at)"
                " VALUES (1, ?, 'group', ?, 'no', ?, ?)",
                (chat, state, now.isoformat(), attempted and attempted.isoformat(timespec="seconds")),
            )
    for question in ("住宿怎么安排？", "补贴怎么发？"):
        HandoffStore(db).create(NewHandoff(Kind.DECLINE, "private", question, 42, "—"), now)
    db.close()

    status = read_status(database, now=now)

    assert not status.alive
    assert status.idle_for() == 2 * HOUR
    assert (status.deliveries_pending, status.deliveries_sending, status.deliveries_stuck) == (1, 2, 1)
    text = format_status(status)
    assert "bot: not running" in text
    assert "last recorded activity" in text
    assert "1 broadcasts sending, 1 deliveries pending, 2 sending (1 stuck" in text
    assert status.handoffs_open == 2
    assert "questions handed to staff, still open: 2" in text


def _write_config(folder: Path, server: FakeBotApiServer, knowledge: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text(
        f"token: '{TOKEN}'\nbase_url: {server.base_url}\nknowledge: {knowledge}\ndatabase: data/faqbot.sqlite3\n",
        encoding="utf-8",
    )
    return config


def _questions(config: Path) -> list[str]:
    connection = sqlite3.connect(config.parent / "data" / "faqbot.sqlite3")
    try:
        return [row[0] for row in connection.execute("SELECT text FROM questions ORDER BY id")]
    finally:
        connection.close()


def _wait_for_replies(bot: BotProcess, api: FakeBotApi, count: int) -> None:
    def replied(call: ApiCall) -> bool:
        return call.method == "sendMessage" and len(api.called("sendMessage")) >= count

    bot.wait_for(api, replied)


def _status(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["status", "--config", str(config), *extra])
    return code, capsys.readouterr().out


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGTERM")
def test_status_backup_and_restore_on_real_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    knowledge = tmp_path / "a" / "knowledge"
    knowledge.mkdir(parents=True)
    for name in ("faq.yaml", "article.md"):
        (knowledge / name).write_bytes((PROJECT_ROOT / "knowledge" / name).read_bytes())
    api = FakeBotApi()
    tg = Payloads(api.bot_user)
    with FakeBotApiServer(api) as server:
        config_a = _write_config(tmp_path / "a", server, knowledge)
        bot = BotProcess(config_a, tmp_path / "a.log")
        try:
            for count, question in enumerate(("双百双招是什么？", "要去多长时间？"), start=1):
                api.push_update(tg.text(question))
                _wait_for_replies(bot, api, count)
            deadline = time.monotonic() + 30
            code, running_report = _status(config_a, capsys)
            while "(message) at" not in running_report:  # the heartbeat is written at most every few seconds
                assert time.monotonic() < deadline, running_report
                time.sleep(0.3)
                code, running_report = _status(config_a, capsys)
            assert main(["backup", str(tmp_path / "backups"), "--config", str(config_a)]) == 0
            capsys.readouterr()
        finally:
            assert bot.stop() == 0, bot.output()
    assert code == 0, running_report
    assert "bot: running (pid" in running_report
    assert "(message) at" in running_report
    shipped = len(load_knowledge(PROJECT_ROOT / "knowledge"))
    assert f"FAQ in force: {shipped} entries" in running_report
    assert "questions handed to staff, still open: 0" in running_report

    code, stopped_report = _status(config_a, capsys)
    assert code == 1
    assert "bot: not running" in stopped_report
    assert "2 handled since start" in stopped_report
    assert "PROBLEM: the bot is not running" in stopped_report

    (archive,) = (tmp_path / "backups").iterdir()
    api = FakeBotApi()
    tg = Payloads(api.bot_user)
    with FakeBotApiServer(api) as server:
        config_b = _write_config(tmp_path / "b", server, tmp_path / "b" / "knowledge")  # an empty folder
        assert main(["restore", str(archive), "--config", str(config_b)]) == 0
        assert _questions(config_b) == ["双百双招是什么？", "要去多长时间？"]
        bot = BotProcess(config_b, tmp_path / "b.log")
        try:
            api.push_update(tg.text("去哪里学习？"))
            bot.wait_for(api, lambda call: call.method == "sendMessage" and call.chat_id == USER_ID)
            code, report = _status(config_b, capsys, "--max-idle", "0")
        finally:
            assert bot.stop() == 0, bot.output()
    assert _questions(config_b) == ["双百双招是什么？", "要去多长时间？", "去哪里学习？"]
    assert (tmp_path / "b" / "knowledge" / "faq.yaml").read_bytes() == (knowledge / "faq.yaml").read_bytes()
    assert f"Serving as @FaqTestBot with {shipped} FAQ entries" in bot.output()
    assert code == 1  # --max-idle 0: any pause is too long
    assert "PROBLEM: no update handled for more than 0 h" in report
