"""The composition root's registries: every tile kind the wall can show.

The built-in kinds (text, clock, calibration), the indicator kinds (``feeds``), the map and
the video tile: a layout names a tile by kind, and only this root knows every package.
"""

from __future__ import annotations

from collections.abc import Mapping

from command_center.builtin_tiles import BUILTIN_TILE_KINDS
from command_center.errors import SpecError, SpecProblem
from command_center.server.indicator_feed import indicator_tiles
from command_center.server.map_feed import map_tiles
from command_center.server.tile_ids import check_one_kind_per_id
from command_center.server.tile_problems import per_tile
from command_center.tiles import TileRegistry
from feeds.loader import FeedsSpec
from feeds.map_tile import MAP_TILE_KINDS, check_map_references
from feeds.tile_kinds import INDICATOR_TILE_KINDS, check_tile_references
from layouts.model import PresetSpec
from video.registry import load_bridge_points
from video.tile_kind import VIDEO_TILE_KIND, check_video_tiles


def build_registry() -> TileRegistry:
    return TileRegistry(
        [*BUILTIN_TILE_KINDS, *INDICATOR_TILE_KINDS, *MAP_TILE_KINDS, VIDEO_TILE_KIND]
    )


def check_references(presets: Mapping[str, PresetSpec], feeds: FeedsSpec) -> list[SpecProblem]:
    """The checks no single file can make: tiles naming indicators the catalogue lacks,
    and one tile id meaning different tiles in different presets. Each problem names the
    preset's file, the line and the key of the parameter (``tiles[3].params.indicator``)."""
    problems = per_tile(presets, lambda one: check_tile_references(one, feeds.catalogue))
    problems += check_one_kind_per_id(presets)
    try:
        indicator_tiles(presets)
    except SpecError as exc:
        problems += exc.problems
    # Map tiles: province-level indicators, readable periods, one id one map.
    problems += per_tile(presets, lambda one: check_map_references(one, feeds.catalogue))
    try:
        map_tiles(presets)
    except SpecError as exc:
        problems += exc.problems
    # Video tiles must name points of the bridge-point registry.
    try:
        point_ids = load_bridge_points().ids
    except SpecError as exc:
        return problems + exc.problems
    return problems + per_tile(presets, lambda one: check_video_tiles(one, point_ids))
