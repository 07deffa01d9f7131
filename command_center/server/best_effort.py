"""Bookkeeping that must never cost a screen its link: health records, presence renewals,
swap reports.

A screen link's own work is sending layouts and data; what the server writes down about the
screen (its record in the store, its presence on the bus) is best-effort. During a Redis
outage or a full disk those writes fail, and before they were awaited on the link's path:
the error closed the link, so every screen was dropped at its first health report and again
after each reconnect. Here each write runs as its own task, off the link's path; at most one
per key is in flight and a newer one waits behind it (latest wins, so a hung store cannot
pile tasks up), and failures are logged at a bounded rate: one line per kind per period,
with the count since the last line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from command_center.tasks import cancel_all

log = logging.getLogger(__name__)

LOG_EVERY_S = 30.0

Job = Callable[[], Coroutine[Any, Any, None]]


class RateLimitedLog:
    """``failed(kind, exc)``: the first failure of a kind is logged at once, later ones at
    most once per ``every_s`` with how many there were meanwhile."""

    def __init__(
        self,
        logger: logging.Logger,
        every_s: float = LOG_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._every_s = every_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._unlogged: dict[str, int] = {}

    def failed(self, kind: str, exc: BaseException) -> None:
        now = self._clock()
        count = self._unlogged.get(kind, 0) + 1
        last = self._last.get(kind)
        if last is not None and now - last < self._every_s:
            self._unlogged[kind] = count
            return
        self._last[kind] = now
        self._unlogged[kind] = 0
        self._log.warning(
            "%s failed %d time(s) in the last %.0f s (screen links stay open): %s: %s",
            kind,
            count,
            self._every_s,
            type(exc).__name__,
            exc,
        )


class Bookkeeping:
    """Runs best-effort jobs off the caller's path, one in flight per key."""

    def __init__(self, errors: RateLimitedLog | None = None) -> None:
        self._errors = errors or RateLimitedLog(log)
        self._running: dict[str, asyncio.Task[None]] = {}
        self._next: dict[str, tuple[str, Job]] = {}
        # Epoch seconds of the last failure and the last success of any job: ``/health``.
        self.failed_at: float | None = None
        self.succeeded_at: float | None = None
        self._stopped = False

    def run(self, key: str, kind: str, job: Job) -> None:
        """Start ``job()`` now, or after the one of the same ``key`` still running (only
        the newest waiting job is kept)."""
        if self._stopped:
            return  # shutting down: the bus and stores are about to close
        if key in self._running:
            self._next[key] = (kind, job)
            return
        self._running[key] = asyncio.create_task(self._guarded(key, kind, job))

    async def _guarded(self, key: str, kind: str, job: Job) -> None:
        try:
            while True:
                try:
                    await job()
                    self.succeeded_at = time.time()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.failed_at = time.time()
                    self._errors.failed(kind, exc)
                nxt = self._next.pop(key, None)
                if nxt is None:
                    return
                kind, job = nxt
        finally:
            self._running.pop(key, None)

    @property
    def in_flight(self) -> int:
        return len(self._running)

    async def drain(self, timeout_s: float) -> None:
        """Let the jobs under way finish (the "offline" presence of screens closed at
        shutdown, so other processes need not wait for the TTL), for at most ``timeout_s``."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while self._running:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            await asyncio.wait(list(self._running.values()), timeout=left)

    async def stop(self) -> None:
        self._stopped = True
        self._next.clear()
        tasks = list(self._running.values())
        await cancel_all(tasks)
