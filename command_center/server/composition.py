"""The composition root's registries: every tile kind the wall can show.

Indicator, map and video tile kinds are added here as their packages arrive.
"""

from __future__ import annotations

from command_center.builtin_tiles import BUILTIN_TILE_KINDS
from command_center.tiles import TileRegistry


def build_registry() -> TileRegistry:
    return TileRegistry(list(BUILTIN_TILE_KINDS))
