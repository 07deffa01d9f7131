"""The console's map focus on the whole-country indicator tiles: while the maps are focused
on a province, every ``indicator`` and ``indicator-group`` tile that shows the whole country
and names only province-level indicators shows that province instead.

The tile's own data keeps flowing from the indicator feed untouched; this pushes the
province's data beside it under ``focus_view`` (and ``focused`` for the ring), and the
screen's layer hands the renderer the province's data while the focus lasts
(``assets/wall/layer.js``). Back to the whole country, ``focus_view`` is cleared.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from command_center.server.hub import ScreenHub
from command_center.server.tile_feed import Clock, TileFeed
from command_center.tiles import TileParams
from feeds.catalogue import Level
from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from feeds.observations import Observation
from feeds.tile_data import tile_data
from feeds.tile_kinds import IndicatorGroupParams, IndicatorParams, indicator_codes
from geo import CodeList
from layouts.model import PresetSpec

Focusable = IndicatorParams | IndicatorGroupParams


def focusable_tiles(presets: Mapping[str, PresetSpec], feeds: FeedsSpec) -> dict[str, Focusable]:
    """Whole-country indicator tiles whose every indicator is reported per province."""
    out: dict[str, Focusable] = {}
    for preset in presets.values():
        for tile in preset.tiles:
            params = tile.params
            if not isinstance(params, IndicatorParams | IndicatorGroupParams):
                continue
            if params.province is not None:
                continue
            named = indicator_codes(params)
            if named and all(
                code in feeds.catalogue and feeds.catalogue.get(code).level is Level.PROVINCE
                for code in named
            ):
                out[tile.id] = params
    return out


class FocusViews(TileFeed[Focusable]):
    """The focused province's data for the focusable tiles (one per runtime)."""

    def __init__(
        self, feeds: FeedsSpec, hub: ScreenHub, clock: Clock, store: ObservationStore | None
    ) -> None:
        super().__init__(feeds, hub, clock, focusable_tiles(hub.presets, feeds))
        self._store = store
        self._indicators = {c for p in self._tiles.values() for c in indicator_codes(p)}
        self.code: str | None = None
        self._held: dict[tuple[str, str, str], Observation] = {}
        self._dirty = False

    @property
    def indicators(self) -> set[str]:
        return set(self._indicators)

    def _area(self) -> str:
        return f"{CodeList.NEW_34.value}:{self.code}"

    async def focus(self, code: str | None) -> None:
        """Point the tiles at ``code`` (None: back to the whole country)."""
        self.code = code
        self._held = {}
        ts = time.time() * 1000.0
        if code is None:
            for tile_id in self._tiles:
                self._hub.push(tile_id, {"focus_view": None, "focused": False}, ts)
            return
        if self._store is not None:
            for indicator in sorted(self._indicators):
                series = await self._store.series(indicator, self._area())
                if self.code != code:
                    return  # focused elsewhere meanwhile: that call fills the tiles
                self.accept(series)
        self._dirty = True
        self.flush()

    def accept(self, batch: Iterable[Observation]) -> None:
        if self.code is None:
            return
        area = self._area()
        for obs in batch:
            if obs.indicator in self._indicators and obs.area.key == area:
                held = self._held.get(obs.key)
                if held is None or (obs.revision, obs.received_at) >= (
                    held.revision,
                    held.received_at,
                ):
                    self._held[obs.key] = obs
                    self._dirty = True

    def flush(self) -> int:
        if not self._dirty or self.code is None:
            return 0
        self._dirty = False
        now = self._clock()
        observations = list(self._held.values())
        ts = time.time() * 1000.0
        for tile_id, params in self._tiles.items():
            pointed: TileParams = params.model_copy(update={"province": self.code})
            data: dict[str, Any] | None = tile_data(
                pointed, self._feeds.catalogue, observations, now, self._feeds.agencies
            )
            self._hub.push(tile_id, {"focus_view": data, "focused": True}, ts)
        return len(self._tiles)
