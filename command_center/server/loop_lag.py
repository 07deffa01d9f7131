"""How late the event loop runs what is due: the one loop serves every screen, so a handler
that holds it for 200 ms freezes the whole wall for 200 ms.

A sleeper asks to wake every ``interval_s``; how much later than asked it wakes is the lag.
The last minute's samples are kept (a bounded ring) and ``/health`` shows their p99 and max.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from command_center.tasks import cancel_all


@dataclass
class LoopLag:
    interval_s: float = 0.05
    window_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    # (when, lag in ms); at most window_s / interval_s samples.
    _samples: deque[tuple[float, float]] = field(init=False)

    def __post_init__(self) -> None:
        self._samples = deque(maxlen=math.ceil(self.window_s / self.interval_s) + 1)

    def record(self, now: float, lag_ms: float) -> None:
        self._samples.append((now, max(0.0, lag_ms)))

    def snapshot(self, window_s: float | None = None) -> dict[str, float | int]:
        """p99 and max over the window (or the last ``window_s`` of it), in ms; zeros
        before the first sample."""
        horizon = self.clock() - min(window_s or self.window_s, self.window_s)
        lags = sorted(lag for at, lag in self._samples if at >= horizon)
        if not lags:
            return {"p99_ms": 0.0, "max_ms": 0.0, "samples": 0}
        p99 = lags[min(len(lags) - 1, math.ceil(0.99 * len(lags)) - 1)]
        return {"p99_ms": round(p99, 2), "max_ms": round(lags[-1], 2), "samples": len(lags)}

    async def run(self) -> None:
        while True:
            asked = self.clock()
            await asyncio.sleep(self.interval_s)
            woke = self.clock()
            self.record(woke, (woke - asked - self.interval_s) * 1000.0)


@contextlib.asynccontextmanager
async def watch_loop(lag: LoopLag) -> AsyncIterator[LoopLag]:
    task = asyncio.create_task(lag.run(), name="loop-lag")
    try:
        yield lag
    finally:
        await cancel_all([task])
