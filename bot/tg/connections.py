"""The bot's Bot API requests, sent through aiohttp.

PTB sends its requests through ``httpx`` unless given another
:class:`~telegram.request.BaseRequest`, the interface PTB provides for plugging in an
HTTP library.  Under a crowd the CPU each request costs is what delays the answers to
button presses: among a thousand users asking at once (``python -m benchmarks.load``)
the bot spent 13.5–14.8 s of CPU through ``httpx`` (split over small pools, as its pool's
bookkeeping grows with the square of the connections it holds) and 9.1–10.7 s through
aiohttp; the callback answers' p99 fell from 1.86–2.04 s to 0.90–1.28 s.

:class:`AiohttpRequest` keeps one ``aiohttp.ClientSession``, created when PTB initializes
the bot (a session belongs to the running event loop).  Proxies: ``http://`` and
``https://`` through aiohttp's own support (a CONNECT tunnel to an HTTPS Bot API),
``socks5://`` and ``socks5h://`` through ``aiohttp-socks``; the proxy resolves the Bot
API's host name in both SOCKS forms, as Telegram is blocked by DNS on some networks.
The Bot API sets no cookies, so none are kept.

Errors reach PTB as its own: :class:`~telegram.error.TimedOut` for a timeout,
:class:`~telegram.error.NetworkError` for the rest, with aiohttp's error as the cause,
which :func:`never_sent` reads.  aiohttp has no timeout for writing a request; the
whole request is bounded by the sum of the connect, write and read timeouts instead.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import aiohttp
import aiohttp_socks
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's own defaults (HTTPXRequest's), in seconds
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
MEDIA_WRITE_TIMEOUT = 20.0  # a request that uploads a file
POOL_TIMEOUT = 1.0  # waiting for a free connection

_SOCKS_ERRORS = (aiohttp_socks.ProxyConnectionError, aiohttp_socks.ProxyTimeoutError, aiohttp_socks.ProxyError)
# Raised before a byte of the request left: no connection, or none in time, or the proxy refused.
NOT_SENT_ERRORS: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,  # also a refused HTTP proxy, a bad certificate
    aiohttp.ConnectionTimeoutError,  # also no free connection within the pool timeout
    aiohttp.ClientHttpProxyError,  # the HTTP proxy refused the tunnel (e.g. 407)
    *_SOCKS_ERRORS,  # the SOCKS proxy unreachable, too slow, or refusing (credentials, target)
)


def never_sent(error: NetworkError) -> bool:
    """The request failed before reaching Telegram (no connection could be made)."""
    return isinstance(error.__cause__, NOT_SENT_ERRORS)


def _given(value: ODVInput[float], default: float) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _total(*timeouts: float | None) -> float | None:
    return None if None in timeouts else sum(timeout for timeout in timeouts if timeout is not None)


class AiohttpRequest(BaseRequest):
    """Bot API requests over one aiohttp session, through ``proxy`` if given."""

    def __init__(self, proxy: str | None = None, connections: int = 1) -> None:
        """
        Args:
            proxy: the proxy every request goes through (``http://``, ``https://``, ``socks5://``,
                ``socks5h://``), if any.
            connections: how many requests may be under way at once; more wait for a free connection.
        """
        self._proxy = proxy
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return READ_TIMEOUT

    @property
    def connections(self) -> int:
        """How many requests may be under way at once."""
        return self._connections

    async def initialize(self) -> None:
        if self._session is not None and not self._session.closed:
            return  # PTB initializes a request shared by polling and sending twice
        proxy = urlsplit(self._proxy) if self._proxy else None
        connector: aiohttp.TCPConnector
        if proxy is not None and proxy.scheme.lower().startswith("socks"):
            connector = aiohttp_socks.ProxyConnector(
                proxy_type=aiohttp_socks.ProxyType.SOCKS5,
                host=proxy.hostname or "",
                port=proxy.port or 1080,
                username=unquote(proxy.username) if proxy.username else None,
                password=unquote(proxy.password) if proxy.password else None,
                rdns=True,
                limit=self._connections,
            )
            http_proxy = None
        else:
            connector = aiohttp.TCPConnector(limit=self._connections)
            http_proxy = self._proxy
        self._session = aiohttp.ClientSession(
            connector=connector, proxy=http_proxy, cookie_jar=aiohttp.DummyCookieJar()
        )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def do_request(  # noqa: PLR0917 - the signature of BaseRequest.do_request
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        connect = _given(connect_timeout, CONNECT_TIMEOUT)
        pool = _given(pool_timeout, POOL_TIMEOUT)
        read = _given(read_timeout, READ_TIMEOUT)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if uploads else WRITE_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=_total(pool, connect, write, read),
            connect=_total(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut(_describe(error, url)) from error
        except (aiohttp.ClientError, *_SOCKS_ERRORS) as error:
            raise NetworkError(_describe(error, url)) from error


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters as a form, multipart when a file goes with them (as PTB's ``HTTPXRequest`` sends them)."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def _describe(error: BaseException, url: str) -> str:
    """``aiohttp.ServerDisconnectedError: …``, without the URL's path (it holds the bot's token)."""
    parts = urlsplit(url)
    text = str(error).replace(url, f"{parts.scheme}://{parts.netloc}")
    name = f"{type(error).__module__.split('.')[0]}.{type(error).__name__}"
    return f"{name}: {text}" if text else name
