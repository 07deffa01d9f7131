"""Indicator tiles with trend charts: the trend tiles' data as ``feeds.trend_chart`` ships it.

``IndicatorFeed`` computes every tile's data in a worker thread, at most 4 times a second;
this subclass passes the trend tiles' data through one ``TrendCharts`` there, which adds
the series columns at once and queues a figure for its own chart thread when a tile's
chart changes structure (or the tile has none yet). Rendering a figure takes 0,1 to 0,4 s
(several seconds the first time, with the HoloViews import), so neither the event loop
nor the other tiles' data ever wait for it: the figure reaches the hub when it is ready,
through the loop (``call_soon_threadsafe``), and the screens embed it then.

It extends ``IndicatorFeed`` (``flush`` and the worker-thread ``_compute``);
``tests/unit/test_trend_feed.py`` fails if those stop being called.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime
from typing import Any

from command_center.server.hub import ScreenHub
from command_center.server.indicator_feed import IndicatorFeed
from command_center.server.tile_feed import Clock
from command_center.tiles import TileParams
from feeds.loader import FeedsSpec
from feeds.observations import Observation
from feeds.tile_kinds import TrendParams
from feeds.trend_chart import TrendCharts


class ChartingIndicatorFeed(IndicatorFeed):
    """``IndicatorFeed`` whose trend tiles get a figure once, then columns."""

    def __init__(self, feeds: FeedsSpec, hub: ScreenHub, clock: Clock) -> None:
        super().__init__(feeds, hub, clock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.charts = TrendCharts(on_figure=self._figure_ready)

    async def flush(self) -> int:
        self._loop = asyncio.get_running_loop()  # where finished figures are handed over
        return await super().flush()

    def _compute(
        self, work: dict[str, tuple[TileParams, list[Observation]]], now: datetime
    ) -> dict[str, dict[str, Any]]:
        out = super()._compute(work, now)
        for tile_id, (params, _observations) in work.items():
            if isinstance(params, TrendParams) and tile_id in out:
                out[tile_id] = self.charts.wire(tile_id, out[tile_id])
        return out

    def _figure_ready(self, tile_id: str, data: dict[str, Any]) -> None:
        """From the chart thread: push the figure on the loop, like any tile data."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        # The loop may close between the check and the call: shutting down, nothing to show.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._hub.push, tile_id, data, time.time() * 1000.0)
