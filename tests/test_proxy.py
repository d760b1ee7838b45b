"""Reaching the Bot API through a proxy: the URL checks, the environment, and real runs through local proxies.

The end-to-end runs give the bot a Bot API address only the proxy can resolve
(``bot-api.invalid``), so an answer proves that every call — getMe, long polling,
sendMessage — went through the proxy.  The fake Bot API speaks HTTPS there, as
Telegram does, so the HTTP proxy is asked for CONNECT tunnels.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config
from bot.paths import PROJECT_ROOT
from bot.proxy import Proxy, ProxyURLError, check_proxy_url, proxy_in_effect, redacted
from tests.fake_bot_api_server import FakeBotApiServer
from tests.kit.api import FakeBotApi
from tests.kit.constants import TOKEN, USER_ID
from tests.kit.harness import Harness
from tests.kit.html import visible_text
from tests.kit.payloads import Payloads
from tests.proxies import HttpProxy, Socks5Proxy
from tests.test_cli_run import BotProcess

UNRESOLVABLE = "bot-api.invalid"  # RFC 2606: never resolves, except inside the test proxies


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3128",
        "https://proxy.example.org:443",
        "socks5://127.0.0.1:1080",
        "socks5h://user:p%40ss@10.0.0.1:1080",
        "http://user:secret@proxy.example.org:8080/",
    ],
)
def test_usable_proxy_urls_pass(url: str) -> None:
    assert check_proxy_url(url, "config key 'proxy'") == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://127.0.0.1:21", "must be an http://"),
        ("socks4://127.0.0.1:1080", "must be an http://"),
        ("127.0.0.1:1080", "must be an http://"),
        ("http://:8080", "has no host"),
        ("http://127.0.0.1:99999", "invalid port"),
        ("http://127.0.0.1:3128/path", "only scheme://"),
    ],
)
def test_unusable_proxy_urls_are_named(url: str, says: str) -> None:
    with pytest.raises(ProxyURLError, match=says) as raised:
        check_proxy_url(url, "config key 'proxy'")
    assert "config key 'proxy'" in str(raised.value)


def test_the_password_never_shows_in_a_message() -> None:
    assert redacted("socks5://me:s3cret@127.0.0.1:1080") == "socks5://me:***@127.0.0.1:1080"
    with pytest.raises(ProxyURLError) as raised:
        check_proxy_url("ftp://me:s3cret@127.0.0.1:21", "config key 'proxy'")
    assert "s3cret" not in str(raised.value)


def test_a_bad_proxy_in_the_config_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="config key 'proxy'"):
        parse_config({"token": TOKEN, "proxy": "socks4://127.0.0.1:1080"})


@pytest.mark.parametrize(
    ("configured", "base_url", "environ", "expected"),
    [
        ("", "", {}, None),
        ("", "", {"HTTPS_PROXY": "http://10.0.0.1:3128"}, Proxy("http://10.0.0.1:3128", "$HTTPS_PROXY")),
        ("", "", {"https_proxy": "http://10.0.0.1:3128"}, Proxy("http://10.0.0.1:3128", "$HTTPS_PROXY")),
        ("", "", {"ALL_PROXY": "socks5://10.0.0.1:1080"}, Proxy("socks5://10.0.0.1:1080", "$ALL_PROXY")),
        ("", "", {"HTTP_PROXY": "http://10.0.0.1:3128"}, None),  # api.telegram.org is https
        ("", "http://127.0.0.1:8081/bot", {"HTTP_PROXY": "http://h:1"}, Proxy("http://h:1", "$HTTP_PROXY")),
        ("", "", {"HTTPS_PROXY": "http://h:1", "NO_PROXY": "telegram.org"}, None),
        ("", "", {"HTTPS_PROXY": "http://h:1", "NO_PROXY": "example.org"}, Proxy("http://h:1", "$HTTPS_PROXY")),
        (
            "socks5://c:1",
            "",
            {"HTTPS_PROXY": "http://e:1", "NO_PROXY": "*"},
            Proxy("socks5://c:1", "config key 'proxy'"),
        ),
    ],
)
def test_the_config_wins_over_the_environment(
    configured: str, base_url: str, environ: dict[str, str], expected: Proxy | None
) -> None:
    assert proxy_in_effect(configured, base_url, environ) == expected


def test_a_bad_proxy_variable_is_named() -> None:
    with pytest.raises(ProxyURLError, match=r"\$ALL_PROXY"):
        proxy_in_effect("", "", {"ALL_PROXY": "socks4://127.0.0.1:1080"})


# -- real runs through local proxies ---------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for the unresolvable name (the bot is told to trust it by SSL_CERT_FILE)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed here")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"), "-days", "2",
         "-subj", f"/CN={UNRESOLVABLE}", "-addext", f"subjectAltName=DNS:{UNRESOLVABLE}"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return folder


def _tls(certificate: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    return context


def _write_config(tmp_path: Path, server: FakeBotApiServer, proxy: str | None) -> Path:
    port = server.server.server_address[1]
    config = tmp_path / "config.yaml"
    config.write_text(
        f"token: '{TOKEN}'\n"
        f"base_url: {server.scheme}://{UNRESOLVABLE}:{port}/bot\n"
        f"knowledge: {PROJECT_ROOT / 'knowledge'}\n"
        "database: data/bot.sqlite3\n" + (f"proxy: '{proxy}'\n" if proxy else ""),
        encoding="utf-8",
    )
    return config


def _ask_once(tmp_path: Path, api: FakeBotApi, config: Path, env: dict[str, str] | None = None) -> tuple[str, str]:
    """Ask one question of a real run; return the reply's text and the log."""
    tg = Payloads(api.bot_user)
    bot = BotProcess(config, tmp_path / "bot.log", extra_env=env)
    try:
        api.push_update(tg.text("双百双招是什么？"))
        reply = bot.wait_for(api, lambda call: call.method == "sendMessage" and call.chat_id == USER_ID)
    finally:
        code = bot.stop()
    assert code == 0, bot.output()
    assert "password" not in bot.output()
    return visible_text(reply.text), bot.output()


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGTERM")
@pytest.mark.parametrize(("proxy_class", "scheme"), [(HttpProxy, "http"), (Socks5Proxy, "socks5")])
def test_every_call_goes_through_the_configured_proxy(
    tmp_path: Path, certificate: Path, proxy_class: type[HttpProxy | Socks5Proxy], scheme: str
) -> None:
    api = FakeBotApi()
    with (
        FakeBotApiServer(api, tls=_tls(certificate)) as server,  # https, as Telegram's own
        proxy_class("faqbot", "password", hosts={UNRESOLVABLE: "127.0.0.1"}) as proxy,
    ):
        config = _write_config(tmp_path, server, proxy.url(scheme))
        text, log = _ask_once(tmp_path, api, config, {"SSL_CERT_FILE": str(certificate / "cert.pem")})
    assert "淮北市专项开展" in text
    assert f"Bot API calls go through the proxy {scheme}://faqbot:***@127.0.0.1:{proxy.port}" in log
    assert proxy.connections >= 2  # polling and sending: a pool of connections, all through the proxy
    assert set(proxy.tunnels) == {(UNRESOLVABLE, server.server.server_address[1])}
    assert proxy.refused == 0
    if isinstance(proxy, HttpProxy):
        assert set(proxy.methods) == {"CONNECT"}  # a tunnel: the proxy never saw the token or the messages


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGTERM")
def test_the_environment_proxy_is_used_and_the_config_wins_over_it(tmp_path: Path) -> None:
    hosts = {UNRESOLVABLE: "127.0.0.1"}
    with Socks5Proxy(hosts=hosts) as from_env, HttpProxy(hosts=hosts) as from_config:
        env = {"ALL_PROXY": from_env.url("socks5")}
        for name, proxy in (("env", None), ("config", from_config.url("http"))):
            api, folder = FakeBotApi(), tmp_path / name
            folder.mkdir()
            with FakeBotApiServer(api) as server:
                assert "淮北市专项开展" in _ask_once(folder, api, _write_config(folder, server, proxy), env)[0]
            if name == "env":
                used_by_env = from_env.connections
    assert used_by_env > 0
    assert from_env.connections == used_by_env  # the second run did not touch the environment's proxy
    assert from_config.connections > 0


