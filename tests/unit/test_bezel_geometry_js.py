"""The screen's bezel geometry (assets/wall/bezels.js, tiles/map-bezels.js), run in Node: a
tile's screen parts agree with the server's (layouts.geometry) for every shipped tile, and a
label on a bezel moves into the screen its anchor is on, or is dropped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from command_center.server.composition import build_registry
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.geometry import screens_for_tile
from layouts.loader import load_presets, load_wall

WALL_JS = Path(__file__).resolve().parents[2] / "assets" / "wall"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node is not installed")


def run_js(body: str) -> Any:
    """Evaluate ``body`` (which sets ``out``) with the two modules imported; its JSON."""
    script = (
        f"import * as b from {json.dumps((WALL_JS / 'bezels.js').as_uri())};\n"
        f"import * as m from {json.dumps((WALL_JS / 'tiles' / 'map-bezels.js').as_uri())};\n"
        f"let out;\n{body}\nconsole.log(JSON.stringify(out));"
    )
    assert NODE is not None
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)


def test_tile_parts_match_the_servers_for_every_shipped_tile() -> None:
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    viewer = wall.screens[-1]  # any screen computes the same parts: take the last one
    vp = wall.viewport(viewer.id)
    screen = {
        "id": viewer.id,
        "width": wall.screen_width,
        "height": wall.screen_height,
        "viewport": {"x": vp.x, "y": vp.y, "w": vp.w, "h": vp.h},
        "wall_width": wall.width,
        "wall_height": wall.height,
    }
    tiles = [t for p in presets.values() for t in p.tiles]
    rects = [
        {"x": t.rect.x - vp.x, "y": t.rect.y - vp.y, "w": t.rect.w, "h": t.rect.h} for t in tiles
    ]
    got = run_js(
        f"const screen = {json.dumps(screen)};\n"
        f"out = {json.dumps(rects)}.map((r) => b.tileParts(r, screen));"
    )
    for tile, parts in zip(tiles, got, strict=True):
        want = [
            (
                round(vp_.x + p.rect.x - tile.rect.x, 3),
                round(vp_.y + p.rect.y - tile.rect.y, 3),
                round(p.rect.w, 3),
                round(p.rect.h, 3),
            )
            for p in screens_for_tile(wall, tile.rect)
            for vp_ in [wall.viewport(p.screen_id)]
        ]
        have = [
            (round(q["x"], 3), round(q["y"], 3), round(q["w"], 3), round(q["h"], 3)) for q in parts
        ]
        assert sorted(have) == sorted(want), tile.id


PARTS = "const parts = [{x: 0, y: 0, w: 100, h: 50, col: 0, row: 0}, {x: 110, y: 0, w: 100, h: 50, col: 1, row: 0}];"


def test_a_label_on_a_bezel_moves_into_its_anchors_screen() -> None:
    out = run_js(
        PARTS + "out = m.shiftIntoPart(parts, {x0: 80, y0: 10, x1: 120, y1: 20}, 95, 15, 50);"
    )
    assert out == [-26, 0]  # right edge 6 px inside the left screen
    out = run_js(
        PARTS + "out = m.shiftIntoPart(parts, {x0: 95, y0: 10, x1: 135, y1: 20}, 115, 15, 50);"
    )
    assert out == [21, 0]


def test_a_label_that_would_leave_its_province_or_fit_no_screen_is_dropped() -> None:
    assert (
        run_js(
            PARTS + "out = m.shiftIntoPart(parts, {x0: 80, y0: 10, x1: 120, y1: 20}, 95, 15, 5);"
        )
        is None
    )
    assert (
        run_js(
            PARTS + "out = m.shiftIntoPart(parts, {x0: 0, y0: 10, x1: 150, y1: 20}, 75, 15, 500);"
        )
        is None
    )


def test_vertical_bezels_and_what_crosses_them() -> None:
    out = run_js(
        PARTS
        + "out = [m.verticalGaps(parts), m.crossesVertical(parts, 90, 105), m.crossesVertical(parts, 120, 200)];"
    )
    assert out == [[[100, 110]], True, False]
