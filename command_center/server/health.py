"""What ``/health`` says: the state of each dependency, and the server's as a whole.

    dependency   ok                  degraded                          down
    store        answers, disk room  slow (probe over its bound), or   unreachable / disk full
                                     fewer replicas than a write awaits
    bus          linked              -                                 reconnecting
    video        ICE servers answer  some configured ICE server down   -
    loop_lag     p99 (10 s) < 1 s    p99 over 1 s                      -
    feeds_overdue  (information: an agency's late report is the agency's, not the server's)

The server is ``ok`` when every dependency is, ``degraded`` while one is not (the wall keeps
showing what it has: screens stay linked, posts get 503 with Retry-After), and ``down`` only
while it is shutting down (a monitor or load balancer should send people elsewhere).

The store is probed with one cheap bounded call, at most once per ``PROBE_TTL_S`` however
many ask (``/health`` cannot be used to hammer Redis); a watcher task probes every second,
so a change shows within ~2 s, and tells the screens (their "data delayed" marker).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from command_center.redis_client import NotReplicated
from command_center.server.loop_lag import LoopLag
from command_center.tasks import cancel_all

Status = Literal["ok", "degraded", "down"]

PROBE_TTL_S = 1.0
PROBE_TIMEOUT_S = 2.0
WATCH_EVERY_S = 1.0
# Below this much free space the embedded store's next write may fail: call it full.
MIN_FREE_BYTES = 1024 * 1024
LOOP_LAG_DEGRADED_MS = 1000.0
LOOP_LAG_WINDOW_S = 10.0
_RANK: dict[Status, int] = {"ok": 0, "degraded": 1, "down": 2}


@dataclass(frozen=True)
class Dependency:
    status: Status
    detail: str | None = None


def worst(statuses: list[Status]) -> Status:
    return max(statuses, key=_RANK.__getitem__, default="ok")


class StoreProbe:
    """One bounded call against the store, cached for ``ttl_s``; callers arriving while a
    probe runs share it. ``data_dir`` (embedded store) adds a check of the disk's room."""

    def __init__(
        self,
        call: Callable[[], Awaitable[object]],
        data_dir: Path | None = None,
        *,
        ttl_s: float = PROBE_TTL_S,
        timeout_s: float = PROBE_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._call = call
        self._data_dir = data_dir
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._cached: tuple[float, Dependency] | None = None
        self._running: asyncio.Future[Dependency] | None = None
        self.probes = 0  # how many probes really ran (tests check the cache holds)

    async def check(self) -> Dependency:
        now = self._clock()
        if self._cached is not None and now - self._cached[0] < self._ttl_s:
            return self._cached[1]
        if self._running is None:
            self._running = asyncio.ensure_future(self._probe())
        running = self._running
        try:
            result = await asyncio.shield(running)
        finally:
            if running.done() and self._running is running:
                self._running = None
        self._cached = (self._clock(), result)
        return result

    async def _probe(self) -> Dependency:
        self.probes += 1
        if self._data_dir is not None:
            try:
                room = os.statvfs(self._data_dir)
            except OSError as exc:
                return Dependency("down", f"data directory unreadable: {exc}")
            free = room.f_bavail * room.f_frsize
            if free < MIN_FREE_BYTES:
                return Dependency(
                    "down", f"disk full: {free // 1024} KiB free under {self._data_dir}"
                )
        try:
            await asyncio.wait_for(self._call(), self._timeout_s)
        except NotReplicated as exc:  # answers, but refuses writes until a replica is back
            return Dependency("degraded", str(exc))
        except TimeoutError:
            return Dependency("degraded", f"no answer within {self._timeout_s:g} s")
        except Exception as exc:
            return Dependency("down", f"{type(exc).__name__}: {exc}"[:300])
        return Dependency("ok")


class HealthMonitor:
    """Puts ``/health`` together from its parts; ``watch`` reports changes of the whole."""

    def __init__(
        self,
        store: StoreProbe,
        bus_health: Callable[[], dict[str, Any]],
        loop_lag: LoopLag | None = None,
        ice_down: Callable[[], list[str]] | None = None,
        feeds_overdue: Callable[[], int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._bus_health = bus_health
        self._loop_lag = loop_lag
        self._ice_down = ice_down
        self._feeds_overdue = feeds_overdue
        self._clock = clock
        self.stopping = False
        # dependency -> (status, since epoch ms), for "since" in the report.
        self._since: dict[str, tuple[Status, float]] = {}
        self.status: Status = "ok"
        # More parts by name, each a cheap call (the history writer's): shown, but not
        # counted in the server's status (the wall shows live data whatever they say).
        self.parts: dict[str, Callable[[], Dependency]] = {}

    async def dependencies(self) -> dict[str, dict[str, Any]]:
        deps: dict[str, Dependency] = {"store": await self._store.check()}
        bus = self._bus_health()
        deps["bus"] = (
            Dependency("ok")
            if bus["state"] == "ok"
            else Dependency("down", f"reconnecting ({bus['reconnects']} reconnects so far)")
        )
        down = self._ice_down() if self._ice_down is not None else []
        deps["video"] = (
            Dependency("degraded", f"ICE server(s) not answering: {', '.join(down)}")
            if down
            else Dependency("ok")
        )
        if self._loop_lag is not None:
            p99 = float(self._loop_lag.snapshot(LOOP_LAG_WINDOW_S)["p99_ms"])
            deps["loop_lag"] = (
                Dependency("degraded", f"p99 {p99:.0f} ms over the last 10 s")
                if p99 > LOOP_LAG_DEGRADED_MS
                else Dependency("ok")
            )
        deps.update((name, part()) for name, part in self.parts.items())
        report = {name: self._with_since(name, dep) for name, dep in deps.items()}
        if self._feeds_overdue is not None:
            report["feeds_overdue"] = {"status": "ok", "count": self._feeds_overdue()}
        if bus["down_since"] is not None:
            report["bus"]["since"] = bus["down_since"]
        return report

    def _with_since(self, name: str, dep: Dependency) -> dict[str, Any]:
        now = self._clock() * 1000.0
        before = self._since.get(name)
        if before is None or before[0] != dep.status:
            before = self._since[name] = (dep.status, now)
        entry: dict[str, Any] = {"status": dep.status}
        if dep.status != "ok":
            entry["since"] = before[1]
            entry["detail"] = dep.detail
        return entry

    async def report(self) -> tuple[Status, dict[str, dict[str, Any]]]:
        deps = await self.dependencies()
        counted = [
            d["status"]
            for name, d in deps.items()
            if name != "feeds_overdue" and name not in self.parts
        ]
        status: Status = "down" if self.stopping else "degraded" if worst(counted) != "ok" else "ok"
        self.status = status
        return status, deps

    async def watch(self, on_change: Callable[[Status, list[str]], None]) -> None:
        """Probe every ``WATCH_EVERY_S``; call ``on_change(status, reasons)`` when the
        server's status or its reasons change."""
        last: tuple[Status, list[str]] | None = None
        while True:
            status, deps = await self.report()
            reasons = sorted(name for name, d in deps.items() if d["status"] != "ok")
            # Stopping: the screens were told "restarting"; no marker for that.
            if (status, reasons) != last and not self.stopping:
                last = (status, reasons)
                on_change(status, reasons)
            await asyncio.sleep(WATCH_EVERY_S)


@contextlib.asynccontextmanager
async def watch_health(
    monitor: HealthMonitor, on_change: Callable[[Status, list[str]], None]
) -> AsyncIterator[HealthMonitor]:
    task = asyncio.create_task(monitor.watch(on_change), name="health-watch")
    try:
        yield monitor
    finally:
        await cancel_all([task])
