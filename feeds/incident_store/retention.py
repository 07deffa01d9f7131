"""Resolved incidents are kept for a retention period, then deleted (open ones never are)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from command_center.tasks import cancel_all
from feeds.incident_store.base import IncidentStore

log = logging.getLogger(__name__)

DAY_MS = 24 * 3600 * 1000.0


async def purge_once(store: IncidentStore, days: float, now_ms: float) -> int:
    removed = await store.purge(now_ms - days * DAY_MS)
    if removed:
        log.info("incidents: %d resolved more than %g days ago removed", removed, days)
    return removed


@contextlib.asynccontextmanager
async def keep_incidents(
    store: IncidentStore,
    days: float,
    interval_s: float = 3600.0,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[None]:
    """Purge at start, then every ``interval_s``, until the block exits."""

    async def run() -> None:
        me = asyncio.current_task()
        while True:
            try:
                await purge_once(store, days, clock() * 1000.0)
            except Exception:  # the store down for a while: say so, try at the next tick
                log.exception("incidents: purge failed; trying again in %g s", interval_s)
            # redis-py may swallow a cancel that lands inside a pipeline: honour it here.
            if me is not None and me.cancelling():
                return
            await asyncio.sleep(interval_s)

    task = asyncio.create_task(run(), name="incident-retention")
    try:
        yield
    finally:
        await cancel_all([task])
