"""The bot's Bot API requests, spread over several small connection pools.

PTB sends every request through one ``httpx`` client, whose connection pool (httpcore)
looks at each of its connections twice per request: whether it has expired (a socket
check for every idle one) and how many are idle (a count over all of them, for each
idle one).  The cost of a request so grows with the square of the connections the
pool holds.  With a few dozen requests under way — a crowd pressing buttons — the
pool's bookkeeping took 43 % of the bot's CPU, more than the requests themselves:
500 button presses at once cost the bot 2.4 s of CPU through PTB's one pool of 256
connections, 1.4 s through 7 pools of 8.  Among a thousand questions
(``python -m benchmarks.load``), 14 pools of 4 answer the last presses about 0.2 s
sooner than 7 pools of 8.

:class:`PooledRequest` keeps several ordinary ``HTTPXRequest``\\ s, each with a small
pool, and sends each request through the one with the fewest under way.  Together
they hold a connection for every request the rate limiter lets out at once
(:data:`~bot.tg.ratelimit.IN_FLIGHT_MESSAGES` + :data:`~bot.tg.ratelimit.IN_FLIGHT_ANSWERS`)
and for file downloads besides, so no request waits for a connection.
"""

from __future__ import annotations

import math

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.tg.ratelimit import IN_FLIGHT_ANSWERS, IN_FLIGHT_MESSAGES

POOL_SIZE = 4  # connections per pool
SPARE_CONNECTIONS = 8  # beyond what the rate limiter lets out: file downloads, which it does not see
POOLS = math.ceil((IN_FLIGHT_MESSAGES + IN_FLIGHT_ANSWERS + SPARE_CONNECTIONS) / POOL_SIZE)


class PooledRequest(BaseRequest):
    """``HTTPXRequest``\\ s with small pools, each request sent through the least busy one."""

    def __init__(self, proxy: str | None = None, pools: int = POOLS, pool_size: int = POOL_SIZE) -> None:
        """
        Args:
            proxy: the proxy every request goes through (``http://``, ``https://``, ``socks5://``), if any.
            pools: how many pools.
            pool_size: connections in each.
        """
        self._pools = tuple(HTTPXRequest(connection_pool_size=pool_size, proxy=proxy) for _ in range(pools))
        self._under_way = [0] * pools

    @property
    def read_timeout(self) -> float | None:
        return self._pools[0].read_timeout

    @property
    def under_way(self) -> tuple[int, ...]:
        """Requests under way in each pool (for diagnostics and tests)."""
        return tuple(self._under_way)

    async def initialize(self) -> None:
        for pool in self._pools:
            await pool.initialize()

    async def shutdown(self) -> None:
        for pool in self._pools:
            await pool.shutdown()

    async def do_request(  # noqa: PLR0917 - the signature of BaseRequest.do_request
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        index = min(range(len(self._pools)), key=self._under_way.__getitem__)
        self._under_way[index] += 1
        try:
            return await self._pools[index].do_request(
                url,
                method,
                request_data=request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        finally:
            self._under_way[index] -= 1
