"""Bot API requests spread over small connection pools (bot/tg/connections.py), against the fake Bot API."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.tg.app import build_application
from bot.tg.connections import POOL_SIZE, POOLS, PooledRequest
from bot.tg.ratelimit import IN_FLIGHT_ANSWERS, IN_FLIGHT_MESSAGES
from tests.fake_bot_api_server import FakeBotApiServer
from tests.kit.api import UPDATES_LIMIT, FakeBotApi
from tests.kit.constants import JSON, TOKEN
from tests.kit.harness import make_config
from tests.kit.payloads import Payloads

AT_ONCE = 12


def test_the_pools_hold_every_request_the_rate_limiter_lets_out_at_once() -> None:
    assert POOLS * POOL_SIZE >= IN_FLIGHT_MESSAGES + IN_FLIGHT_ANSWERS


async def test_requests_under_way_are_spread_over_the_pools() -> None:
    api = FakeBotApi()
    arrived = threading.Barrier(AT_ONCE, timeout=10)
    seen: list[tuple[int, ...]] = []
    request = PooledRequest(pools=4, pool_size=3)

    def answer(params: JSON) -> bool:
        arrived.wait()  # answer none until all are under way
        seen.append(request.under_way)
        return True

    api.on("answerCallbackQuery", answer)
    with FakeBotApiServer(api) as server:
        server.server.RequestHandlerClass.protocol_version = "HTTP/1.1"  # type: ignore[attr-defined] # keep-alive
        async with Bot(TOKEN, base_url=server.base_url, request=request) as bot:
            results = await asyncio.gather(
                *(bot.answer_callback_query(str(n)) for n in range(AT_ONCE)), return_exceptions=True
            )
    assert results == [True] * AT_ONCE
    assert seen[0] == (3, 3, 3, 3)  # 12 at once in pools of 3: each pool full, none over
    assert request.under_way == (0, 0, 0, 0)


async def test_a_failed_request_gives_its_place_back() -> None:
    api = FakeBotApi()
    api.fail("answerCallbackQuery", 400, "Bad Request: query is too old")
    request = PooledRequest(pools=2, pool_size=1)
    with FakeBotApiServer(api) as server:
        async with Bot(TOKEN, base_url=server.base_url, request=request) as bot:
            for n in range(3):
                with pytest.raises(BadRequest, match="too old"):
                    await bot.answer_callback_query(str(n))
    assert request.under_way == (0, 0)


@pytest.mark.parametrize("proxy", ["", "http://127.0.0.1:3128"])
def test_the_application_sends_through_pooled_requests(
    tmp_path: Path, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    config = make_config(tmp_path, proxy=proxy)
    application = build_application(config)
    try:
        assert isinstance(application.bot.request, PooledRequest)
    finally:
        application.bot_data.db.close()


async def test_the_fake_hands_out_updates_a_hundred_at_a_time_like_telegram() -> None:
    api = FakeBotApi()
    tg = Payloads(api.bot_user)
    for _ in range(UPDATES_LIMIT + 50):
        api.push_update(tg.text("你好"))
    with FakeBotApiServer(api) as server:
        async with Bot(TOKEN, base_url=server.base_url) as bot:
            first = await bot.get_updates(timeout=0)
            second = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
            few = await bot.get_updates(offset=second[0].update_id, limit=3, timeout=0)
    assert (len(first), len(second), len(few)) == (UPDATES_LIMIT, 50, 3)
