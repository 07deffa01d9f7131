"""The indicator feeds of one server: what keeps the indicator tiles live.

Opened by ``open_runtime``, closed in reverse: the tiles are first filled from the
observation store, then every ``ObservationsAccepted`` on the bus (from this process's
ingestion API, another process's, or the simulator) updates the tiles it touches. The
simulator (the quick start's default), the pollers and the folder watchers report
through the same checks, store and bus as the push API, so the wall cannot tell them apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from command_center.bus import Bus, BusResumed
from command_center.messages import ObservationsAccepted
from command_center.server.hub import ScreenHub
from command_center.server.indicator_feed import IndicatorFeed
from command_center.server.trend_feed import ChartingIndicatorFeed
from command_center.settings import Settings
from command_center.tasks import cancel_all, stop_if_cancelled
from feeds.acceptance import LocalObservationsAccepted, accepted_observations, store_and_announce
from feeds.folder_watch import run_folder_watch
from feeds.ingest import validate_batch
from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationConflict, ObservationStore
from feeds.observations import Observation
from feeds.periods import TIME_ZONE
from feeds.poller import run_poller
from feeds.simulator import SimClock, run_simulator

log = logging.getLogger(__name__)

# A batch from another process is validated off the event loop above this size, so the
# screens keep flushing while a 10,000-row batch is checked.
THREAD_ABOVE_ROWS = 500

# Indicator tiles are recomputed at once after a quiet spell, then at most this often
# (and never more than the feed's duty share of the time: IndicatorFeed.run), however fast
# reports arrive. 50 ms: a report under heavy reporting waits at most that (issue 14: agency
# POST to glass p99 ≤ 150 ms at 100 posts/s), and ingestion still keeps ≥ 80 % of the time.
TILE_REFRESH_S = 0.05
# The ingestion API's limit: the simulator's history goes in batches of this size.
BATCH = 10_000


async def _history(store: ObservationStore) -> list[Observation]:
    """Every stored series at its latest revisions (the sparklines need the past)."""
    out: list[Observation] = []
    for newest in await store.latest():
        out += await store.series(newest.indicator, newest.area.key)
    return out


async def _follow(
    bus: Bus, feed: IndicatorFeed, store: ObservationStore, ready: asyncio.Event
) -> None:
    async with bus.subscribe() as messages:
        ready.set()
        async for message in messages:
            if isinstance(message, BusResumed):
                # Reports accepted while the bus was down were announced to nobody.
                try:
                    feed.accept(await _history(store))
                except Exception:
                    stop_if_cancelled()
                    log.exception("could not re-read the indicators after a bus outage")
                continue
            if not isinstance(message, ObservationsAccepted):
                continue
            try:
                if (
                    isinstance(message, LocalObservationsAccepted)
                    or len(message.observations) <= THREAD_ABOVE_ROWS
                ):
                    batch = accepted_observations(message)
                else:
                    batch = await asyncio.to_thread(accepted_observations, message)
                feed.accept(batch, message.ts)
            except Exception:  # one bad batch must not stop the wall's indicators
                stop_if_cancelled()
                log.exception("could not show %d observations", len(message.observations))


def _simulated(store: ObservationStore, bus: Bus) -> Callable[[list[Observation]], Awaitable[None]]:
    async def report(batch: list[Observation]) -> None:
        for start in range(0, len(batch), BATCH):
            try:
                await store_and_announce(store, bus, "simulator", batch[start : start + BATCH])
            except ObservationConflict as exc:
                # A data folder filled by a simulator with another seed: say so, go on.
                log.warning("simulated reports clash with stored ones: %s", exc.message)

    return report


def _adapter_sink(
    feeds: FeedsSpec, store: ObservationStore, bus: Bus
) -> Callable[[str, list[Any], str], Awaitable[int]]:
    """What a poller or folder watcher reports through: the push API's own checks, then
    the store and the bus. A rejection (``WallError``) goes back to the adapter."""

    async def report(agency: str, rows: list[Any], source: str) -> int:
        batch = validate_batch(
            rows, feeds.catalogue, feeds.reporter(agency), datetime.now(TIME_ZONE)
        )
        result = await store_and_announce(store, bus, agency, batch)
        log.info("%s: %d accepted from %s", agency, len(result.accepted), source)
        return len(result.accepted)

    return report


@contextlib.asynccontextmanager
async def run_feeds(
    settings: Settings,
    feeds: FeedsSpec,
    hub: ScreenHub,
    store: ObservationStore,
    bus: Bus,
) -> AsyncIterator[IndicatorFeed]:
    real: Callable[[], datetime] = lambda: datetime.now(TIME_ZONE)  # noqa: E731
    # With a sped-up simulator, lateness is judged on the simulated calendar too.
    clock = (
        SimClock(real, settings.sim_speed, settings.sim_start).now if settings.simulate else real
    )
    feed = ChartingIndicatorFeed(feeds, hub, clock)
    ready = asyncio.Event()
    tasks = [asyncio.create_task(_follow(bus, feed, store, ready), name="feeds-follow")]
    await ready.wait()
    feed.accept(await _history(store))
    await feed.flush()
    tasks.append(asyncio.create_task(feed.run(TILE_REFRESH_S), name="feeds-tiles"))
    if settings.simulate:
        tasks.append(
            asyncio.create_task(
                run_simulator(
                    _simulated(store, bus),
                    feeds.catalogue,
                    feeds.agencies,
                    settings.sim_speed,
                    real,
                    seed=settings.sim_seed,
                    origin=settings.sim_start,
                ),
                name="feeds-simulator",
            )
        )
    sink = _adapter_sink(feeds, store, bus)
    for agency, url in settings.polls:
        tasks.append(
            asyncio.create_task(
                run_poller(url, agency, feeds, sink, settings.poll_interval_s, real),
                name=f"poll-{agency}",
            )
        )
    for agency, folder in settings.watches:
        tasks.append(
            asyncio.create_task(
                run_folder_watch(
                    folder,
                    agency,
                    feeds,
                    sink,
                    settings.watch_interval_s,
                    state_dir=settings.data_dir / "folder-watch",
                ),
                name=f"watch-{agency}",
            )
        )
    try:
        yield feed
    finally:
        await cancel_all(tasks)
