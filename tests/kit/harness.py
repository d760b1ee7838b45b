"""The real application from ``build_application`` around the fake Bot API: send payloads, collect the calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from telegram import Update

from bot.config import Config
from bot.tg.app import build_application
from bot.tg.context import Context, FaqApplication
from tests.kit.api import ApiCall, FakeBotApi, OfflineRequest
from tests.kit.constants import ADMIN_ID, CONTACT, JSON, SHIPPED_KNOWLEDGE, TOKEN
from tests.kit.payloads import Payloads


def make_config(tmp_path: Path, **overrides: Any) -> Config:
    """A config for tests: fake token, shipped knowledge, a database in ``tmp_path``, one admin."""
    config = Config(
        token=TOKEN,
        admins=(ADMIN_ID,),
        contact=CONTACT,
        knowledge=SHIPPED_KNOWLEDGE,
        database=tmp_path / "faqbot.sqlite3",
    )
    return replace(config, **overrides)


@dataclass
class Harness:
    """The real application with a fake Bot API, and a way to feed it updates."""

    app: FaqApplication
    api: FakeBotApi
    payloads: Payloads
    errors: list[BaseException] = field(default_factory=list)
    expect_errors: bool = False

    @property
    def config(self) -> Config:
        return self.app.bot_data.config

    async def send(self, payload: JSON | Update) -> list[ApiCall]:
        """Process one update; return the Bot API calls it caused."""
        update = payload if isinstance(payload, Update) else Update.de_json(payload, self.app.bot)
        before = len(self.api.calls)
        await self.app.process_update(update)
        return self.api.calls[before:]

    async def ask(self, text: str, **kwargs: Any) -> list[ApiCall]:
        """Send a text message (private chat by default); return the resulting calls."""
        return await self.send(self.payloads.text(text, **kwargs))

    async def press(self, call: ApiCall, label_part: str, *, user: JSON | None = None) -> list[ApiCall]:
        """Press the button labelled ``label_part`` under the message ``call`` sent."""
        return await self.send(self.payloads.callback(call.button_data(label_part), call.result, user=user))


@asynccontextmanager
async def running(config: Config) -> AsyncIterator[Harness]:
    """The application built from ``config``, initialised, with errors in handlers collected."""
    api = FakeBotApi(config.token)
    app = build_application(config, request=OfflineRequest(api))
    harness = Harness(app, api, Payloads(api.bot_user))

    async def collect(update: object, context: Context) -> None:
        if context.error is not None:
            harness.errors.append(context.error)

    app.add_error_handler(collect)
    try:
        async with app:
            yield harness
    finally:
        app.bot_data.db.close()
    if harness.errors and not harness.expect_errors:
        raise harness.errors[0]


def write_knowledge(folder: Path, faq: str, article: str | None = None) -> Path:
    """A knowledge folder with ``faq.yaml`` (and ``article.md``) for tests that need their own FAQ."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "faq.yaml").write_text(faq, encoding="utf-8")
    if article is not None:
        (folder / "article.md").write_text(article, encoding="utf-8")
    return folder


# -- checking HTML --------------------------------------------------------------------------------
