"""A monotonic clock a test can move forward: ``SteppedClock`` for ``VideoRoom``.

Real time still passes (the room's timers tick at their pace, real peers keep talking),
and ``advance`` skips ahead on top of it, waking every sleeper whose time has come. A test
that must show "longer than the link timeout" skips the wait instead of sleeping it out.
"""

from __future__ import annotations

import asyncio
import contextlib
import time


class SteppedClock:
    def __init__(self) -> None:
        self._skipped = 0.0
        self._sleepers: set[asyncio.Event] = set()

    def now(self) -> float:
        return time.monotonic() + self._skipped

    async def sleep(self, seconds: float) -> None:
        until = self.now() + seconds
        while (left := until - self.now()) > 0:
            woken = asyncio.Event()
            self._sleepers.add(woken)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), left)
            finally:
                self._sleepers.discard(woken)

    def advance(self, seconds: float) -> None:
        """Move ``seconds`` ahead at once; sleepers due by then return."""
        self._skipped += seconds
        for woken in list(self._sleepers):
            woken.set()
