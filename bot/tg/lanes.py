"""Updates processed concurrently across chats, one at a time within each chat.

PTB's default processor runs a fixed number of updates at once, whatever their
chat; a handler waiting out a group's 20-a-minute limit holds one of those places,
so one flooding group soon holds them all and every other chat waits.  Here each
chat has its own lane: the updates of one chat wait for each other (in order,
which also keeps a conversation's steps in sequence), never for another chat's.

Button presses have a lane per user and chat, so a press is answered at once even
while the chat's questions queue up; inline queries have a lane per user.  Both
also skip the start gate that other updates pass one at a time (see ``ChatLanes._start``).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own bound on updates in progress; lanes do the real scheduling, so it only caps memory.
MAX_UPDATES_IN_PROGRESS = 100_000


def lane_of(update: object) -> tuple[Hashable, ...]:
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


URGENT = frozenset({"button", "inline"})  # Telegram expects an answer within seconds


class _Lane:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ChatLanes(BaseUpdateProcessor):
    """Concurrent across lanes, sequential within one (see the module docstring)."""

    def __init__(self, before_start: Callable[[], Awaitable[None]] | None = None) -> None:
        """
        Args:
            before_start: awaited before an update that is not urgent starts (the rate limiter's
                :meth:`~bot.tg.ratelimit.RateLimiter.answers_sent`: button answers go out first).
        """
        super().__init__(MAX_UPDATES_IN_PROGRESS)
        self._before_start = before_start
        self._lanes: dict[tuple[Hashable, ...], _Lane] = {}
        self._gate = asyncio.Lock()

    async def _start(self, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine``, starting it only when no other update is starting.

        A handler's first stretch (matching, writing the journal) runs without a pause;
        with a thousand questions at once, starting them one at a time lets the button
        presses and inline queries that arrive meanwhile in between, instead of after all.
        """
        async with self._gate:
            if self._before_start is not None:
                await self._before_start()
            task = asyncio.ensure_future(coroutine)
            await asyncio.sleep(0)  # the task runs up to its first real wait (usually the Bot API)
        await task

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
                if key[0] in URGENT:
                    await coroutine
                else:
                    await self._start(coroutine)
            finally:
                lane.lock.release()
        finally:
            lane.users -= 1
            if lane.users == 0:
                del self._lanes[key]
