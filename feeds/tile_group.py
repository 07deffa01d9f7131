"""The indicator-group tile's data: several indicators for one area, one row each
(``assets/wall/tiles/indicator-group.js``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from feeds.agencies import AgencyRegistry
from feeds.catalogue import Catalogue
from feeds.observations import Area, Observation
from feeds.tile_common import latest_revisions
from feeds.tile_indicator import indicator_data
from feeds.tile_payloads import GroupPayload


def group_data(
    catalogue: Catalogue,
    codes_: Iterable[str],
    area: Area,
    observations: Iterable[Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
    sparkline: int = 8,
) -> GroupPayload:
    """The ``indicator-group`` tile: one ``indicator_data`` per code, in order.

    The frame's single age is the oldest item's, and it turns stale when the first item
    goes late: a block is never fresher than its oldest value.
    """
    latest = latest_revisions(observations)
    items = [
        indicator_data(catalogue.get(code), area, latest, now, agencies, sparkline)
        for code in codes_
    ]
    ages = [i["as_of"] for i in items if i["as_of"] is not None]
    oldest = min(ages) if ages else None
    due = min(i["due_at"] for i in items) if items else None
    return {
        "items": items,
        "area": area.key,
        "area_vi": items[0]["area_vi"] if items else "",
        "area_en": items[0]["area_en"] if items else "",
        "late_count": sum(1 for i in items if i["late"]),
        "as_of": oldest,
        "stale_after_s": (
            None if oldest is None or due is None else max(0.0, (due - oldest) / 1000.0)
        ),
    }
