"""The room's sense of elapsed time: a monotonic reading and a sleep on the same scale.

The watchdog, the statistics ticker, link liveness and speaker ranking all measure spans
on one ``Clock``, so a test can move time forward instead of waiting it out. Wall-clock
timestamps (event ``ts``, frame arrival) are a different thing and stay ``time.time``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Return once ``seconds`` have passed on this clock."""
        ...


class SystemClock:
    """The real one: ``time.monotonic`` and ``asyncio.sleep``."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
