"""The bot's rate limiter: Telegram's flood limits, per chat, and retries of requests that failed in transit.

Telegram allows about 30 messages a second overall and 20 a minute in one group.
Every request that names a chat waits for a free place in its group's window
(if any), then in the overall one; a request that names no chat
(``answerCallbackQuery``, ``answerInlineQuery``) waits for neither.  A group over
its limit therefore delays only its own messages, and ``RetryAfter`` is waited out
by the request that got it, not by the whole bot.

A window counts a request from the moment it starts until a full period after its
answer came back, so requests are never closer on Telegram's side than the limit,
whatever the latency.

Retries (with growing pauses, then the error reaches the caller and the error handler logs it):

- a connection that could not be made (nothing was sent): always;
- a 5xx answer, a dropped connection or a timeout (the message may or may not have
  arrived): for replies and edits, where a rare duplicate is better than a lost answer;
  not inside :func:`at_most_once` (announcement deliveries, whose ledger records the doubt instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
FLOOD_RETRIES = 3  # RetryAfter is waited out this many times before the call fails
CONNECT_RETRIES = 3
CONNECT_RETRY_DELAY_SECONDS = 1.0  # multiplied by the attempt number
TRANSIT_RETRIES = 3  # 5xx, dropped connections, timeouts
TRANSIT_RETRY_DELAY_SECONDS = 1.0  # doubled at each attempt

_at_most_once: contextvars.ContextVar[bool] = contextvars.ContextVar("at_most_once", default=False)


def never_sent(error: NetworkError) -> bool:
    """The request failed before reaching Telegram (no connection could be made)."""
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout)


@contextlib.contextmanager
def at_most_once() -> Iterator[None]:
    """Requests made inside are not repeated when they may have reached Telegram."""
    token = _at_most_once.set(True)
    try:
        yield
    finally:
        _at_most_once.reset(token)


class Window:
    """At most ``limit`` requests in any ``period`` seconds; waiting requests are served in turn."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._finished: deque[float] = deque()  # monotonic times the last requests got their answer
        self._in_flight = 0
        self._changed = asyncio.Condition()

    @property
    def idle(self) -> bool:
        now = time.monotonic()
        return self._in_flight == 0 and all(now - done >= self.period for done in self._finished)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._changed:
            while True:
                now = time.monotonic()
                while self._finished and now - self._finished[0] >= self.period:
                    self._finished.popleft()
                if self._in_flight + len(self._finished) < self.limit:
                    break
                timeout = self._finished[0] + self.period - now if self._finished else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            self._in_flight += 1
        try:
            yield
        finally:
            async with self._changed:
                self._in_flight -= 1
                self._finished.append(time.monotonic())
                self._changed.notify_all()


def _transient(error: NetworkError) -> bool:
    """A 5xx, a dropped connection or a timeout: worth another try."""
    return not isinstance(error, BadRequest) and not never_sent(error)


class RateLimiter(BaseRateLimiter[int]):
    """Per-group and overall windows, per-request flood waits, retries (``rate_limit_args``: flood retries)."""

    def __init__(self, overall_per_second: int = OVERALL_PER_SECOND, group_per_minute: int = GROUP_PER_MINUTE) -> None:
        self._overall = Window(overall_per_second, 1.0)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, Window] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group_window(self, chat_id: int | str) -> Window:
        if len(self._groups) > 1000:  # forget groups that have been quiet for a minute
            self._groups = {key: window for key, window in self._groups.items() if not window.idle}
        return self._groups.setdefault(chat_id, Window(self._group_per_minute, 60.0))

    @contextlib.asynccontextmanager
    async def _slots(self, data: dict[str, Any]) -> AsyncIterator[None]:
        chat_id = data.get("chat_id")
        if chat_id is None:
            yield
            return
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        async with contextlib.AsyncExitStack() as stack:
            if not isinstance(chat_id, int) or chat_id < 0:  # groups, supergroups, channels (@name)
                await stack.enter_async_context(self._group_window(chat_id).slot())
            await stack.enter_async_context(self._overall.slot())
            yield

    async def process_request(  # noqa: PLR0917 - the signature of BaseRateLimiter.process_request
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        floods = rate_limit_args if rate_limit_args is not None else FLOOD_RETRIES
        connects = transits = 0
        while True:
            try:
                async with self._slots(data):
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if floods <= 0:
                    raise
                floods -= 1
                pause = error._retry_after.total_seconds()  # as PTB's own limiter does: no deprecation
                logger.info("Flood control on %s: waiting %.1f s", endpoint, pause)
                await asyncio.sleep(pause + 0.1)
            except NetworkError as error:
                if never_sent(error) and connects < CONNECT_RETRIES:
                    connects += 1
                    logger.warning("Bot API unreachable for %s (%s); retry %d", endpoint, error, connects)
                    await asyncio.sleep(CONNECT_RETRY_DELAY_SECONDS * connects)
                elif _transient(error) and not _at_most_once.get() and transits < TRANSIT_RETRIES:
                    transits += 1
                    logger.warning("%s failed in transit (%s); retry %d", endpoint, error, transits)
                    await asyncio.sleep(TRANSIT_RETRY_DELAY_SECONDS * 2 ** (transits - 1))
                else:
                    raise
