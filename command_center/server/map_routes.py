"""The map's routes (incidents, focus) with what their handlers need, for ``open_runtime``."""

from __future__ import annotations

from typing import Any

from command_center.bus import Bus
from command_center.server.focus_api import FOCUS_ROUTES
from command_center.server.incidents_api import INCIDENT_ROUTES
from command_center.server.keys import Keys
from command_center.server.map_feed import MapFeed
from command_center.store import Store
from feeds.incident_store import IncidentStore
from feeds.loader import FeedsSpec

MAP_ROUTES = [*INCIDENT_ROUTES, *FOCUS_ROUTES]


def map_routes(
    feeds: FeedsSpec,
    store: Store,
    incidents: IncidentStore,
    bus: Bus,
    keys: Keys,
    maps: MapFeed,
) -> list[tuple[str, Any, dict[str, Any]]]:
    reporting = {"feeds": feeds, "incidents": incidents, "bus": bus, "keys": keys}
    focusing = {"store": store, "bus": bus, "keys": keys, "maps": maps}
    return [(p, h, reporting) for p, h in INCIDENT_ROUTES] + [
        (p, h, focusing) for p, h in FOCUS_ROUTES
    ]
