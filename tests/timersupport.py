"""A hand-driven monotonic clock with timers (``command_center.server.timers.Timers``).

Time moves only when a test calls ``advance``; callbacks due by then run in order of their
due time (then of scheduling), so a pacing test states durations instead of sleeping them.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class FakeTimer:
    when: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class FakeTimers:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._due: list[FakeTimer] = []
        self._seq = itertools.count()

    def time(self) -> float:
        return self.now

    def call_soon(self, callback: Callable[[], None]) -> FakeTimer:
        return self.call_at(self.now, callback)

    def call_at(self, when: float, callback: Callable[[], None]) -> FakeTimer:
        timer = FakeTimer(when, next(self._seq), callback)
        heapq.heappush(self._due, timer)
        return timer

    @property
    def pending(self) -> int:
        """Timers scheduled and neither run nor cancelled."""
        return sum(not t.cancelled for t in self._due)

    def advance(self, seconds: float = 0.0) -> None:
        """Move the clock forward, running every callback due up to the new time (a
        callback scheduled by one that runs is run too if it is due)."""
        until = self.now + seconds
        while self._due and self._due[0].when <= until:
            timer = heapq.heappop(self._due)
            self.now = max(self.now, timer.when)
            if not timer.cancelled:
                timer.callback()
        self.now = until
