"""``faqbot run``: config errors, logging, and a real run against a local (fake) Bot API server."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli import run as run_command
from bot.paths import PROJECT_ROOT
from tests.fake_bot_api_server import FakeBotApiServer
from tests.kit.api import ApiCall, FakeBotApi
from tests.kit.constants import BOT_USERNAME, GROUP_ID, TOKEN, USER_ID
from tests.kit.harness import write_knowledge
from tests.kit.html import visible_text
from tests.kit.payloads import Payloads


@pytest.fixture
def no_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs must not replace pytest's log handlers."""
    monkeypatch.setattr(run_command, "configure_logging", lambda level, secrets=(): None)


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("", "'token'"),
        ("contact: 组织部\n", "'token'"),
        ("token: 1:x\ntokne: 1:y\n", "'tokne'"),
        ("token: 1:x\ngroup:\n  repeat_window: 5\n", "'group.repeat_window'"),
        ("token: 1:x\nadmins: 12345\n", "'admins'"),
        ("token: 1:x\nwebhook:\n  url: http://insecure.example.org\n", "'webhook.url'"),
        ("token: 1:x\ntimezone: Mars/Olympus\n", "'timezone'"),
        ("token: [1:x\n", "not valid YAML"),
        ("- just\n- a list\n", "key: value"),
    ],
)
def test_a_config_problem_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_logging_setup: None, content: str, named: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(content, encoding="utf-8")

    assert main(["run", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert named in lines[0]
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_a_missing_config_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_without_a_config_the_token_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no config.yaml here
    assert main(["run"]) == 2
    assert "FAQBOT_TOKEN" in capsys.readouterr().err


def test_broken_knowledge_stops_start_up_with_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_logging_setup: None
) -> None:
    write_knowledge(tmp_path / "knowledge", "entries:\n  - id: x\n    answer: 1\n")
    config = tmp_path / "config.yaml"
    config.write_text(f"token: '{TOKEN}'\nknowledge: knowledge\n", encoding="utf-8")

    assert main(["run", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "faq.yaml:2:" in err
    assert "faqbot check" in err


def test_the_log_formatter_never_prints_the_token() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(run_command.RedactingFormatter(run_command.LOG_FORMAT, (TOKEN,)))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    assert TOKEN not in stream.getvalue()
    assert stream.getvalue().count("<token>") == 2  # the message and the exception (not the source line)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in run_command.QUIET_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_apscheduler_is_quiet(restore_logging: None) -> None:
    run_command.configure_logging("DEBUG", (TOKEN,))
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.WARNING


# -- a real `faqbot run` against a local Bot API server -----------------------------------------------


class BotProcess:
    """``faqbot run`` as a subprocess; its log goes to a file (a full pipe would block it)."""

    def __init__(self, config: Path, log: Path, extra_env: dict[str, str] | None = None) -> None:
        env = {key: value for key, value in os.environ.items() if key not in {"FAQBOT_TOKEN", "FAQBOT_KNOWLEDGE"}}
        env = {key: value for key, value in env.items() if not key.lower().endswith("_proxy")} | (extra_env or {})
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(config)],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=config.parent,
                env=env,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, api: FakeBotApi, predicate: Callable[[ApiCall], bool], timeout: float = 60.0) -> ApiCall:
        """The first call matching ``predicate``; fails early with the log if the bot exits."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return api.wait_for_call(predicate, timeout=0.5)
            except AssertionError:
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"faqbot run exited with {self.process.returncode}:\n{self.output()}"
                    ) from None
                if time.monotonic() > deadline:
                    raise

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return self.process.returncode


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGTERM")
def test_faqbot_run_answers_through_a_local_bot_api_server(tmp_path: Path) -> None:
    api = FakeBotApi()
    tg = Payloads(api.bot_user)
    with FakeBotApiServer(api) as server:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"token: '{TOKEN}'\n"
            f"base_url: {server.base_url}\n"
            f"knowledge: {PROJECT_ROOT / 'knowledge'}\n"
            "database: data/bot.sqlite3\n"
            "contact: 市委组织部\n",
            encoding="utf-8",
        )
        bot = BotProcess(config, tmp_path / "bot.log")
        try:
            api.push_update(tg.text("双百双招是什么？"))
            private = bot.wait_for(api, lambda call: call.method == "sendMessage" and call.chat_id == USER_ID)
            api.push_update(tg.text(f"@{BOT_USERNAME} 要去多长时间？", chat=tg.group_chat()))
            group = bot.wait_for(api, lambda call: call.method == "sendMessage" and call.chat_id == GROUP_ID)
            api.push_update(tg.callback(private.button_data("👍"), private.result))
            bot.wait_for(api, lambda call: call.method == "editMessageReplyMarkup")
        finally:
            code = bot.stop()

    assert code == 0, bot.output()
    assert "淮北市专项开展" in visible_text(private.text)
    assert "100天左右" in visible_text(group.text)
    assert "reply_parameters" in group.params  # the asker is quoted
    assert api.called("answerCallbackQuery")
    scopes = {call.params["scope"]["type"] for call in api.called("setMyCommands")}
    assert scopes == {"all_private_chats", "all_group_chats"}
    with sqlite3.connect(tmp_path / "data" / "bot.sqlite3") as connection:
        assert connection.execute("SELECT kind, entry_id FROM feedback").fetchall() == [("up", "what_is")]
        assert connection.execute("SELECT COUNT(*) FROM questions").fetchone() == (2,)
    log = bot.output()
    assert TOKEN not in log
    assert "Serving as @FaqTestBot" in log


def test_a_token_the_server_refuses_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    api = FakeBotApi(token="987654321:the-real-one")
    with FakeBotApiServer(api) as server:
        config = tmp_path / "config.yaml"
        config.write_text(f"token: '{TOKEN}'\nbase_url: {server.base_url}\ndatabase: bot.sqlite3\n", encoding="utf-8")
        bot = BotProcess(config, tmp_path / "bot.log")
        try:
            bot.process.wait(timeout=60)
        finally:
            code = bot.stop()
    assert code == 2
    assert "config key 'token' was rejected" in bot.output()
    assert "Traceback" not in bot.output()
    assert TOKEN not in bot.output()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post_update(port: int, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook", data=json.dumps(update).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _post_when_listening(port: int, update: dict[str, object]) -> int:
    """POST without a secret once the web server listens (PTB calls setWebhook just before it starts)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return _post_update(port, update, None)
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGTERM")
def test_a_webhook_without_a_configured_secret_refuses_forged_updates(tmp_path: Path) -> None:
    api = FakeBotApi()
    tg = Payloads(api.bot_user)
    port = _free_port()
    with FakeBotApiServer(api) as server:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"token: '{TOKEN}'\nbase_url: {server.base_url}\ndatabase: bot.sqlite3\n"
            f"webhook:\n  url: https://bot.example.org/hook\n  port: {port}\n  secret_token: ''\n",
            encoding="utf-8",
        )
        bot = BotProcess(config, tmp_path / "bot.log")
        try:
            set_webhook = bot.wait_for(api, lambda call: call.method == "setWebhook")
            secret = str(set_webhook.params.get("secret_token", ""))
            forged = _post_when_listening(port, tg.text("双百双招是什么？"))
            wrong = _post_update(port, tg.text("双百双招是什么？"), "guessed")
            genuine = _post_update(port, tg.text("要去多长时间？"), secret)
            answer = bot.wait_for(api, lambda call: call.method == "sendMessage")
        finally:
            code = bot.stop()

    assert code == 0, bot.output()
    assert len(secret) >= 32
    assert (forged, wrong, genuine) == (403, 403, 200)
    assert "100天左右" in visible_text(answer.text)
    assert len(api.sent()) == 1  # only the genuine update was answered
    assert secret not in bot.output()
