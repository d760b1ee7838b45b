"""Buttons of the hand-off feature (callback prefix ``h:``) and its deep link.

Cadres: ``h:a:<script>:<kind>:<question id>[:<entry id>]`` asks to send (shows what will be
sent), ``h:y:…`` (same fields) sends, ``h:x:<script>`` cancels.  In groups the button is a
link ``t.me/<bot>?start=staff_<kind><question id>`` that opens a private chat, so nothing
goes to staff from a group unless the asker chooses to in private.
Staff: ``h:<action>:<hand-off id>[:<entry id>]`` (see :class:`StaffAction`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot.core.handoffs import texts as handoff_texts
from bot.core.handoffs.store import Kind
from bot.core.matching.text import Script
from bot.tg.common import Callback, script_code, script_of
from bot.tg.texts import say

CALLBACK = Callback("h")
PATTERN = CALLBACK.pattern
LINK_PREFIX = "staff_"
LINK_PATTERN = r"^/start(@\w+)? staff_"
_KIND_CODES = {Kind.DECLINE: "d", Kind.NONE_OF_THESE: "n", Kind.DOWN: "w", Kind.DIRECT: "q"}
_KINDS = {code: kind for kind, code in _KIND_CODES.items()}
_LINK = re.compile(rf"^{LINK_PREFIX}([a-z])(\d+)$")


class StaffAction(enum.StrEnum):
    REPLY = "r"  # how to reply
    ADD = "f"  # «加入问答库…»: choose an entry or a new one
    PHRASING = "p"  # add the question to the entry (argument)
    NEW_ENTRY = "n"  # propose a new entry
    CREATE = "c"  # create the proposed entry
    DISMISS = "z"  # «不需要回复»


@dataclass(frozen=True)
class CadrePress:
    """A cadre's press: ``send`` false shows the confirmation, true sends."""

    send: bool
    script: Script
    kind: Kind
    question_id: int
    entry_id: str = ""

    def encode(self) -> str:
        action = "y" if self.send else "a"
        return CALLBACK.encode(
            action, script_code(self.script), _KIND_CODES[self.kind], self.question_id, self.entry_id
        )


@dataclass(frozen=True)
class StaffPress:
    action: StaffAction
    handoff_id: int
    argument: str = ""

    def encode(self) -> str:
        return CALLBACK.encode(self.action.value, self.handoff_id, self.argument)


def cancel_data(script: Script) -> str:
    return CALLBACK.encode("x", script_code(script))


def decode(data: str) -> CadrePress | StaffPress | Script | None:  # noqa: PLR0911 - one return per shape
    """A press; a :class:`Script` for «取消»; None when malformed."""
    parts = CALLBACK.decode(data)
    if parts is None or len(parts) < 2:
        return None
    action = parts[0]
    if action == "x":
        return script_of(parts[1])
    if action in {"a", "y"}:
        script = script_of(parts[1])
        if len(parts) not in {4, 5} or script is None or parts[2] not in _KINDS or not parts[3].isdigit():
            return None
        entry_id = parts[4] if len(parts) == 5 else ""
        return CadrePress(action == "y", script, _KINDS[parts[2]], int(parts[3]), entry_id)
    try:
        staff_action = StaffAction(action)
    except ValueError:
        return None
    if not parts[1].isdigit() or len(parts) > 3:
        return None
    return StaffPress(staff_action, int(parts[1]), parts[2] if len(parts) == 3 else "")


def link_payload(kind: Kind, question_id: int) -> str:
    return f"{LINK_PREFIX}{_KIND_CODES[kind]}{question_id}"


def parse_link(payload: str) -> tuple[Kind, int] | None:
    match = _LINK.match(payload)
    if match is None or match.group(1) not in _KINDS:
        return None
    return _KINDS[match.group(1)], int(match.group(2))


def ask_staff_button(
    script: Script, kind: Kind, question_id: int, entry_id: str = "", *, bot_username: str = ""
) -> InlineKeyboardButton:
    """«问工作人员»: a callback in private chats; with ``bot_username`` (groups) a private deep link."""
    label = say(handoff_texts.ASK_STAFF, script)
    if bot_username:
        return InlineKeyboardButton(label, url=create_deep_linked_url(bot_username, link_payload(kind, question_id)))
    return InlineKeyboardButton(label, callback_data=CadrePress(False, script, kind, question_id, entry_id).encode())


def with_ask_staff(
    markup: InlineKeyboardMarkup | None, button: InlineKeyboardButton | None
) -> InlineKeyboardMarkup | None:
    """``markup`` with «问工作人员» as its last row (none when ``button`` is None)."""
    if button is None:
        return markup
    rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
    return InlineKeyboardMarkup([*rows, [button]])
