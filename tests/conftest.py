"""Fixtures shared by the test suite; the Telegram test kit itself is in :mod:`tests.kit`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.tg import ratelimit
from tests.kit.harness import Harness, make_config, running
from tests.kit.payloads import Payloads
from tests.kit.staff import staff_harness


@pytest.fixture(autouse=True)
def _no_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real ``FAQBOT_TOKEN`` must never reach a test."""
    monkeypatch.delenv("FAQBOT_TOKEN", raising=False)


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in ``faqbot run``: opt in to PTB's timedelta durations (else RetryAfter warns)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture(autouse=True)
def _no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests that failed in transit are retried at once in tests (the bot pauses 1, 2, 4 s)."""
    monkeypatch.setattr(ratelimit, "TRANSIT_RETRY_DELAY_SECONDS", 0.0)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """A test config: fake token, the shipped knowledge, a fresh database in tmp_path."""
    return make_config(tmp_path)


@pytest.fixture
async def bot(config: Config) -> AsyncIterator[Harness]:
    """The real application from ``build_application(config)``, initialised against a fake Bot API.

    ``await bot.ask("问题")`` / ``await bot.send(payload)`` return the Bot API calls an update caused.
    A test fails if a handler raised (set ``bot.expect_errors = True`` to allow it).
    """
    async with running(config) as harness:
        yield harness


@pytest.fixture
def tg(bot: Harness) -> Payloads:
    """Builders for update payloads (messages with entities, button presses, inline queries, …)."""
    return bot.payloads


@pytest.fixture
async def staff_bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot with its own knowledge folder (uploads write there) and two admins (:mod:`tests.kit.staff`)."""
    async with staff_harness(tmp_path) as harness:
        yield harness
