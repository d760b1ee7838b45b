"""The bot's rate limiter: Telegram's flood limits, per chat, and retries of requests that failed in transit.

Telegram allows about 30 messages a second overall and 20 a minute in one group.
Every request that names a chat waits for a free place in its group's window
(if any), then in the overall one; a request that names no chat
(``answerCallbackQuery``, ``answerInlineQuery``) waits for neither.  A group over
its limit therefore delays only its own messages, and ``RetryAfter`` is waited out
by the request that got it, not by the whole bot.

A window counts a request from the moment it starts, with a margin on the period
(:data:`MARGIN`) for the requests that take longer than others to arrive.  Few
requests are under way at once, and answers to button presses have places of their own.

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
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.tg.connections import never_sent

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
_Result = bool | JSONDict | list[JSONDict]

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
MARGIN = 1.1  # periods are 10 % longer than Telegram's, for requests that take longer than others to arrive
# Requests on their way to the Bot API at once; the rest wait here, in order, rather than a thousand
# at once each waiting for all the others.  Among a thousand users asking (benchmarks.load) 8, 32 and
# 128 answers in flight gave the same callback p99 (1.1-1.4 s); 32 leaves room for Telegram's round trip.
IN_FLIGHT_MESSAGES = 16
IN_FLIGHT_ANSWERS = 32  # answers to button presses and inline queries, which name no chat
FLOOD_RETRIES = 3  # RetryAfter is waited out this many times before the call fails
CONNECT_RETRIES = 3
CONNECT_RETRY_DELAY_SECONDS = 1.0  # multiplied by the attempt number
TRANSIT_RETRIES = 3  # 5xx, dropped connections, timeouts
TRANSIT_RETRY_DELAY_SECONDS = 1.0  # doubled at each attempt

_at_most_once: contextvars.ContextVar[bool] = contextvars.ContextVar("at_most_once", default=False)
_request_started: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "request_started", default=None
)


@contextlib.contextmanager
def at_most_once(started: Callable[[], None] | None = None) -> Iterator[None]:
    """Requests made inside are not repeated when they may have reached Telegram.

    Args:
        started: called just before each request leaves (after any wait for flood limits).
    """
    token, hook = _at_most_once.set(True), _request_started.set(started)
    try:
        yield
    finally:
        _request_started.reset(hook)
        _at_most_once.reset(token)


class Window:
    """At most ``limit`` requests started in any ``period`` seconds; waiting requests are served in turn."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._started: deque[float] = deque()  # monotonic start times of the latest requests
        self._turn = asyncio.Lock()  # first come, first served

    @property
    def idle(self) -> bool:
        return not self._started or time.monotonic() - self._started[-1] >= self.period

    async def acquire(self) -> None:
        async with self._turn:
            while True:
                now = time.monotonic()
                while self._started and now - self._started[0] >= self.period:
                    self._started.popleft()
                if len(self._started) < self.limit:
                    self._started.append(now)
                    return
                await asyncio.sleep(self._started[0] + self.period - now)


def _transient(error: NetworkError) -> bool:
    """A 5xx, a dropped connection or a timeout: worth another try."""
    return not isinstance(error, BadRequest) and not never_sent(error)


class RateLimiter(BaseRateLimiter[int]):
    """Per-group and overall windows, per-request flood waits, retries (``rate_limit_args``: flood retries)."""

    def __init__(self, overall_per_second: int = OVERALL_PER_SECOND, group_per_minute: int = GROUP_PER_MINUTE) -> None:
        self._overall = Window(overall_per_second, 1.0 * MARGIN)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, Window] = {}
        self._messages = asyncio.Semaphore(IN_FLIGHT_MESSAGES)
        self._answers = asyncio.Semaphore(IN_FLIGHT_ANSWERS)
        self._answers_pending = 0
        self._no_answers_pending = asyncio.Event()
        self._no_answers_pending.set()

    async def answers_sent(self) -> None:
        """Return once no request that names no chat (a button's or an inline query's answer) is waiting."""
        await self._no_answers_pending.wait()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group_window(self, chat_id: int | str) -> Window:
        if len(self._groups) > 1000:  # forget groups that have been quiet for a minute
            self._groups = {key: window for key, window in self._groups.items() if not window.idle}
        return self._groups.setdefault(chat_id, Window(self._group_per_minute, 60.0 * MARGIN))

    async def _send(
        self, callback: Callable[..., Coroutine[Any, Any, _Result]], args: Any, kwargs: dict[str, Any], data: JSONDict
    ) -> _Result:
        """One attempt, once the windows have room (the overall one is taken last, just before sending)."""
        chat_id = data.get("chat_id")
        if chat_id is None:
            self._answers_pending += 1
            self._no_answers_pending.clear()
            try:
                async with self._answers:
                    return await callback(*args, **kwargs)
            finally:
                self._answers_pending -= 1
                if not self._answers_pending:
                    self._no_answers_pending.set()
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)
        if not isinstance(chat_id, int) or chat_id < 0:  # groups, supergroups, channels (@name)
            await self._group_window(chat_id).acquire()
        async with self._messages:
            await self._overall.acquire()
            if (started := _request_started.get()) is not None:
                started()
            return await callback(*args, **kwargs)

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
                return await self._send(callback, args, kwargs, data)
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
