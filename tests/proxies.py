"""Small HTTP and SOCKS5 proxies on 127.0.0.1 for the proxy tests, counting what went through them.

Each runs an asyncio server in its own thread.  :class:`HttpProxy` tunnels ``CONNECT``
and forwards absolute-form requests (``GET http://host/…``, what clients send a
proxy for a plain-http target); :class:`Socks5Proxy` speaks RFC 1928 with no
authentication or username/password (RFC 1929).  Both refuse wrong credentials
the way real proxies do (407, SOCKS status 1) and record every tunnel they opened.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import struct
import threading
from types import TracebackType


class _Proxy:
    """The shared part: a thread with an event loop, a listening socket, the counters."""

    name = "proxy"

    def __init__(self, username: str = "", password: str = "", hosts: dict[str, str] | None = None) -> None:
        self.username, self.password = username, password
        self.hosts = hosts or {}  # names only this proxy can resolve: proof that a client did not go around it
        self.connections = 0  # client connections accepted
        self.tunnels: list[tuple[str, int]] = []  # targets actually reached
        self.methods: list[str] = []  # HTTP: the request methods clients sent (CONNECT for https targets)
        self.refused = 0  # clients turned away (bad credentials)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    def url(self, scheme: str) -> str:
        credentials = f"{self.username}:{self.password}@" if self.username else ""
        return f"{scheme}://{credentials}127.0.0.1:{self.port}"

    def __enter__(self) -> _Proxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _pipe(
        self,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        host: str,
        port: int,
        first: bytes = b"",
    ) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(self.hosts.get(host, host), port)
        self.tunnels.append((host, port))
        if first:
            upstream_writer.write(first)

        async def copy(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    target.write(data)
                    await target.drain()
            with contextlib.suppress(OSError):
                target.close()

        await asyncio.gather(copy(client[0], upstream_writer), copy(upstream_reader, client[1]))


class HttpProxy(_Proxy):
    """An HTTP proxy: CONNECT tunnels and absolute-form forwarding, optional Basic credentials."""

    name = "http-proxy"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        self.methods.append(method)
        headers = {
            name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)
        }
        if self.username:
            expected = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            if headers.get("proxy-authorization") != expected:
                self.refused += 1
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await self._pipe((reader, writer), host, int(port))
            return
        if not target.startswith("http://"):
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        authority = target.removeprefix("http://").split("/", 1)[0]
        host, _, port = authority.rpartition(":")
        await self._pipe((reader, writer), host, int(port or 80), first=head)  # servers accept absolute-form


class Socks5Proxy(_Proxy):
    """A SOCKS5 proxy (CONNECT only): no authentication, or username/password when given."""

    name = "socks5-proxy"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        wanted = 2 if self.username else 0
        if version != 5 or wanted not in methods:
            writer.write(b"\x05\xff")
            self.refused += 1
            return
        writer.write(bytes([5, wanted]))
        if wanted == 2:
            _, length = await reader.readexactly(2)
            username = (await reader.readexactly(length)).decode()
            (length,) = await reader.readexactly(1)
            password = (await reader.readexactly(length)).decode()
            ok = (username, password) == (self.username, self.password)
            writer.write(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                self.refused += 1
                return
        _, command, _, address_type = await reader.readexactly(4)
        if address_type == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif address_type == 3:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
        else:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:
            writer.write(b"\x05\x07\x00\x01" + bytes(6))  # command not supported
            return
        writer.write(b"\x05\x00\x00\x01" + bytes(4) + b"\x00\x00")
        await writer.drain()
        await self._pipe((reader, writer), host, port)
