"""End-to-end: odd updates, failures and flood control never stop the bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core import texts as conversation_texts
from bot.core.conversation import Reply
from bot.tg import ratelimit
from bot.tg.context import Context
from tests.kit.api import ApiCall, ApiError, DroppedError, FakeBotApi, UnreachableError
from tests.kit.constants import ADMIN_ID, GROUP_ID, JSON, TOKEN, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text


@pytest.fixture
async def watched_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """A bot whose errors are expected, with an admin chat for reports."""
    async with running(make_config(tmp_path, admin_chat_id=ADMIN_ID)) as harness:
        harness.expect_errors = True
        yield harness


def texts_to(calls: list[Any], chat_id: int) -> list[str]:
    return [visible_text(call.text) for call in calls if call.method == "sendMessage" and call.chat_id == chat_id]


async def test_stickers_and_photos_in_private_get_a_hint(bot: Harness) -> None:
    for payload in (bot.payloads.sticker(), bot.payloads.photo(caption="要去多长时间？")):
        (reply,) = texts_to(await bot.send(payload), USER_ID)
        assert "只能回答文字问题" in reply


async def test_stickers_in_groups_are_ignored(bot: Harness) -> None:
    assert await bot.send(bot.payloads.sticker(chat=bot.payloads.group_chat())) == []


@pytest.mark.parametrize("text", ["   ", "\u200b", "？？？"])
async def test_a_question_with_nothing_in_it_gets_a_friendly_hint(bot: Harness, text: str) -> None:
    (reply,) = texts_to(await bot.ask(text), USER_ID)
    assert "请直接输入您的问题" in reply
    assert bot.app.bot_data.journal.question(1) is None  # nothing asked, nothing recorded


@pytest.mark.parametrize("text", ["🙂", "👍👍"])
async def test_an_emoji_alone_is_a_reaction(bot: Harness, text: str) -> None:
    (reply,) = texts_to(await bot.ask(text), USER_ID)
    assert reply == conversation_texts.SMALL_TALK
    assert bot.app.bot_data.journal.question(1) is None


@pytest.mark.parametrize("text", ["问" * 4096, "双百双招是什么？" * 512, "<b>&" * 1024])
async def test_a_4096_character_message_is_answered(bot: Harness, text: str) -> None:
    calls = await bot.ask(text[:4096])
    assert len(texts_to(calls, USER_ID)) == 1


async def test_unknown_commands_in_private_point_to_help(bot: Harness) -> None:
    (reply,) = texts_to(await bot.ask("/unknown"), USER_ID)
    assert "/help" in reply


def unhandled_updates(bot: Harness) -> list[JSON]:
    payloads = bot.payloads
    return [
        payloads.text(f"@{bot.app.bot.username} 要去多长时间？", edited=True, chat=payloads.group_chat()),
        payloads.update(
            channel_post={"message_id": 1, "date": 1, "chat": {"id": -100777, "type": "channel"}, "text": "hi"}
        ),
        payloads.update(chosen_inline_result={"result_id": "duration", "from": payloads.user(), "query": "要去多久"}),
        payloads.update(message=payloads.message_dict(write_access_allowed={})),
        payloads.update(message=payloads.message_dict(new_chat_title="新名字", chat=payloads.group_chat())),
    ]


async def test_updates_the_bot_does_not_handle_are_ignored(bot: Harness) -> None:
    for payload in unhandled_updates(bot):
        assert await bot.send(payload) == [], payload


async def test_an_error_is_logged_with_context_reported_and_the_bot_keeps_serving(
    watched_bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    responder = watched_bot.app.bot_data.responder

    def broken(question: str, script: object = None, previous: object = None) -> Reply:
        raise RuntimeError(f"matcher exploded near {TOKEN}")

    monkeypatch.setattr(responder, "reply", broken)
    with caplog.at_level(logging.INFO):
        calls = await watched_bot.ask("一个秘密问题")

    (record,) = [r for r in caplog.records if r.name == "bot.tg.errors" and r.levelno == logging.ERROR]
    assert record.exc_info is not None
    assert "chat 2002 (private)" in record.getMessage()
    assert "text of 6 characters" in record.getMessage()
    assert "秘密" not in caplog.text  # no user text in the logs
    assert "出了点问题" in texts_to(calls, USER_ID)[0]  # the user is told
    (report,) = texts_to(calls, ADMIN_ID)
    assert "RuntimeError" in report
    assert TOKEN not in report
    assert "<token>" in report

    # A second failure soon after is logged but not reported again; then the bot serves normally.
    assert texts_to(await watched_bot.ask("再来一次"), ADMIN_ID) == []
    monkeypatch.undo()
    assert "100天左右" in texts_to(await watched_bot.ask("要去多长时间？"), USER_ID)[0]


async def test_a_user_who_blocked_the_bot_is_not_an_error_to_report(
    watched_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    watched_bot.api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.INFO):
        await watched_bot.ask("要去多长时间？")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(watched_bot.api.called("sendMessage")) == 1  # no report to the admins either


async def test_network_errors_are_warnings(watched_bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    watched_bot.api.fail("sendMessage", 502, "Bad Gateway")
    with caplog.at_level(logging.INFO):
        await watched_bot.ask("要去多长时间？")
    assert [r.levelname for r in caplog.records if r.name == "bot.tg.errors"] == ["WARNING"]


async def test_flood_control_is_waited_out_and_the_message_delivered(bot: Harness) -> None:
    attempts: list[JSON] = []

    def flood_once(params: JSON) -> JSON:
        attempts.append(params)
        if len(attempts) == 1:
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        return bot.api.new_message(params, bot.api.calls[-1])

    bot.api.on("sendMessage", flood_once)
    calls = await bot.send(bot.payloads.text("/ask 要去多长时间？", chat=bot.payloads.group_chat()))
    assert len(attempts) == 2
    assert [call.chat_id for call in calls] == [GROUP_ID, GROUP_ID]
    assert bot.errors == []


async def test_a_failed_connection_is_retried_because_nothing_was_sent(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "CONNECT_RETRY_DELAY_SECONDS", 0.0)
    attempts: list[JSON] = []

    def unreachable_twice(params: JSON) -> JSON:
        attempts.append(params)
        if len(attempts) <= 2:
            raise UnreachableError("connection refused")
        return bot.api.new_message(params, bot.api.calls[-1])

    bot.api.on("sendMessage", unreachable_twice)
    calls = await bot.ask("要去多长时间？")
    assert len(attempts) == 3
    assert len(texts_to(calls, USER_ID)) == 1
    assert bot.errors == []


def failing_first(api: FakeBotApi, method: str, failures: list[Exception]) -> list[JSON]:
    """``method`` raises the ``failures`` in turn, then answers as usual; returns every attempt's params."""
    attempts: list[JSON] = []

    def answer(params: JSON) -> Any:
        attempts.append(params)
        if len(attempts) <= len(failures):
            raise failures[len(attempts) - 1]
        return api.default(method, params, ApiCall(method, params))

    api.on(method, answer)
    return attempts


