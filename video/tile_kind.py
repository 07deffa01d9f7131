"""The ``video`` tile kind: a bridge point's live picture on the wall.

The screen subscribes over WHEP with its device token (``assets/wall/tiles/video.js``),
overlays the point's name and link quality from the control channel, and shows "no
signal" instead of a frozen frame when frames stop. A pin from the console (the roster's
``pins``, keyed by tile id) overrides ``point`` while it is set.

``check_video_tiles`` is the second pass the layout loader cannot make alone: every point
a tile names must be in the bridge-point registry (the caller passes the ids, so this
module needs nothing but the contracts).
"""

from __future__ import annotations

from collections.abc import Collection

from pydantic import Field

from command_center.spec_problems import did_you_mean
from command_center.tiles import TileKind, TileParams

# Sources that are not points: the active speaker, and what the points see.
ACTIVE = "active"
PROGRAM = "program"
SOURCE = r"^[a-z0-9][a-z0-9-]{0,47}$"


class VideoParams(TileParams):
    """One bridge point's picture (``point``: its id), the active speaker (``active``) or
    what the points see (``program``), muted, with the point's name and link quality."""

    point: str = Field(pattern=SOURCE)
    show_name: bool = True
    show_quality: bool = True


VIDEO_TILE_KIND = TileKind("video", VideoParams, "Video điểm cầu", "Bridge-point video")


def check_video_tiles(preset: object, point_ids: Collection[str]) -> list[str]:
    """One message per ``video`` tile of ``preset`` naming a point not in ``point_ids``.

    ``preset`` is a ``layouts.model.PresetSpec`` (typed loosely: video may not import
    layouts); tiles of other kinds are skipped.
    """
    problems: list[str] = []
    preset_id = getattr(preset, "id", "?")
    for tile in getattr(preset, "tiles", ()):
        params = getattr(tile, "params", None)
        if not isinstance(params, VideoParams) or params.point in (ACTIVE, PROGRAM):
            continue
        if params.point not in point_ids:
            hint = did_you_mean(params.point, [*point_ids, ACTIVE, PROGRAM])
            problems.append(
                f"preset '{preset_id}', tile '{getattr(tile, 'id', '?')}', point: "
                f"unknown bridge point '{params.point}' ({hint})"
            )
    return problems
