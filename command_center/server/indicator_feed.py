"""Indicator tiles, live: from accepted observations to each tile's data on the screens.

Keeps the latest revision of every observation by indicator, works out which tiles of
which presets an incoming batch changes, computes their data (``feeds.tile_data``, pure)
off the event loop, and hands it to the screen hub, which coalesces it per screen.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from command_center.errors import SpecError, SpecProblem
from command_center.server.hub import ScreenHub
from command_center.tiles import TileParams
from feeds.loader import FeedsSpec
from feeds.observations import Observation
from feeds.tile_data import tile_data
from feeds.tile_kinds import INDICATOR_TILE_KINDS, ReportingStatusParams, indicator_codes
from layouts.model import PresetSpec

log = logging.getLogger(__name__)

INDICATOR_PARAMS = tuple(kind.params for kind in INDICATOR_TILE_KINDS)
Key = tuple[str, str, str]


def indicator_tiles(presets: Mapping[str, PresetSpec]) -> dict[str, TileParams]:
    """Every indicator tile of every preset by id. Data is keyed by tile id, so one id must
    mean one tile everywhere: the same id with other parameters is a spec error."""
    tiles: dict[str, TileParams] = {}
    where: dict[str, str] = {}
    problems = []
    for preset in presets.values():
        for tile in preset.tiles:
            if not isinstance(tile.params, INDICATOR_PARAMS):
                continue
            seen = tiles.get(tile.id)
            if seen is not None and seen != tile.params:
                problems.append(
                    SpecProblem(
                        preset.source,
                        None,
                        f"tiles[{tile.id}].params",
                        f"tile '{tile.id}' has other parameters in {where[tile.id]}; "
                        "one tile id must show the same data in every preset",
                    )
                )
                continue
            tiles[tile.id] = tile.params
            where.setdefault(tile.id, preset.source)
    if problems:
        raise SpecError(problems)
    return tiles


class IndicatorFeed:
    """The latest observations and the data of every indicator tile (one per runtime)."""

    def __init__(
        self,
        feeds: FeedsSpec,
        presets: Mapping[str, PresetSpec],
        hub: ScreenHub,
        clock: Callable[[], datetime],
    ) -> None:
        self._feeds = feeds
        self._hub = hub
        self._clock = clock
        self._tiles = indicator_tiles(presets)
        self._latest: dict[str, dict[Key, Observation]] = {}
        self._lock = asyncio.Lock()
        self._dirty: set[str] = set()

    @property
    def tile_ids(self) -> list[str]:
        return sorted(self._tiles)

    def tiles_naming(self, indicators: set[str]) -> list[str]:
        """The tiles whose data depends on any of ``indicators``."""
        if not indicators:
            return []
        return [
            tile_id
            for tile_id, params in self._tiles.items()
            if indicators.intersection(indicator_codes(params))
            # "Every indicator" reporting-status tiles change with any report.
            or (isinstance(params, ReportingStatusParams) and not params.indicators)
        ]

    def _merge(self, batch: Iterable[Observation]) -> set[str]:
        changed: set[str] = set()
        for obs in batch:
            series = self._latest.setdefault(obs.indicator, {})
            held = series.get(obs.key)
            if held is None or (obs.revision, obs.received_at) >= (
                held.revision,
                held.received_at,
            ):
                series[obs.key] = obs
                changed.add(obs.indicator)
        return changed

    def accept(self, batch: list[Observation]) -> int:
        """Merge a batch; the tiles it changes are recomputed at the next ``flush``.
        Returns how many tiles it marked. Cheap, so ingestion never waits on tile work."""
        tiles = self.tiles_naming(self._merge(batch))
        self._dirty.update(tiles)
        return len(tiles)

    async def flush(self) -> int:
        """Compute and push the data of every tile changed since the last flush."""
        async with self._lock:  # one computation at a time, in order
            if not self._dirty:
                return 0
            tiles, self._dirty = self._dirty, set()
            work = {
                tile_id: (self._tiles[tile_id], self._observations_for(self._tiles[tile_id]))
                for tile_id in tiles
            }
            now = self._clock()
            # Tile data over thousands of observations is CPU work: keep it off the loop
            # that flushes the screens.
            datas = await asyncio.to_thread(self._compute, work, now)
            ts = time.time() * 1000.0
            for tile_id, data in datas.items():
                self._hub.push(tile_id, data, ts)
            return len(datas)

    async def run(self, every_s: float, duty: float = 0.2) -> None:
        """Flush every ``every_s``: a burst of reports costs one computation per tile. When a
        computation is slow (large series under heavy reporting), wait longer, so tile work
        takes at most ``duty`` of the time and ingestion keeps the rest."""
        pause = every_s
        while True:
            await asyncio.sleep(pause)
            started = time.perf_counter()
            try:
                await self.flush()
            except Exception:  # one bad computation must not stop the wall's indicators
                log.exception("indicator tiles could not be computed")
            spent = time.perf_counter() - started
            pause = max(every_s, spent * (1 - duty) / duty)

    def _observations_for(self, params: TileParams) -> list[Observation]:
        codes = indicator_codes(params)
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
