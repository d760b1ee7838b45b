"""Test kit for the Telegram layer: a fake Bot API, update builders and a harness around the real application.

Every end-to-end handler test (answering, staff, announcements) uses these pieces:

- :class:`FakeBotApi` answers Bot API methods like Telegram would (sent messages
  get ids, edits return the message, ``getFile`` serves :attr:`FakeBotApi.files`)
  and records every call; :meth:`FakeBotApi.on` overrides a method and
  :class:`ApiError` makes it fail (403 for a kicked bot, 429 for flood control, …).
- :class:`OfflineRequest` plugs it into PTB in-process; ``tests/fake_bot_api_server.py``
  serves the same fake over HTTP on 127.0.0.1 for a real ``faqbot run``.
- :class:`Payloads` builds update dicts as Telegram sends them (entities included);
  :class:`Harness` turns them into real :class:`telegram.Update` objects and runs them
  through the application from ``build_application``.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.config import Config
from bot.paths import PROJECT_ROOT
from bot.tg.app import build_application
from bot.tg.context import Context, FaqApplication

TOKEN = "123456789:TEST-token-for-offline-tests-only"
BOT_ID = 123456789
BOT_USERNAME = "FaqTestBot"
ADMIN_ID = 1001
USER_ID = 2002
OTHER_USER_ID = 3003
GROUP_ID = -1001234567890
CONTACT = "市委组织部（电话 0561-0000000）"
SHIPPED_KNOWLEDGE = PROJECT_ROOT / "knowledge"

JSON = dict[str, Any]


# -- the fake Bot API -----------------------------------------------------------------------------


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
            record.result = override(params) if override else self._default(method, params, record)
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

    def _default(self, method: str, params: JSON, record: ApiCall) -> Any:
        if method == "getMe":
            return self.bot_user
        if method == "getUpdates":
            return self.take_updates(int(params.get("offset", 0) or 0))
        if method in {"sendChatAction", "answerCallbackQuery", "answerInlineQuery"}:
            return True
        if method.startswith(("send", "forward")):
            return self._new_message(params, record)
        if method == "copyMessage":
            return {"message_id": next(self._message_ids)}
        if method.startswith("edit"):
            return True if "inline_message_id" in params else self._edited_message(params)
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

    def take_updates(self, offset: int) -> list[JSON]:
        with self._changed:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
            return list(self._updates)

    def wait_for_updates(self, offset: int, timeout: float) -> list[JSON]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (updates := self.take_updates(offset)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._changed.wait(remaining)
            return updates

    def _new_message(self, params: JSON, record: ApiCall) -> JSON:
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

    def _edited_message(self, params: JSON) -> JSON:
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
            raise NetworkError(f"httpx.ConnectError: {error}") from httpx.ConnectError(str(error))
        except DroppedError as error:
            raise NetworkError(f"httpx.RemoteProtocolError: {error}") from httpx.RemoteProtocolError(str(error))
        status = 200 if response["ok"] else int(response["error_code"])
        return status, json.dumps(response).encode()


# -- update payloads --------------------------------------------------------------------------------

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[JSON]:
    """The entities Telegram would attach: a leading bot command and @mentions (UTF-16 offsets)."""
    entities: list[JSON] = []
    command_end = 0
    if match := _COMMAND_RE.match(text):
        command_end = match.end()
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_length(match.group())})
    for match in _MENTION_RE.finditer(text):
        if match.start() >= command_end:
            entities.append(
                {
                    "type": "mention",
                    "offset": utf16_length(text[: match.start()]),
                    "length": utf16_length(match.group()),
                }
            )
    return entities


class Payloads:
    """Builds update dicts as Telegram sends them; ids increase with every call."""

    def __init__(self, bot_user: JSON | None = None) -> None:
        self.bot_user = bot_user or FakeBotApi().bot_user
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    @staticmethod
    def user(user_id: int = USER_ID, first_name: str = "小王", **extra: Any) -> JSON:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans", **extra}

    @staticmethod
    def private_chat(user_id: int = USER_ID) -> JSON:
        return {"id": user_id, "type": "private", "first_name": "小王"}

    @staticmethod
    def group_chat(chat_id: int = GROUP_ID, title: str = "双百双招先锋团") -> JSON:
        return {"id": chat_id, "type": chat_type_of(chat_id), "title": title}

    def update(self, **content: Any) -> JSON:
        """An update with the next id and ``content`` (e.g. ``message=…``, ``poll=…``)."""
        return {"update_id": next(self._update_ids), **content}

    def message_dict(
        self,
        text: str | None = None,
        *,
        chat: JSON | None = None,
        user: JSON | None = None,
        reply_to: JSON | None = None,
        entities: list[JSON] | None = None,
        **extra: Any,
    ) -> JSON:
        user = user or self.user()
        message: JSON = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or self.private_chat(user["id"]),
            "from": user,
            **extra,
        }
        if text is not None:
            message["text"] = text
            found = entities_for(text) if entities is None else entities
            if found:
                message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def text(self, text: str, *, edited: bool = False, **kwargs: Any) -> JSON:
        """A text message update (commands and @mentions get their entities)."""
        message = self.message_dict(text, **kwargs)
        if edited:
            message["edit_date"] = message["date"]
            return self.update(edited_message=message)
        return self.update(message=message)

    def sticker(self, **kwargs: Any) -> JSON:
        sticker = {
            "file_id": "sticker1",
            "file_unique_id": "usticker1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self.update(message=self.message_dict(sticker=sticker, **kwargs))

    def photo(self, caption: str | None = None, **kwargs: Any) -> JSON:
        photo = [{"file_id": "photo1", "file_unique_id": "uphoto1", "width": 90, "height": 90}]
        if caption:
            kwargs["caption"] = caption
        return self.update(message=self.message_dict(photo=photo, **kwargs))

    def document(
        self, file_id: str, file_name: str, *, mime_type: str = "application/x-yaml", file_size: int = 0, **kwargs: Any
    ) -> JSON:
        """A document message; put its content in ``FakeBotApi.files[file_id]`` so the bot can download it."""
        document = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": file_size,
        }
        return self.update(message=self.message_dict(document=document, **kwargs))

    def callback(
        self, data: str, message: JSON | None, *, user: JSON | None = None, inline_message_id: str = ""
    ) -> JSON:
        """A button press on ``message`` (a message the bot sent, e.g. ``ApiCall.result``)."""
        query: JSON = {
            "id": str(next(self._update_ids) * 7919),
            "from": user or self.user(),
            "chat_instance": "42",
            "data": data,
        }
        if message is not None:
            query["message"] = message
        if inline_message_id:
            query["inline_message_id"] = inline_message_id
        return self.update(callback_query=query)

    def inline_query(self, query: str, *, user: JSON | None = None) -> JSON:
        return self.update(
            inline_query={
                "id": str(next(self._update_ids) * 104729),
                "from": user or self.user(),
                "query": query,
                "offset": "",
            }
        )

    def my_chat_member(
        self, chat: JSON, old_status: str, new_status: str, *, user: JSON | None = None, **member_extra: Any
    ) -> JSON:
        """The bot's own membership in ``chat`` changed (added: left → member; kicked: member → kicked)."""
        return self.update(
            my_chat_member={
                "chat": chat,
                "from": user or self.user(ADMIN_ID),
                "date": int(time.time()),
                "old_chat_member": {"status": old_status, "user": self.bot_user},
                "new_chat_member": {"status": new_status, "user": self.bot_user, **member_extra},
            }
        )


# -- harness ----------------------------------------------------------------------------------------


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

TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote", "tg-spoiler", "span"}
)


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in TELEGRAM_TAGS, f"Telegram does not support <{tag}>"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"unbalanced </{tag}> (open: {self.stack})"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(message_html: str) -> str:
    """What a reader sees of a Telegram HTML message; asserts the markup is valid for Telegram."""
    assert not re.search(r"&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)", message_html, re.IGNORECASE), (
        f"unescaped & in {message_html!r}"
    )
    parser = _TelegramHtml()
    parser.feed(message_html)
    parser.close()
    assert not parser.stack, f"unclosed tags {parser.stack}"
    return "".join(parser.text)
