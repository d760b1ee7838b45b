"""The application's wiring: features plug in, command menus, admin checks, polling or webhook."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import BotCommand, Update
from telegram.ext import Application, CallbackContext, CallbackQueryHandler, CommandHandler

from bot.config import Config, StaffConfig, WebhookConfig
from bot.tg import answering, privacy
from bot.tg import app as app_module
from bot.tg import texts as tg_texts
from bot.tg.access import admin_only
from bot.tg.app import build_application, command_menus, serve, set_commands
from bot.tg.context import BotData, Context, FaqApplication
from bot.tg.feature import CommandMenu
from tests.kit.api import ApiError, FakeBotApi, OfflineRequest
from tests.kit.constants import ADMIN_ID, JSON, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text


class SecretFeature:
    """A staff-style feature, the way issue 4 and 5 modules plug in."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def register(self, application: FaqApplication) -> None:
        application.add_handler(CommandHandler("secret", admin_only(self.secret)))
        application.add_handler(CallbackQueryHandler(admin_only(self.secret), pattern=r"^s:"))

    def commands(self) -> CommandMenu:
        return CommandMenu(staff=(BotCommand("secret", "管理员的秘密"),))

    async def secret(self, update: Update, context: Context) -> None:
        assert update.effective_user is not None
        self.seen.append(update.effective_user.id)
        if update.effective_message is not None:
            await update.effective_message.reply_text("ok")


@pytest.fixture
def secret_feature(monkeypatch: pytest.MonkeyPatch) -> SecretFeature:
    feature = SecretFeature()
    monkeypatch.setattr(app_module, "FEATURES", (answering, feature))
    return feature


async def test_bot_data_holds_the_core_objects(bot: Harness) -> None:
    data = bot.app.bot_data
    assert isinstance(data, BotData)
    assert data.config.token == bot.api.token
    assert data.responder.holder is data.holder
    assert data.journal.db is data.db
    assert data.db.version >= 1
    assert len(data.holder.snapshot.knowledge) > 0


async def test_command_menus_are_set_for_private_chats_and_groups_in_chinese(bot: Harness) -> None:
    await set_commands(bot.app)

    calls = bot.api.called("setMyCommands")
    scopes = [call.params["scope"]["type"] for call in calls]
    assert scopes == ["all_private_chats", "all_group_chats", "chat"]  # the admin's menu adds the staff commands
    private = {command["command"]: command["description"] for command in calls[0].params["commands"]}
    group = {command["command"] for command in calls[1].params["commands"]}
    staff = {command["command"] for command in calls[2].params["commands"]}
    assert set(private) == {"start", "help", "faq", "article", "subscribe", "unsubscribe", "ask_staff", "contact"}
    staff_only = {"announce", "groups", "schedule", "reload", "export", "test", "unanswered", "stats", "handoffs"}
    assert staff == set(private) | staff_only
    assert private["faq"] == tg_texts.COMMAND_FAQ
    assert group == {"ask", "help", "faq", "article"}


async def test_a_feature_plugs_in_with_its_handlers_and_staff_menu(
    tmp_path: Path, secret_feature: SecretFeature
) -> None:
    assert command_menus().staff == (BotCommand("secret", "管理员的秘密"),)
    async with running(make_config(tmp_path, admins=(ADMIN_ID, 4242))) as bot:

        def unknown_admin_chat(params: JSON) -> bool:
            if params["scope"] == {"type": "chat", "chat_id": 4242}:  # an admin who never wrote to the bot
                raise ApiError(400, "Bad Request: chat not found")
            return True

        bot.api.on("setMyCommands", unknown_admin_chat)
        await set_commands(bot.app)  # … is logged, not fatal
        scopes = [call.params["scope"] for call in bot.api.called("setMyCommands")]
        assert scopes[2:] == [{"type": "chat", "chat_id": ADMIN_ID}, {"type": "chat", "chat_id": 4242}]
        staff_menu = [command["command"] for command in bot.api.called("setMyCommands")[2].params["commands"]]
        assert staff_menu == ["faq", "help", "start", "secret"]

        calls = await bot.ask("/secret", user=bot.payloads.user(ADMIN_ID))
        assert [call.text for call in calls] == ["ok"]
        assert secret_feature.seen == [ADMIN_ID]


