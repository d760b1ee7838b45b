"""PTB's ``AIORateLimiter`` (Telegram's flood limits, waiting out ``RetryAfter``) plus retries when
the Bot API could not be reached at all.

A failed connection means the request never left, so repeating it cannot send
a message twice; a timeout or a broken response might have been delivered, so
those are not retried here (the error handler logs them).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

FLOOD_RETRIES = 3  # RetryAfter is waited out this many times before the call fails
CONNECT_RETRIES = 3
CONNECT_RETRY_DELAY_SECONDS = 1.0  # multiplied by the attempt number


def never_sent(error: NetworkError) -> bool:
    """The request failed before reaching Telegram (no connection could be made)."""
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout)


class RateLimiter(AIORateLimiter):
    """``AIORateLimiter`` that also retries requests whose connection failed."""

    def __init__(self) -> None:
        super().__init__(max_retries=FLOOD_RETRIES)

    async def process_request(  # noqa: PLR0917 - the signature of BaseRateLimiter.process_request
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in range(1, CONNECT_RETRIES + 2):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if attempt > CONNECT_RETRIES or not never_sent(error):
                    raise
                logger.warning("Bot API unreachable for %s (%s); retry %d", endpoint, error, attempt)
                await asyncio.sleep(CONNECT_RETRY_DELAY_SECONDS * attempt)
        raise AssertionError("unreachable")  # pragma: no cover
