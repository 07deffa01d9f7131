"""Which builder makes an indicator tile's data: one table from parameter type to builder.
Each builder lives in its own module (``feeds/tile_<kind>.py``) beside its renderer's name in
``assets/wall/tiles/``; the shared conventions are in ``feeds/tile_common.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, cast

from command_center.tiles import TileParams
from feeds.agencies import AgencyRegistry
from feeds.catalogue import Catalogue
from feeds.observations import Observation
from feeds.periods import local_date
from feeds.tile_common import Json, province_area
from feeds.tile_group import group_data
from feeds.tile_indicator import indicator_data
from feeds.tile_kinds import (
    IndicatorGroupParams,
    IndicatorParams,
    RankingParams,
    ReportingStatusParams,
    TrendParams,
)
from feeds.tile_payloads import TilePayload
from feeds.tile_ranking import ranking_data
from feeds.tile_reporting import reporting_status_data
from feeds.tile_trend import trend_data

# (params, catalogue, observations, now, agencies) -> the tile's data, typed per kind
# (feeds.tile_payloads lists producer, payload type and renderer for every kind).
Builder = Callable[
    [Any, Catalogue, Iterable[Observation], datetime, AgencyRegistry | None], TilePayload
]

BUILDERS: dict[type, Builder] = {
    IndicatorParams: lambda p, cat, obs, now, ag: indicator_data(
        cat.get(p.indicator), province_area(p.province), obs, now, ag, p.sparkline
    ),
    IndicatorGroupParams: lambda p, cat, obs, now, ag: group_data(
        cat, p.indicators, province_area(p.province), obs, now, ag, p.sparkline
    ),
    RankingParams: lambda p, cat, obs, now, ag: ranking_data(
        cat.get(p.indicator), obs, now, p.count, ag
    ),
    TrendParams: lambda p, cat, obs, now, ag: trend_data(
        cat.get(p.indicator), province_area(p.province), obs, now, p.periods, ag
    ),
    ReportingStatusParams: lambda p, cat, obs, now, ag: reporting_status_data(
        cat,
        obs,
        now,
        ag,
        p.indicators,
        p.area.value if p.area is not None else None,
        p.include_daily,
        p.max_rows,
    ),
}


def tile_data(
    params: TileParams,
    catalogue: Catalogue,
    observations: Iterable[Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
) -> Json | None:
    """The data of any indicator tile from its parameters; None for other kinds."""
    local_date(now)  # refuse a naive now early, with the periods module's message
    builder = BUILDERS.get(type(params))
    if builder is None:
        return None
    # From here the payload is plain JSON: the bus message and the hub's merge take any keys.
    return cast(Json, builder(params, catalogue, observations, now, agencies))
