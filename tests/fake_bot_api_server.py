"""The fake Bot API of :mod:`tests.kit` served over HTTP on 127.0.0.1, for a real ``faqbot run``.

Point the bot's ``base_url`` at :attr:`FakeBotApiServer.base_url`; push updates
with ``api.push_update`` (long polling gets them) and wait for the bot's calls
with ``api.wait_for_call``.
"""

from __future__ import annotations

import json
import ssl
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.kit.api import UPDATES_LIMIT, FakeBotApi
from tests.kit.constants import JSON

LONG_POLL_HOLD_SECONDS = 0.5  # how long getUpdates waits for an update before answering []
_INTEGER_PARAMS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"})


def decode_params(body: bytes) -> JSON:
    """Form parameters as PTB sends them: strings stay strings, objects and lists are JSON."""
    params: JSON = {}
    for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
        value: Any = values[-1]
        if value[:1] in {"{", "["}:
            value = json.loads(value)
        elif key in _INTEGER_PARAMS and value.lstrip("-").isdigit():
            value = int(value)
        elif value in {"true", "false"}:
            value = value == "true"
        params[key] = value
    return params


def decode_multipart(content_type: str, body: bytes) -> tuple[JSON, dict[str, tuple[str, bytes, str]]]:
    """A multipart form (a request uploading files): its parameters as :func:`decode_params` reads them,
    and its files by field name as ``(filename, content, mimetype)``."""
    form = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: list[tuple[str, str]] = []
    files: dict[str, tuple[str, bytes, str]] = {}
    for part in form.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        content = part.get_payload(decode=True)
        assert isinstance(content, bytes)
        if (filename := part.get_filename()) is not None:
            files[name] = (filename, content, part.get_content_type())
        else:
            fields.append((name, content.decode("utf-8")))
    return decode_params(urlencode(fields).encode()), files


class _Server(ThreadingHTTPServer):
    # Connections waiting to be accepted: socketserver's default of 5 drops a crowd's new
    # connections, each then retried by the client's TCP a second later (Telegram is no such bottleneck).
    request_queue_size = 128


class FakeBotApiServer:
    """A threaded HTTP server answering ``/bot<token>/<method>`` from a :class:`FakeBotApi`."""

    def __init__(self, api: FakeBotApi, tls: ssl.SSLContext | None = None) -> None:
        self.api = api
        self.server = _Server(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.scheme = "https" if tls is not None else "http"
        if tls is not None:  # HTTPS, as api.telegram.org (the tests give the client the certificate)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-bot-api", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}/bot"

    @property
    def base_file_url(self) -> str:
        """Where files are downloaded from (the bot's ``base_file_url``)."""
        return self.base_url.removesuffix("/bot") + "/file/bot"

    def __enter__(self) -> FakeBotApiServer:
        self.thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self.api

        class Handler(BaseHTTPRequestHandler):
            # Headers and body leave in two writes: without TCP_NODELAY, Nagle's algorithm and the
            # client's delayed ACK hold every keep-alive answer back ~40 ms (Telegram has no such floor).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                self._answer(body)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path.startswith(f"/file/bot{api.token}/"):  # a file download: base_file_url + token + "/" + path
                    self._download(path.removeprefix(f"/file/bot{api.token}/"))
                    return
                self._answer(b"")

            def _answer(self, body: bytes) -> None:
                path = urlsplit(self.path).path  # absolute-form too, as a forwarding proxy sends it
                prefix, _, method = path.rpartition("/")
                if prefix != f"/bot{api.token}":
                    self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                content_type = self.headers.get("Content-Type") or ""
                files: dict[str, tuple[str, bytes, str]] = {}
                if content_type.startswith("multipart/form-data"):
                    params, files = decode_multipart(content_type, body)
                else:
                    params = decode_params(body)
                if method == "getUpdates":
                    offset, limit = int(params.get("offset", 0) or 0), int(params.get("limit", 0) or UPDATES_LIMIT)
                    updates = api.wait_for_updates(offset, LONG_POLL_HOLD_SECONDS, limit)
                    self._send(200, {"ok": True, "result": updates})
                    return
                response = api.call(method, params, files)
                self._send(200 if response["ok"] else int(response["error_code"]), response)

            def _download(self, file_path: str) -> None:
                content = api.files.get(file_path)
                if content is None:
                    self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def _send(self, status: int, payload: JSON) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler
