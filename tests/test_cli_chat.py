"""``faqbot chat``: the conversation in the terminal, numbers for buttons."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.chat import ChatSession
from bot.core.conversation import Responder
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.paths import PROJECT_ROOT
from tests.kit.constants import SHIPPED_KNOWLEDGE
from tests.kit.harness import write_knowledge

FRUIT_FAQ = """\
entries:
  - id: apple_price
    topic: 水果
    questions: [苹果多少钱一斤, 苹果的价格是多少]
    answer: 苹果五元一斤。
  - id: banana_price
    topic: 水果
    questions: [香蕉多少钱一斤, 香蕉的价格是多少]
    answer: 香蕉三元一斤。
"""
# Limits pinned as `faqbot calibrate` would write them: the tests follow the chat's
# handling of each outcome, not the engine's default limits.
FRUIT_CALIBRATION = "answer: 60\nmargin: 10\nsure: 95\nsuggest: 5\n"


@pytest.fixture(scope="module")
def shipped() -> Snapshot:
    return Snapshot.load(SHIPPED_KNOWLEDGE)


@pytest.fixture
def session(shipped: Snapshot) -> ChatSession:
    return ChatSession(Responder(KnowledgeHolder(shipped), contact="市委组织部"))


@pytest.fixture
def fruit_session(tmp_path: Path) -> ChatSession:
    knowledge = write_knowledge(tmp_path / "knowledge", FRUIT_FAQ)
    (knowledge / "calibration.yaml").write_text(FRUIT_CALIBRATION, encoding="utf-8")
    snapshot = Snapshot.load(knowledge)
    return ChatSession(Responder(KnowledgeHolder(snapshot), contact="市委组织部"))


def test_an_answer_shows_the_passage_and_numbered_related_questions(session: ChatSession) -> None:
    text = session.respond("要去多长时间？")
    assert text is not None
    assert "100天左右" in text
    assert "📖 原文（第2段）" in text
    assert "  1. 每年选派多少干部" in text

    picked = session.respond("1")
    assert picked is not None
    assert "100名左右" in picked


def test_suggestions_are_numbered_and_zero_is_none_of_these(fruit_session: ChatSession) -> None:
    text = fruit_session.respond("多少钱一斤")
    assert text is not None
    assert "您是不是想问" in text
    assert "  0. 都不是" in text
    first = "苹果" if "1. 苹果" in text else "香蕉"

    answer = fruit_session.respond("１")  # a full-width digit works too
    assert answer is not None
    assert answer.startswith(first)

    fruit_session.respond("多少钱一斤")
    none = fruit_session.respond("0")
    assert none is not None
    assert "市委组织部" in none


def test_a_number_out_of_range_says_which_numbers_work(session: ChatSession) -> None:
    session.respond("要去多长时间？")
    assert session.respond("7") == "没有这个编号：请输入 1–3 之间的数字，或直接输入问题。"


def test_a_number_with_nothing_to_pick_is_a_question(session: ChatSession) -> None:
    text = session.respond("100")
    assert text is not None
    assert "没有这个编号" not in text


def test_faq_lists_topics_then_questions_then_the_answer(session: ChatSession) -> None:
    topics = session.respond("/faq")
    assert topics is not None
    assert "  1. 项目概况（6）" in topics
    questions = session.respond("1")
    assert questions is not None
    assert questions.startswith("项目概况：")
    answer = session.respond("1")
    assert answer is not None
    assert "📖 原文" in answer


def test_traditional_in_traditional_out(session: ChatSession) -> None:
    text = session.respond("要去多長時間？")
    assert text is not None
    assert "學習鍛鍊" in text
    assert "相關問題" in text
    assert "常見問題分類" in (session.respond("/faq") or "")


@pytest.mark.parametrize(("line", "expected"), [("", ""), ("   ", ""), ("/quit", None), ("/EXIT", None)])
def test_blank_lines_and_quitting(session: ChatSession, line: str, expected: str | None) -> None:
    assert session.respond(line) == expected


def test_help_and_unknown_commands(session: ChatSession) -> None:
    assert "/faq" in (session.respond("/help") or "")
    assert "没有这个命令" in (session.respond("/foo") or "")


def test_decline_names_the_contact(session: ChatSession) -> None:
    assert "市委组织部" in (session.respond("双百双招的干部要穿制服吗？") or "")


def run_chat(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], typed: str, *args: str
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    code = main(["chat", *args])
    return code, capsys.readouterr().out


def test_the_command_greets_answers_and_leaves_on_end_of_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_chat(monkeypatch, capsys, "要去多长时间？\n1\n")
    assert code == 0
    assert out.startswith("双百双招问答助手")
    assert "问：要去多长时间？\n每次赴沪苏浙" in out  # piped input is echoed, like a transcript
    assert "100名左右" in out
    assert out.rstrip().endswith("再见！")


def test_the_contact_comes_from_a_config_without_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("contact: 淮北市委组织部干部科\n", encoding="utf-8")
    code, out = run_chat(monkeypatch, capsys, "今天天气怎么样\n", "--config", str(config))
    assert code == 0
    assert "淮北市委组织部干部科" in out


def test_a_bad_config_is_one_line_and_exit_code_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("contakt: x\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["chat", "--config", str(config)]) == 2
    assert "unknown config key 'contakt'" in capsys.readouterr().err


def test_broken_knowledge_is_reported_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    knowledge = write_knowledge(tmp_path / "knowledge", "entries:\n  - id: x\n    answer: 1\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["chat", "--knowledge", str(knowledge)]) == 1
    assert "faq.yaml:2:" in capsys.readouterr().err


def test_faqbot_chat_runs_as_a_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="双百双招是什么？\n/faq\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "淮北市专项开展" in result.stdout
    assert "常见问题分类" in result.stdout
    assert result.stderr == ""