@pytest.mark.parametrize(
    "failures",
    [
        [ApiError(500, "Internal Server Error"), ApiError(502, "Bad Gateway")],
        [DroppedError("server disconnected without sending a response")],
        [ApiError(504, "Gateway Timeout"), DroppedError("connection reset"), ApiError(503, "Service Unavailable")],
    ],
    ids=["two 5xx", "dropped connection", "three failures"],
)
async def test_a_reply_lost_in_transit_is_retried(bot: Harness, failures: list[Exception]) -> None:
    attempts = failing_first(bot.api, "sendMessage", failures)
    calls = await bot.ask("要去多长时间？")
    assert len(attempts) == len(failures) + 1
    assert "100天左右" in texts_to(calls, USER_ID)[0]
    assert bot.errors == []


async def test_a_menu_edit_lost_in_transit_is_retried(bot: Harness) -> None:
    (menu,) = [call for call in await bot.ask("/faq") if call.method == "sendMessage"]
    attempts = failing_first(bot.api, "editMessageText", [ApiError(502, "Bad Gateway")])
    calls = await bot.press(menu, "项目概况")
    assert len(attempts) == 2
    assert [call.method for call in calls] == ["answerCallbackQuery", "editMessageText", "editMessageText"]
    assert bot.errors == []


async def test_a_reply_still_failing_after_the_retries_is_logged(
    watched_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    attempts = failing_first(watched_bot.api, "sendMessage", [ApiError(502, "Bad Gateway")] * 10)
    with caplog.at_level(logging.WARNING):
        await watched_bot.ask("要去多长时间？")
    assert len(attempts) == 1 + ratelimit.TRANSIT_RETRIES
    assert [type(error).__name__ for error in watched_bot.errors] == ["NetworkError"]
    assert [r.levelname for r in caplog.records if r.name == "bot.tg.errors"] == ["WARNING"]


async def test_a_bad_request_is_a_bug_to_report_not_a_network_hiccup(
    watched_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def unparsable_for_users(params: JSON) -> JSON:
        if params["chat_id"] == USER_ID:
            raise ApiError(400, "Bad Request: can't parse entities")
        return watched_bot.api.new_message(params, watched_bot.api.calls[-1])

    watched_bot.api.on("sendMessage", unparsable_for_users)
    with caplog.at_level(logging.INFO):
        calls = await watched_bot.ask("要去多长时间？")
    assert [r.levelname for r in caplog.records if r.name == "bot.tg.errors"] == ["ERROR", "WARNING"]
    (report,) = texts_to(calls, ADMIN_ID)
    assert "BadRequest" in report


async def test_an_error_in_a_job_is_logged_with_the_job_name(
    watched_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    async def failing_job(context: Context) -> None:
        raise RuntimeError("job failed")

    handled = asyncio.Event()

    async def after_the_error_handlers(update: object, context: Context) -> None:
        handled.set()

    watched_bot.app.add_error_handler(after_the_error_handlers)  # error handlers run in order
    job_queue = watched_bot.app.job_queue
    assert job_queue is not None
    await job_queue.start()
    try:
        with caplog.at_level(logging.ERROR):
            job_queue.run_once(failing_job, 0, name="reload-knowledge")
            await asyncio.wait_for(handled.wait(), timeout=30)
    finally:
        await job_queue.stop()
    (record,) = [r for r in caplog.records if r.name == "bot.tg.errors"]
    assert "no update, job 'reload-knowledge'" in record.getMessage()
