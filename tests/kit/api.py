"""A fake Bot API: answers methods like Telegram would and records every call; plugged into PTB in-process.

:class:`FakeBotApi` gives sent messages ids, returns edited messages, serves ``getFile`` from
:attr:`FakeBotApi.files`; :meth:`FakeBotApi.on` overrides a method (a test's handler may fall
back on :meth:`FakeBotApi.default` or :meth:`FakeBotApi.new_message`) and :class:`ApiError`
makes it fail (403 for a kicked bot, 429 for flood control, …).  :class:`OfflineRequest` plugs it
into PTB; ``tests/fake_bot_api_server.py`` serves the same fake over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.client_reqrep import ConnectionKey
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from tests.kit.constants import BOT_USERNAME, JSON, TOKEN

# The connection an unreachable Bot API refused (what AiohttpRequest's errors carry)
_CONNECTION = ConnectionKey(
    host="api.telegram.org", port=443, is_ssl=True, ssl=True, proxy=None, proxy_auth=None, proxy_headers_hash=None
)

# -- the fake Bot API -----------------------------------------------------------------------------

UPDATES_LIMIT = 100  # the most updates one getUpdates returns (Telegram's limit and default)


class ApiError(Exception):
    """Raise from a method override to make the Bot API call fail like Telegram does."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class UnreachableError(Exception):
    """Raise from a method override to simulate a connection that could not be made (nothing was sent)."""


class DroppedError(Exception):
    """Raise from a method override to simulate a connection dropped before the answer (it may have arrived)."""


