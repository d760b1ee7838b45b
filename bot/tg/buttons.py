"""Callback data of the answering feature's inline buttons (prefix ``a:``).

The data is ``a:<action>:<script>:<number>[:<argument>]``; the script letter
(``s``/``t``) lets a button press answer in the script of the message it sits under.
Telegram allows 64 bytes; entry ids are at most 40 characters, so every action fits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from telegram.constants import InlineKeyboardButtonLimit

from bot.core.matching.text import Script

PREFIX = "a:"
PATTERN = r"^a:"

_SCRIPT_CODES = {Script.SIMPLIFIED: "s", Script.TRADITIONAL: "t"}
_SCRIPTS = {code: script for script, code in _SCRIPT_CODES.items()}


class Action(enum.StrEnum):
    ENTRY = "e"  # show the answer of an entry; number: question record id (0 = none), argument: entry id
    UP = "u"  # 👍 on an answer; number: question record id, argument: entry id
    DOWN = "d"  # 👎 on an answer
    NONE = "n"  # "none of these" under suggestions; number: question record id
    TOPICS = "t"  # the topic menu; number: page
    TOPIC = "q"  # the questions of a topic; number: page, argument: topic index
    ARTICLE = "r"  # the whole article


@dataclass(frozen=True)
class Button:
    """A decoded button press."""

    action: Action
    script: Script = Script.SIMPLIFIED
    number: int = 0
    argument: str = ""

    def encode(self) -> str:
        data = f"{PREFIX}{self.action.value}:{_SCRIPT_CODES[self.script]}:{self.number}"
        if self.argument:
            data += ":" + self.argument
        if len(data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
            raise ValueError(f"callback data too long: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str) -> Button | None:
        """The button behind ``data``, or None if it is not one of ours (or malformed)."""
        parts = data.split(":", 4)
        if len(parts) < 4 or parts[0] + ":" != PREFIX:
            return None
        try:
            action = Action(parts[1])
            script = _SCRIPTS[parts[2]]
            number = int(parts[3])
        except (ValueError, KeyError):
            return None
        argument = parts[4] if len(parts) > 4 else ""
        if number < 0 or (action in {Action.ENTRY, Action.UP, Action.DOWN, Action.TOPIC} and not argument):
            return None
        return cls(action, script, number, argument)
