"""Playing a scripted scenario (``feeds/scenarios.py``) into the running wall: each step's
incident row goes through the incidents API's own checks, store and bus, at its time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from command_center.bus import Bus
from command_center.server.incidents_api import store_and_announce
from command_center.tasks import cancel_all
from feeds.incident_store import IncidentStore
from feeds.incidents import validate_incidents
from feeds.periods import TIME_ZONE
from feeds.scenarios import SCENARIO_AGENCY, SCENARIOS

log = logging.getLogger(__name__)


async def play(name: str, incidents: IncidentStore, bus: Bus) -> None:
    started = asyncio.get_running_loop().time()
    occurred = datetime.now(TIME_ZONE).isoformat()
    for step in SCENARIOS[name]:
        await asyncio.sleep(max(0.0, started + step.after_s - asyncio.get_running_loop().time()))
        now = datetime.now(TIME_ZONE)
        row = {**step.row, "occurred_at": occurred}
        batch = validate_incidents([row], SCENARIO_AGENCY, None, now)
        await store_and_announce(incidents, bus, SCENARIO_AGENCY, batch)
        log.info("scenario %s: %s %s", name, row["id"], row["status"])


@contextlib.asynccontextmanager
async def run_scenario(name: str | None, incidents: IncidentStore, bus: Bus) -> AsyncIterator[None]:
    task = asyncio.create_task(play(name, incidents, bus), name="scenario") if name else None
    try:
        yield
    finally:
        if task is not None:
            await cancel_all([task])
