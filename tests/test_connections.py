"""The bot's Bot API requests through aiohttp (bot/tg/connections.py), over the wire to local servers."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.tg.app import SENDING_CONNECTIONS, build_application
from bot.tg.connections import AiohttpRequest, never_sent
from bot.tg.ratelimit import IN_FLIGHT_ANSWERS, IN_FLIGHT_MESSAGES
from tests.fake_bot_api_server import FakeBotApiServer
from tests.kit.api import UPDATES_LIMIT, FakeBotApi
from tests.kit.constants import JSON, TOKEN, USER_ID
from tests.kit.harness import make_config
from tests.kit.payloads import Payloads

AT_ONCE = 12


def test_there_is_a_connection_for_every_request_the_rate_limiter_lets_out_at_once() -> None:
    assert SENDING_CONNECTIONS > IN_FLIGHT_MESSAGES + IN_FLIGHT_ANSWERS


@pytest.mark.parametrize("proxy", ["", "http://127.0.0.1:3128", "socks5h://u:p@127.0.0.1:1080"])
def test_the_application_sends_and_polls_through_aiohttp(
    tmp_path: Path, proxy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    application = build_application(make_config(tmp_path, proxy=proxy))
    try:
        sending, polling = application.bot.request, application.bot._request[0]
        assert isinstance(sending, AiohttpRequest)
        assert isinstance(polling, AiohttpRequest)
        assert (sending.connections, polling.connections) == (SENDING_CONNECTIONS, 1)
    finally:
        application.bot_data.db.close()


async def test_requests_beyond_the_connections_wait_for_one() -> None:
    api = FakeBotApi()
    lock = threading.Lock()
    under_way, most = [0], [0]

    def answer(params: JSON) -> bool:
        with lock:
            under_way[0] += 1
            most[0] = max(most[0], under_way[0])
        time.sleep(0.05)
        with lock:
            under_way[0] -= 1
        return True

    api.on("answerCallbackQuery", answer)
    with FakeBotApiServer(api) as server:
        server.server.RequestHandlerClass.protocol_version = "HTTP/1.1"  # type: ignore[attr-defined] # keep-alive
        async with Bot(TOKEN, base_url=server.base_url, request=AiohttpRequest(connections=4)) as bot:
            results = await asyncio.gather(*(bot.answer_callback_query(str(n)) for n in range(AT_ONCE)))
    assert results == [True] * AT_ONCE
    assert most[0] == 4


async def test_telegrams_refusal_reaches_the_caller_as_ptbs_error() -> None:
    api = FakeBotApi()
    api.fail("answerCallbackQuery", 400, "Bad Request: query is too old")
    with FakeBotApiServer(api) as server:
        async with Bot(TOKEN, base_url=server.base_url, request=AiohttpRequest()) as bot:
            for n in range(3):
                with pytest.raises(BadRequest, match="too old"):
                    await bot.answer_callback_query(str(n))


async def test_a_file_goes_up_with_its_parameters_and_comes_down_whole() -> None:
    api = FakeBotApi()
    content = "entries:\n  - id: 时长\n".encode() * 100
    api.files["documents/faq.yaml"] = content
    with FakeBotApiServer(api) as server:
        async with Bot(
            TOKEN, base_url=server.base_url, base_file_url=server.base_file_url, request=AiohttpRequest()
        ) as bot:
            await bot.send_document(USER_ID, document=content, filename="faq.yaml", caption="现在的 FAQ")
            downloaded = await (await bot.get_file("documents/faq.yaml")).download_as_bytearray()
    (upload,) = api.called("sendDocument")
    assert upload.params["chat_id"] == USER_ID
    assert upload.params["caption"] == "现在的 FAQ"
    assert upload.files["document"][:2] == ("faq.yaml", content)
    assert bytes(downloaded) == content


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _Silent:
    """A server that accepts connections and reads requests; it hangs up at once (``drop``) or never answers."""

    def __init__(self, drop: bool) -> None:
        self.drop = drop
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> _Silent:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            connection.recv(65536)
            if self.drop:
                connection.close()
            else:
                self.held.append(connection)


@pytest.fixture(params=[True, False], ids=["drops", "never answers"])
def silent(request: pytest.FixtureRequest) -> Iterator[_Silent]:
    with _Silent(drop=request.param) as server:
        yield server


async def test_a_refused_connection_was_never_sent_and_its_error_hides_the_token(closed_port: int) -> None:
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{closed_port}/bot{TOKEN}/sendMessage", None)
    assert never_sent(raised.value)
    assert "ClientConnectorError" in raised.value.message
    assert TOKEN not in raised.value.message


async def test_a_request_that_reached_the_server_may_have_been_sent(silent: _Silent) -> None:
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{silent.port}/bot{TOKEN}/sendMessage", None, read_timeout=0.3)
    assert not never_sent(raised.value)
    assert isinstance(raised.value, TimedOut) != silent.drop  # hung up: a network error; no answer: a timeout
    assert TOKEN not in raised.value.message


async def test_no_free_connection_in_time_was_never_sent() -> None:
    with _Silent(drop=False) as server:
        async with AiohttpRequest(connections=1) as request:
            url = f"http://127.0.0.1:{server.port}/bot{TOKEN}/sendMessage"
            holding = asyncio.ensure_future(request.post(url, None, read_timeout=5))
            await asyncio.sleep(0.2)
            with pytest.raises(TimedOut) as raised:
                await request.post(url, None, pool_timeout=0.1, connect_timeout=0.1)
            holding.cancel()
    assert never_sent(raised.value)


async def test_a_request_before_initialize_is_refused() -> None:
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps what its transport raises
        await AiohttpRequest().post("http://127.0.0.1:1/bot/getMe", None)


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
