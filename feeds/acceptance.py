"""Accepting observations: stored durably first, then announced on the bus.

The push API, the simulator, the pollers and the folder watchers all accept through here,
so "accepted" means the same everywhere: on disk (or in Redis) before anyone is told.
"""

from __future__ import annotations

import logging
import time

from command_center.bus import Bus
from command_center.messages import ObservationsAccepted
from feeds.observation_store import AppendResult, ObservationStore
from feeds.observations import Observation

log = logging.getLogger(__name__)


async def store_and_announce(
    store: ObservationStore, bus: Bus, agency: str, batch: list[Observation]
) -> AppendResult:
    """Append ``batch`` (all or nothing), then publish what was new to the store."""
    result = await store.append(batch)  # durable when it returns
    if result.accepted:
        message = ObservationsAccepted(
            agency=agency,
            observations=[o.model_dump(mode="json") for o in result.accepted],
            ts=time.time() * 1000.0,
        )
        try:
            await bus.publish(message)
        except Exception:  # stored already: a fan-out failure must not unsay "accepted"
            log.exception("could not publish %d accepted observations", len(result.accepted))
    return result
