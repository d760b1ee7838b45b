"""Callback data of the answering feature's inline buttons (prefix ``a:``).

The data is ``a:<action>:<script>:<number>[:<argument>]``; the script letter
(``s``/``t``) lets a button press answer in the script of the message it sits under.
Telegram allows 64 bytes; entry ids are at most 40 characters, so every action fits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.core.matching.text import Script
from bot.tg.common import Callback, script_code, script_of

CALLBACK = Callback("a")
PATTERN = CALLBACK.pattern


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
        return CALLBACK.encode(self.action.value, script_code(self.script), self.number, self.argument)

    @classmethod
    def decode(cls, data: str) -> Button | None:
        """The button behind ``data``, or None if it is not one of ours (or malformed)."""
        parts = CALLBACK.decode(data, 3)
        if parts is None or len(parts) < 3:
            return None
        script = script_of(parts[1])
        try:
            action = Action(parts[0])
            number = int(parts[2])
        except ValueError:
            return None
        argument = parts[3] if len(parts) > 3 else ""
        if (
            script is None
            or number < 0
            or (action in {Action.ENTRY, Action.UP, Action.DOWN, Action.TOPIC} and not argument)
        ):
            return None
        return cls(action, script, number, argument)
