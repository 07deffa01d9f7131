"""The ``video`` tile kind: its parameters, and the second pass that checks the points it
names against the bridge-point registry (one message per mistake, with "did you mean")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from command_center.server.composition import build_registry, check_references
from command_center.tiles import TileParams
from feeds.loader import load_feeds
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_presets, load_wall
from video.registry import load_bridge_points
from video.tile_kind import VIDEO_TILE_KIND, VideoParams, check_video_tiles

POINTS = ["room", "hue", "quang-ninh"]


@dataclass(frozen=True)
class _Tile:
    id: str
    params: TileParams


@dataclass(frozen=True)
class _Preset:
    id: str
    tiles: tuple[_Tile, ...]


def _preset(*params: TileParams) -> _Preset:
    return _Preset("p", tuple(_Tile(f"t{i}", p) for i, p in enumerate(params)))


@pytest.mark.parametrize("point", ["hue", "room", "active", "program"])
def test_points_active_and_program_pass(point: str) -> None:
    assert check_video_tiles(_preset(VideoParams(point=point)), POINTS) == []


def test_an_unknown_point_is_named_with_a_suggestion() -> None:
    problems = check_video_tiles(_preset(VideoParams(point="quang-nihn")), POINTS)
    assert problems == [
        "preset 'p', tile 't0', point: unknown bridge point 'quang-nihn' "
        "(did you mean 'quang-ninh'?)"
    ]


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "point\n  Field required"),
        ({"point": "Huế"}, "String should match pattern"),
        ({"point": "hue", "volume": 1}, "Extra inputs are not permitted"),
    ],
    ids=["missing", "not-an-id", "unknown-key"],
)
def test_bad_params_are_refused(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        VideoParams(**params)


def test_registered_and_every_shipped_video_tile_names_a_real_point() -> None:
    registry = build_registry()
    assert registry.get("video") is VIDEO_TILE_KIND
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, registry)
    conference = presets["bridge-conference"]
    points = {t.params.point for t in conference.tiles if isinstance(t.params, VideoParams)}
    # Four points and the room, as at the launch.
    assert len(points) == 5 and "room" in points
    assert points <= set(load_bridge_points().ids)
    assert check_references(presets, load_feeds()) == []
