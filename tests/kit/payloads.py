"""Update payloads as Telegram sends them (entities included), for the harness to turn into real updates."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

from tests.kit.api import FakeBotApi, chat_type_of
from tests.kit.constants import ADMIN_ID, GROUP_ID, JSON, USER_ID

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
