"""The composition root's registries: every tile kind the wall can show.

Indicator, map and video tile kinds are added here as their packages arrive.
"""

from __future__ import annotations

from command_center.builtin_tiles import BUILTIN_TILE_KINDS
from command_center.tiles import TileRegistry
from feeds.tile_kinds import INDICATOR_TILE_KINDS


def build_registry() -> TileRegistry:
    return TileRegistry([*BUILTIN_TILE_KINDS, *INDICATOR_TILE_KINDS])
