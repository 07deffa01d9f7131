"""The wall's history in the runtime: the store, the writer on the hub, retention, marks.

``run_history`` opens the history store (the same choice as the other stores: Redis when
configured, else ``history.sqlite3`` in the data directory); with ``settings.history`` it
puts a ``HistoryWriter`` on the hub, seeded with what every screen shows now, listens on the
bus for calls (a bridge point joining or leaving: a "call" mark), and deletes what is older
than ``settings.history_days`` at start and every hour. The routes read the store whether
or not this process writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from command_center.bus import Bus
from command_center.control_store import ControlStore
from command_center.history import HistoryStore, open_history_store
from command_center.messages import BridgePointState
from command_center.protocol import BannersMessage
from command_center.server.health import HealthMonitor
from command_center.server.history_api import HISTORY_ROUTES
from command_center.server.history_tap import NO_HISTORY
from command_center.server.history_writer import HistoryWriter
from command_center.server.hub import ScreenHub
from command_center.settings import Settings
from command_center.store import Store
from command_center.tasks import cancel_all, stop_if_cancelled

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 3600.0
DAY_MS = 86_400_000.0
CLOSE_FLUSH_S = 2.0  # the last flush on the way out; history is not worth a slow stop
# Call marks wait for the bus subscription at start, but never hold the start-up for it:
# a subscription that cannot be made (the bus down) left the server waiting with an idle loop.
SUBSCRIBE_WAIT_S = 5.0


async def enforce_retention(store: HistoryStore, days: float, now_ms: float) -> int:
    """Delete what is older than ``days`` before ``now_ms``; how many rows went."""
    gone = await store.delete_before(now_ms - days * DAY_MS)
    if gone:
        log.info("history: %d rows older than %g days deleted", gone, days)
    return gone


@dataclass
class WallHistory:
    store: HistoryStore
    writer: HistoryWriter | None

    def routes(self, screens: tuple[str, ...], store: Store) -> list[tuple[str, Any, Any]]:
        kwargs = {"history": self.store, "screens": screens, "store": store}
        return [(path, handler, kwargs) for path, handler in HISTORY_ROUTES]

    def watch(self, registry: CollectorRegistry) -> None:
        """Its counters on /metrics."""
        if self.writer is not None:
            registry.register(_HistoryCollector(self.writer))


@contextlib.asynccontextmanager
async def run_history(
    settings: Settings,
    hub: ScreenHub,
    control: ControlStore,
    bus: Bus,
    health: HealthMonitor,
    clock: Callable[[], float] = lambda: time.time() * 1000.0,
) -> AsyncIterator[WallHistory]:
    async with open_history_store(settings.data_dir, settings.redis_url) as store:
        keep = keep_retention(store, settings.history_days, clock)
        tasks = [asyncio.create_task(keep, name="history")]
        writer = None
        if settings.history:
            writer = HistoryWriter(store, control, [s.id for s in hub.wall.screens], hub.process)
            writer.start_from(
                {s.id: hub.layout_message(s.id) for s in hub.wall.screens},
                {s.id: BannersMessage(banners=hub.banners(s.id)) for s in hub.wall.screens},
            )
            hub.history = writer
            health.parts["history"] = writer.health
            ready = asyncio.Event()
            tasks.append(asyncio.create_task(writer.run(), name="history-writer"))
            tasks.append(asyncio.create_task(_calls(writer, bus, ready), name="history-calls"))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ready.wait(), SUBSCRIBE_WAIT_S)
        try:
            yield WallHistory(store, writer)
        finally:
            hub.history = NO_HISTORY
            health.parts.pop("history", None)
            await cancel_all(tasks)
            if writer is not None:
                await _last_flush(writer, control, hub.process)


async def _last_flush(writer: HistoryWriter, control: ControlStore, holder: str) -> None:
    with contextlib.suppress(Exception, TimeoutError):
        await asyncio.wait_for(writer.tick(), CLOSE_FLUSH_S)
    with contextlib.suppress(Exception, TimeoutError):  # a lease not given up expires by itself
        await asyncio.wait_for(control.release("history", holder), CLOSE_FLUSH_S)


async def keep_retention(
    store: HistoryStore,
    days: float,
    clock: Callable[[], float],
    every_s: float = RETENTION_EVERY_S,
) -> None:
    """``enforce_retention`` now and every ``every_s`` until cancelled; a failed round is
    logged and tried again at the next."""
    while True:
        try:
            await enforce_retention(store, days, clock())
        except Exception:
            stop_if_cancelled()
            log.exception("history retention failed; trying again in an hour")
        await asyncio.sleep(every_s)


async def _calls(writer: HistoryWriter, bus: Bus, ready: asyncio.Event) -> None:
    """A "call" mark when a bridge point's media starts or stops reaching the centre."""
    in_call: dict[str, bool] = {}
    try:
        await _follow_calls(writer, bus, ready, in_call)
    finally:
        ready.set()  # a failed subscription must not hold the start-up


async def _follow_calls(
    writer: HistoryWriter, bus: Bus, ready: asyncio.Event, in_call: dict[str, bool]
) -> None:
    async with bus.subscribe() as messages:
        ready.set()
        async for message in messages:
            if not isinstance(message, BridgePointState):
                continue
            if in_call.get(message.point, False) == message.in_call:
                continue
            in_call[message.point] = message.in_call
            if len(in_call) > 10_000:  # bounded: points are a registry, not a stream
                in_call = {message.point: message.in_call}
            if message.in_call:
                writer.mark(
                    "call", f"{message.name_vi} vào cuộc gọi", f"{message.name_en} joined", None
                )
            else:
                writer.mark(
                    "call", f"{message.name_vi} rời cuộc gọi", f"{message.name_en} left", None
                )


class _HistoryCollector(Collector):
    def __init__(self, writer: HistoryWriter) -> None:
        self._writer = writer

    def collect(self) -> Iterator[Metric]:
        w = self._writer
        for name, doc, value in (
            ("cc_history_messages", "Screen messages recorded in the history", w.events),
            ("cc_history_dropped", "History messages lost (store down, queue full)", w.dropped),
            ("cc_history_bytes", "Compressed history bytes written", w.bytes_written),
            ("cc_history_flushes", "History flushes written", w.flushes),
            ("cc_history_failures", "History flushes the store refused", w.failures),
        ):
            yield CounterMetricFamily(name, doc, value=value)
        yield GaugeMetricFamily("cc_history_queued", "History messages waiting", value=w.queued)
        yield GaugeMetricFamily(
            "cc_history_writer", "1 when this process writes the history", value=int(w.leader)
        )
