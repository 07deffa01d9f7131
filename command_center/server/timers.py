"""The clocks and timers the screen hub runs on, injected so tests can drive them.

Two clocks, on purpose: ``wall_ms`` is epoch milliseconds (what screens are told: they
align their own clocks to it and swap at an agreed instant), ``Timers.time`` is monotonic
seconds (when a screen's next data message may go). ``LoopTimers`` is the real thing, the
event loop's own clock and callbacks; a test passes a fake it advances by hand.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol


def wall_ms() -> float:
    """Now, epoch milliseconds."""
    return time.time() * 1000.0


class Timer(Protocol):
    def cancel(self) -> None: ...


class Timers(Protocol):
    """A monotonic clock and callbacks due on it."""

    def time(self) -> float:
        """Now, monotonic seconds."""
        ...

    def call_soon(self, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` at the next turn, after what is already due."""
        ...

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` once ``time()`` reaches ``when``."""
        ...


class LoopTimers:
    """``Timers`` on an asyncio event loop (the default)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def time(self) -> float:
        return self._loop.time()

    def call_soon(self, callback: Callable[[], None]) -> Timer:
        return self._loop.call_soon(callback)

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        return self._loop.call_at(when, callback)