def _start_and_fail(tmp_path: Path, config: Path) -> tuple[int, str]:
    bot = BotProcess(config, tmp_path / "bot.log")
    try:
        bot.process.wait(timeout=90)
    finally:
        code = bot.stop()
    return code, bot.output()


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGTERM")
def test_a_proxy_that_refuses_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    api = FakeBotApi()
    with (
        FakeBotApiServer(api) as server,
        Socks5Proxy("faqbot", "right", hosts={UNRESOLVABLE: "127.0.0.1"}) as proxy,
    ):
        wrong = proxy.url("socks5").replace(":right@", ":wrong@")
        code, output = _start_and_fail(tmp_path, _write_config(tmp_path, server, wrong))
    assert code == 2, output
    assert proxy.refused >= 1
    assert not api.calls
    problem = [line for line in output.splitlines() if line.startswith("faqbot:")]
    assert len(problem) == 1, output
    assert "through the proxy socks5://faqbot:***@127.0.0.1" in problem[0]
    assert "config key 'proxy'" in problem[0]
    assert "Traceback" not in output
    assert "wrong" not in output


@pytest.mark.skipif(sys.platform == "win32", reason="stops the bot with SIGTERM")
def test_a_wrong_proxy_scheme_stops_start_up_at_once(tmp_path: Path) -> None:
    api = FakeBotApi()
    with FakeBotApiServer(api) as server:
        code, output = _start_and_fail(tmp_path, _write_config(tmp_path, server, "socks4://127.0.0.1:1080"))
    assert code == 2
    assert output.strip().splitlines() == [
        "faqbot: config key 'proxy' must be an http://, https://, socks5:// or socks5h:// URL with a host and port,"
        " not 'socks4://127.0.0.1:1080'"
    ]


async def test_failed_update_fetches_end_in_one_warning_that_names_the_proxy_setting(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    from telegram.error import NetworkError

    bot.expect_errors = True
    for _ in range(5):
        await bot.app.process_error(
            None, NetworkError("aiohttp.ClientConnectorError: [Errno 101] Network is unreachable")
        )
    warnings = [record.getMessage() for record in caplog.records if "unreachable" in record.getMessage().lower()]
    unreachable = [message for message in warnings if message.startswith("Telegram is unreachable")]
    assert len(unreachable) == 1  # once, not for every retry
    assert "failed 3 times" in unreachable[0]
    assert "set config key 'proxy' (or $HTTPS_PROXY)" in unreachable[0]


async def test_an_update_arriving_resets_the_count(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    from telegram.error import NetworkError

    bot.expect_errors = True
    for _ in range(2):
        await bot.app.process_error(None, NetworkError("aiohttp.ClientConnectorError"))
    await bot.ask("要去多长时间？")
    for _ in range(2):
        await bot.app.process_error(None, NetworkError("aiohttp.ClientConnectorError"))
    assert not [record for record in caplog.records if record.getMessage().startswith("Telegram is unreachable")]