@dataclass
class ApiCall:
    """One Bot API request and what the fake answered."""

    method: str
    params: JSON
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    result: Any = None

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        chat_id = self.params.get("chat_id")
        return int(chat_id) if chat_id is not None else None

    @property
    def keyboard(self) -> list[list[JSON]]:
        """The inline keyboard rows sent with the call (empty if none)."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return list(markup.get("inline_keyboard", []))

    @property
    def buttons(self) -> list[JSON]:
        return [button for row in self.keyboard for button in row]

    @property
    def button_labels(self) -> list[str]:
        return [str(button["text"]) for button in self.buttons]

    def button_data(self, label_part: str) -> str:
        """The callback data of the first button whose label contains ``label_part``."""
        for button in self.buttons:
            if label_part in button["text"] and "callback_data" in button:
                return str(button["callback_data"])
        raise AssertionError(f"no button {label_part!r} in {self.button_labels}")


def chat_type_of(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def chat_dict(chat_id: int) -> JSON:
    chat: JSON = {"id": chat_id, "type": chat_type_of(chat_id)}
    if chat_id > 0:
        chat["first_name"] = f"user{chat_id}"
    else:
        chat["title"] = f"group{chat_id}"
    return chat


class FakeBotApi:
    """Answers Bot API methods with plausible results and records every call (thread-safe)."""

    def __init__(self, token: str = TOKEN, username: str = BOT_USERNAME) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":", maxsplit=1)[0]),
            "is_bot": True,
            "first_name": "双百双招问答",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.calls: list[ApiCall] = []
        self.files: dict[str, bytes] = {}  # file_id (= file_path) -> content, for getFile and downloads
        self.overrides: dict[str, Callable[[JSON], Any]] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self._message_ids = itertools.count(5001)
        self._updates: list[JSON] = []
        self._changed = threading.Condition()

    # configuration
    def on(self, method: str, handler: Callable[[JSON], Any]) -> None:
        """Answer ``method`` with ``handler(params)`` (which may raise :class:`ApiError`)."""
        self.overrides[method] = handler

    def fail(self, method: str, code: int, description: str) -> None:
        """Make every call of ``method`` fail."""

        def failing(params: JSON) -> Any:
            raise ApiError(code, description)

        self.on(method, failing)

    # updates for long polling (the HTTP server)
    def push_update(self, update: JSON) -> None:
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    def wait_for_call(self, predicate: Callable[[ApiCall], bool], timeout: float = 30.0) -> ApiCall:
        """Block until a recorded call satisfies ``predicate`` (for the subprocess test)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for call in self.calls:
                    if predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    methods = [f"{call.method} {call.params.get('chat_id', '')}" for call in self.calls]
                    raise AssertionError(f"no matching Bot API call within {timeout} s; calls: {methods}")
                self._changed.wait(remaining)

    # answering
    def call(self, method: str, params: JSON, files: dict[str, tuple[str, bytes, str]] | None = None) -> JSON:
        """The JSON envelope Telegram would return for ``method``."""
        record = ApiCall(method, params, files or {})
        try:
            override = self.overrides.get(method)
            record.result = override(params) if override else self.default(method, params, record)
            response: JSON = {"ok": True, "result": record.result}
        except ApiError as error:
            response = {"ok": False, "error_code": error.code, "description": error.description}
            if error.retry_after is not None:
                response["parameters"] = {"retry_after": error.retry_after}
        with self._changed:
            if method != "getUpdates":
                self.calls.append(record)
            self._changed.notify_all()
        return response

    def default(self, method: str, params: JSON, record: ApiCall) -> Any:
        if method == "getMe":
            return self.bot_user
        if method == "getUpdates":
            return self.take_updates(int(params.get("offset", 0) or 0), int(params.get("limit", 0) or UPDATES_LIMIT))
        if method in {"sendChatAction", "answerCallbackQuery", "answerInlineQuery"}:
            return True
        if method.startswith(("send", "forward")):
            return self.new_message(params, record)
        if method == "copyMessage":
            return {"message_id": next(self._message_ids)}
        if method.startswith("edit"):
            return True if "inline_message_id" in params else self.edited_message(params)
        if method == "getFile":
            file_id = str(params["file_id"])
            content = self.files.get(file_id, b"")
            return {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_size": len(content),
                "file_path": file_id,
            }
        if method == "getChat":
            return chat_dict(int(params["chat_id"]))
        if method == "getChatMember":
            user_id = int(params["user_id"])
            user = (
                self.bot_user if user_id == self.bot_user["id"] else {"id": user_id, "is_bot": False, "first_name": "u"}
            )
            return {"status": "member", "user": user}
        return True

    def take_updates(self, offset: int, limit: int = UPDATES_LIMIT) -> list[JSON]:
        """The updates from ``offset`` on, at most ``limit`` (1–100, as Telegram counts), confirming older ones."""
        with self._changed:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
            return self._updates[: min(max(limit, 1), UPDATES_LIMIT)]

    def wait_for_updates(self, offset: int, timeout: float, limit: int = UPDATES_LIMIT) -> list[JSON]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (updates := self.take_updates(offset, limit)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._changed.wait(remaining)
            return updates

    def new_message(self, params: JSON, record: ApiCall) -> JSON:
        chat_id = int(params["chat_id"])
        message: JSON = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat_dict(chat_id),
            "from": self.bot_user,
        }
        for key in ("text", "caption", "reply_markup"):
            if key in params:
                value = params[key]
                message[key] = json.loads(value) if key == "reply_markup" and isinstance(value, str) else value
        if "inline_keyboard" not in message.get("reply_markup", {"inline_keyboard": []}):
            del message["reply_markup"]  # like Telegram: a message shows only an inline keyboard (not ForceReply)
        if reply := params.get("reply_parameters"):  # Telegram includes the message replied to
            replied_id = int((json.loads(reply) if isinstance(reply, str) else reply)["message_id"])
            stub = {"message_id": replied_id, "date": message["date"], "chat": chat_dict(chat_id)}
            message["reply_to_message"] = self.messages.get((chat_id, replied_id), stub)
        for name, (filename, content, _mimetype) in record.files.items():
            file_id = f"file{len(self.files) + 1}"
            self.files[file_id] = content
            sent: JSON = {"file_id": file_id, "file_unique_id": "u" + file_id, "file_name": filename}
            message[name] = [{**sent, "width": 600, "height": 300}] if name == "photo" else sent
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def edited_message(self, params: JSON) -> JSON:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        message = dict(
            self.messages.get((chat_id, message_id)) or {"message_id": message_id, "chat": chat_dict(chat_id)}
        )
        message.setdefault("date", int(time.time()))
        message.setdefault("from", self.bot_user)
        for key in ("text", "caption"):
            if key in params:
                message[key] = params[key]
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        self.messages[(chat_id, message_id)] = message
        return message

    # queries
    def called(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def sent(self, chat_id: int | None = None) -> list[ApiCall]:
        """The ``sendMessage`` calls, optionally only those to ``chat_id``."""
        return [call for call in self.called("sendMessage") if chat_id is None or call.chat_id == chat_id]


class OfflineRequest(BaseRequest):
    """A PTB request class that answers from a :class:`FakeBotApi` instead of the network."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download: base_file_url + token + "/" + file_path
            file_path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            return 200, self.api.files.get(file_path, b"")
        api_method = url.rsplit("/", 1)[1]
        params: JSON = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes, str]] = {}
        if request_data is not None and request_data.contains_files:
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                files[name] = (filename, content if isinstance(content, bytes) else content.read(), mimetype)
        try:
            response = self.api.call(api_method, params, files)
        except UnreachableError as error:
            refused = aiohttp.ClientConnectorError(_CONNECTION, ConnectionRefusedError(111, str(error)))
            raise NetworkError(f"aiohttp.ClientConnectorError: {refused}") from refused
        except DroppedError as error:
            raise NetworkError(f"aiohttp.ServerDisconnectedError: {error}") from aiohttp.ServerDisconnectedError()
        status = 200 if response["ok"] else int(response["error_code"])
        return status, json.dumps(response).encode()


# -- update payloads --------------------------------------------------------------------------------
