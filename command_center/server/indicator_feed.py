"""Indicator tiles, live: from accepted observations to each tile's data on the screens.

Keeps the latest revision of every observation by indicator (and by indicator and area),
works out which tiles of which presets an incoming batch changes (a province's report
changes that province's tiles, not the other provinces'), computes their data
(``feeds.tile_data``, pure) off the event loop, and hands it to the screen hub, which
coalesces it per screen.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from command_center.server.hub import ScreenHub
from command_center.server.tile_feed import Clock, TileFeed
from command_center.server.tile_ids import tiles_by_id
from command_center.tiles import TileParams
from feeds.loader import FeedsSpec
from feeds.observations import Observation
from feeds.tile_common import province_area
from feeds.tile_data import tile_data
from feeds.tile_kinds import (
    INDICATOR_TILE_KINDS,
    IndicatorGroupParams,
    IndicatorParams,
    ReportingStatusParams,
    indicator_codes,
)
from layouts.model import PresetSpec

log = logging.getLogger(__name__)

INDICATOR_PARAMS = tuple(kind.params for kind in INDICATOR_TILE_KINDS)
Key = tuple[str, str, str]


def indicator_tiles(presets: Mapping[str, PresetSpec]) -> dict[str, TileParams]:
    """Every indicator tile of every preset by id (one id, one tile: ``tiles_by_id``)."""
    return tiles_by_id(presets, INDICATOR_PARAMS)


class IndicatorFeed(TileFeed[TileParams]):
    """The latest observations and the data of every indicator tile (one per runtime)."""

    def __init__(self, feeds: FeedsSpec, hub: ScreenHub, clock: Clock) -> None:
        super().__init__(feeds, hub, clock, indicator_tiles(hub.presets))
        # The same observations twice, by indicator and by (indicator, area key): a tile of
        # one area reads (and is recomputed for) its own series only.
        self._latest: dict[str, dict[Key, Observation]] = {}
        self._by_area: dict[tuple[str, str], dict[Key, Observation]] = {}
        self._area_tiles: dict[tuple[str, str], list[str]] = {}
        self._indicator_tiles: dict[str, list[str]] = {}
        self._any_tiles: list[str] = []  # "every indicator" reporting-status tiles
        for tile_id, params in self._tiles.items():
            area = area_of_tile(params)
            if area is not None:
                for code in indicator_codes(params):
                    self._area_tiles.setdefault((code, area), []).append(tile_id)
            elif isinstance(params, ReportingStatusParams) and not params.indicators:
                self._any_tiles.append(tile_id)
            else:
                for code in indicator_codes(params):
                    self._indicator_tiles.setdefault(code, []).append(tile_id)
        self._lock = asyncio.Lock()
        self._dirty: set[str] = set()
        # Per dirty tile, when the oldest change it has not shown yet was accepted (ms):
        # its data goes out stamped with it, so the screens' latency figures measure from
        # "accepted" to "applied", tile refresh and coalescing included.
        self._since: dict[str, float] = {}
        self._changed = asyncio.Event()  # set by accept, cleared by run

    def tiles_naming(self, indicators: set[str]) -> list[str]:
        """The tiles whose data depends on any of ``indicators``, in any area."""
        if not indicators:
            return []
        return [
            tile_id
            for tile_id, params in self._tiles.items()
            if indicators.intersection(indicator_codes(params))
            # "Every indicator" reporting-status tiles change with any report.
            or (isinstance(params, ReportingStatusParams) and not params.indicators)
        ]

    def tiles_changed_by(self, series: set[tuple[str, str]]) -> set[str]:
        """The tiles whose data depends on any of ``series``, (indicator, area key) pairs."""
        if not series:
            return set()
        tiles = set(self._any_tiles)
        for code in {code for code, _ in series}:
            tiles.update(self._indicator_tiles.get(code, ()))
        for pair in series:
            tiles.update(self._area_tiles.get(pair, ()))
        return tiles

    def _merge(self, batch: Iterable[Observation]) -> set[tuple[str, str]]:
        changed: set[tuple[str, str]] = set()
        latest, by_area = self._latest, self._by_area
        for obs in batch:
            series = latest.get(obs.indicator)
            if series is None:
                series = latest[obs.indicator] = {}
            key = obs.key
            held = series.get(key)
            if held is None or (obs.revision, obs.received_at) >= (
                held.revision,
                held.received_at,
            ):
                series[key] = obs
                pair = (key[0], key[1])
                area_series = by_area.get(pair)
                if area_series is None:
                    area_series = by_area[pair] = {}
                area_series[key] = obs
                changed.add(pair)
        return changed

    def accept(self, batch: list[Observation], accepted_at: float | None = None) -> int:
        """Merge a batch accepted at ``accepted_at`` (ms since the epoch; now if None); the
        tiles it changes are recomputed at the next ``flush``. Returns how many tiles it
        marked. Cheap, so ingestion never waits on tile work."""
        tiles = self.tiles_changed_by(self._merge(batch))
        at = time.time() * 1000.0 if accepted_at is None else accepted_at
        for tile_id in tiles:
            self._since.setdefault(tile_id, at)
        self._dirty.update(tiles)
        if tiles:
            self._changed.set()
        return len(tiles)

    async def flush(self) -> int:
        """Compute and push the data of every tile changed since the last flush."""
        async with self._lock:  # one computation at a time, in order
            if not self._dirty:
                return 0
            tiles, self._dirty = self._dirty, set()
            since = {tile_id: self._since.pop(tile_id) for tile_id in tiles}
            work = {
                tile_id: (self._tiles[tile_id], self._observations_for(self._tiles[tile_id]))
                for tile_id in tiles
            }
            now = self._clock()
            # Tile data over thousands of observations is CPU work: keep it off the loop
            # that flushes the screens.
            datas = await asyncio.to_thread(self._compute, work, now)
            for tile_id, data in datas.items():
                self._hub.push(tile_id, data, since[tile_id])
            return len(datas)

    async def run(self, every_s: float, duty: float = 0.2) -> None:
        """Flush as soon as a report changes a tile, then at most once every ``every_s``: a
        lone report shows at once, a burst of reports costs one computation per tile. When
        a computation is slow (large series under heavy reporting), wait longer, so tile
        work takes at most ``duty`` of the time and ingestion keeps the rest."""
        while True:
            await self._changed.wait()
            self._changed.clear()
            started = time.perf_counter()
            try:
                await self.flush()
            except Exception:  # one bad computation must not stop the wall's indicators
                log.exception("indicator tiles could not be computed")
            spent = time.perf_counter() - started
            await asyncio.sleep(max(every_s, spent * (1 - duty) / duty))

    def _observations_for(self, params: TileParams) -> list[Observation]:
        codes = indicator_codes(params)
        area = area_of_tile(params)
        if area is not None:
            return [o for code in codes for o in self._by_area.get((code, area), {}).values()]
        if isinstance(params, ReportingStatusParams) and not codes:
            codes = tuple(self._latest)
        return [obs for code in codes for obs in self._latest.get(code, {}).values()]

    def _compute(
        self, work: dict[str, tuple[TileParams, list[Observation]]], now: datetime
    ) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for tile_id, (params, observations) in work.items():
            data = tile_data(params, self._feeds.catalogue, observations, now, self._feeds.agencies)
            if data is not None:
                out[tile_id] = data
        return out


def area_of_tile(params: TileParams) -> str | None:
    """The one area key whose series make the tile's data, or None when it reads every
    area. ``indicator`` and ``indicator-group`` tiles read their province's series only
    (``feeds.tile_data.indicator_data``); rankings compare provinces, and trends and the
    reporting status may read across areas: those take every area."""
    if isinstance(params, IndicatorParams | IndicatorGroupParams):
        return province_area(params.province).key
    return None
