"""Updates processed concurrently across chats, one at a time within each chat.

PTB's default processor runs a fixed number of updates at once, whatever their
chat; a handler waiting out a group's 20-a-minute limit holds one of those places,
so one flooding group soon holds them all and every other chat waits.  Here each
chat has its own lane: the updates of one chat wait for each other (in order,
which also keeps a conversation's steps in sequence), never for another chat's.

Button presses have a lane per user and chat, so a press is answered at once even
while the chat's questions queue up; inline queries have a lane per user.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own bound on updates in progress; lanes do the real scheduling, so it only caps memory.
MAX_UPDATES_IN_PROGRESS = 100_000


def lane_of(update: object) -> Hashable:
    """The lane an update waits in: updates with the same lane run one after another."""
    if not isinstance(update, Update):
        return ("other", id(update))
    if (query := update.callback_query) is not None:
        chat_id = query.message.chat.id if query.message is not None else None
        return ("button", chat_id, query.from_user.id)
    if update.inline_query is not None:
        return ("inline", update.inline_query.from_user.id)
    if (chat := update.effective_chat) is not None:
        return ("chat", chat.id)
    return ("update", update.update_id)


class _Lane:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ChatLanes(BaseUpdateProcessor):
    """Concurrent across lanes, sequential within one (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(MAX_UPDATES_IN_PROGRESS)
        self._lanes: dict[Hashable, _Lane] = {}

    @property
    def waiting(self) -> int:
        """Updates accepted but not finished (for diagnostics)."""
        return sum(lane.users for lane in self._lanes.values())

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = lane_of(update)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
        lane.users += 1
        try:
            try:
                await lane.lock.acquire()
            except BaseException:  # cancelled while waiting: the update's coroutine never runs
                if inspect.iscoroutine(coroutine):
                    coroutine.close()
                raise
            try:
                await coroutine
            finally:
                lane.lock.release()
        finally:
            lane.users -= 1
            if lane.users == 0:
                del self._lanes[key]
