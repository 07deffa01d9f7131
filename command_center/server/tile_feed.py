"""What every live tile feed (indicators, maps, the maps' focus views) is made of.

A feed computes its tiles' data from the catalogue and agencies (``FeedsSpec``), judges
lateness on its clock and hands the data to the screen hub. Its tiles come from the hub's
own presets, so a feed can never push data for a tile the hub does not show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from command_center.server.hub import ScreenHub
from command_center.tiles import TileParams
from feeds.loader import FeedsSpec

Clock = Callable[[], datetime]
P = TypeVar("P", bound=TileParams)


class TileFeed(Generic[P]):
    """The parts a feed shares: ``_feeds``, ``_hub``, ``_clock`` and ``_tiles`` by id."""

    def __init__(self, feeds: FeedsSpec, hub: ScreenHub, clock: Clock, tiles: dict[str, P]) -> None:
        self._feeds = feeds
        self._hub = hub
        self._clock = clock
        self._tiles = tiles

    @property
    def tile_ids(self) -> list[str]:
        return sorted(self._tiles)
