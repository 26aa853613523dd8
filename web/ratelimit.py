"""Rate limits with the ``limits`` library: in memory by default, in Redis when several workers run.

Limits read like ``10/minute`` (settings ``VERITY_RATE_LIMIT_*``). A refused hit is a
``RateLimitedError`` carrying the seconds until the window frees a slot, which HTTP turns into a
429 with ``Retry-After``. Several keys can be charged at once (an anonymous visitor is limited per
session and per address, so clearing cookies does not reset the count).
"""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from copilot.config import Settings
from copilot.errors import RateLimitedError


def build_storage(settings: Settings) -> Storage:
    """Redis when ``VERITY_REDIS_URL`` is set (shared by every worker), else this process's memory."""
    if settings.redis_url:
        storage = storage_from_string(f"async+{settings.redis_url}", implementation="redispy")
    else:
        storage = storage_from_string("async+memory://")
    assert isinstance(storage, Storage)  # an async+ URI always gives an async storage
    return storage


class RateLimiter:
    """Charges named limits per key; raises ``RateLimitedError`` with ``retry_after`` when over."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    async def hit(self, limit: str, scope: str, *keys: str) -> None:
        """Charge one hit to every key under ``limit``; refuse when any of them is over it."""
        item = parse(limit)
        for key in keys:
            if not await self.strategy.hit(item, scope, key):
                stats = await self.strategy.get_window_stats(item, scope, key)
                wait = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimitedError(
                    f"too many requests ({limit}); try again in {wait} s", retry_after=float(wait)
                )

    async def reset(self) -> None:
        await self.storage.reset()