async def test_admin_only_refuses_others_politely_and_logs_it(
    tmp_path: Path, secret_feature: SecretFeature, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(make_config(tmp_path)) as bot:
        with caplog.at_level(logging.WARNING):
            (refusal,) = await bot.ask("/secret")
            (alert,) = await bot.send(bot.payloads.callback("s:do", None))

    assert visible_text(refusal.text) == tg_texts.ADMIN_ONLY
    assert alert.method == "answerCallbackQuery"
    assert alert.params["show_alert"] is True
    assert secret_feature.seen == []
    refusals = [r.getMessage() for r in caplog.records if r.name == "bot.tg.access"]
    assert refusals == [
        f"Refused secret to non-admin user {USER_ID} in chat {USER_ID}",
        f"Refused secret to non-admin user {USER_ID} in chat None",  # a button without a message
    ]


@pytest.fixture
def recorded_runs(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    runs: dict[str, dict[str, Any]] = {}

    def recorder(name: str) -> Any:
        def run(self: Application[Any, Any, Any, Any, Any, Any], **kwargs: Any) -> None:
            runs[name] = kwargs

        return run

    monkeypatch.setattr(Application, "run_polling", recorder("polling"))
    monkeypatch.setattr(Application, "run_webhook", recorder("webhook"))
    return runs


def offline_application(config: Config) -> FaqApplication:
    application = build_application(config, request=OfflineRequest(FakeBotApi()))
    application.bot_data.db.close()
    return application


def test_long_polling_is_the_default(tmp_path: Path, recorded_runs: dict[str, dict[str, Any]]) -> None:
    config = make_config(tmp_path)
    serve(offline_application(config), config)

    assert set(recorded_runs) == {"polling"}
    assert recorded_runs["polling"]["bootstrap_retries"] > 0
    allowed = recorded_runs["polling"]["allowed_updates"]
    assert {"message", "callback_query", "inline_query", "my_chat_member"} <= set(allowed)


def test_webhook_mode_from_the_config(tmp_path: Path, recorded_runs: dict[str, dict[str, Any]]) -> None:
    webhook = WebhookConfig(url="https://bot.example.org/hook/faq", port=8443, secret_token="s3cret")
    config = make_config(tmp_path, webhook=webhook)
    serve(offline_application(config), config)

    assert set(recorded_runs) == {"webhook"}
    run = recorded_runs["webhook"]
    assert run["webhook_url"] == "https://bot.example.org/hook/faq"
    assert run["url_path"] == "hook/faq"
    assert run["listen"] == "127.0.0.1"  # behind the reverse proxy, never open to the world by default
    assert run["port"] == 8443
    assert run["secret_token"] == "s3cret"


def test_a_webhook_without_a_configured_secret_gets_a_strong_random_one(
    tmp_path: Path, recorded_runs: dict[str, dict[str, Any]]
) -> None:
    config = make_config(tmp_path, webhook=WebhookConfig(url="https://bot.example.org/hook"))
    serve(offline_application(config), config)
    first = recorded_runs["webhook"]["secret_token"]
    serve(offline_application(config), config)

    assert isinstance(first, str)
    assert len(first) >= 32
    assert recorded_runs["webhook"]["secret_token"] != first


async def test_a_local_bot_api_server_is_used_for_every_call(tmp_path: Path) -> None:
    config = make_config(tmp_path, base_url="http://127.0.0.1:8081/bot", base_file_url="http://127.0.0.1:8081/file/bot")
    application = offline_application(config)
    assert application.bot.base_url == f"http://127.0.0.1:8081/bot{config.token}"
    assert application.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{config.token}"


async def test_old_question_texts_are_forgotten_by_a_daily_job(tmp_path: Path) -> None:
    async with running(make_config(tmp_path)) as bot:
        assert bot.app.job_queue is not None
        (job,) = bot.app.job_queue.get_jobs_by_name(privacy.JOB_NAME)
        journal = bot.app.bot_data.journal
        reply = bot.app.bot_data.responder.reply("要去多长时间？")
        journal.record_question(reply, "private", at=datetime.now(UTC) - timedelta(days=200))
        journal.record_question(reply, "private")
        await job.callback(CallbackContext.from_job(job, bot.app))
        texts = [row[0] for row in bot.app.bot_data.db.connection.execute("SELECT text FROM questions ORDER BY id")]
        assert texts == ["", "要去多长时间？"]


async def test_a_retention_of_zero_keeps_question_texts(tmp_path: Path) -> None:
    config = make_config(tmp_path, staff=StaffConfig(question_retention_days=0))
    async with running(config) as bot:
        assert bot.app.job_queue is not None
        assert bot.app.job_queue.get_jobs_by_name(privacy.JOB_NAME) == ()
