"""Which screen shows which part of a tile, with bezels; cells to rects; each_screen copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from command_center.builtin_tiles import BUILTIN_TILE_KINDS
from command_center.tiles import TileRegistry
from layouts import DEFAULT_WALL_FILE, WALLS_DIR
from layouts.geometry import cell_rect, screens_for_tile, tiles_for_screen
from layouts.loader import load_preset, load_wall
from layouts.model import PresetSpec, Rect, WallSpec

REGISTRY = TileRegistry(BUILTIN_TILE_KINDS)

PRESET = """\
name: {vi: "Thử nghiệm", en: "Test"}
description: {vi: "Thử nghiệm", en: "Test"}
cells: {cols: 4, rows: 4}
tiles:
"""


@pytest.fixture(scope="module")
def wall() -> WallSpec:
    """2 × 2 screens of 1920 × 1080 with a 10 px bezel: screen columns start at 0 and 1930."""
    return load_wall(WALLS_DIR / "wall-2x2.yaml")


PresetOf = Callable[[str], PresetSpec]


@pytest.fixture
def preset_of(tmp_path: Path, wall: WallSpec) -> PresetOf:
    """Loads a preset of ``tiles`` (lines of its ``tiles:`` list) on the 2 × 2 wall."""

    def load(tiles: str) -> PresetSpec:
        path = tmp_path / "test.yaml"
        path.write_text(PRESET + tiles, encoding="utf-8")
        return load_preset(path, wall, REGISTRY)

    return load


def test_wall_size_and_viewports_include_the_bezels(wall: WallSpec) -> None:
    assert (wall.width, wall.height) == (3850, 2170)
    assert wall.viewport("left-top") == Rect(x=0, y=0, w=1920, h=1080)
    assert wall.viewport("right-bottom") == Rect(x=1930, y=1090, w=1920, h=1080)


def test_bezel_in_mm_becomes_pixels_by_pixel_pitch() -> None:
    default = load_wall(DEFAULT_WALL_FILE)
    # 1209.6 mm / 1920 px = 0.63 mm per pixel; 3.5 mm / 0.63 mm ≈ 5.56 px.
    assert default.bezel_px == pytest.approx(3.5 / 0.63)
    assert default.screen_ids()[:2] == ["r1c1", "r1c2"]
    assert default.viewport("r2c4").x == pytest.approx(3 * (1920 + 3.5 / 0.63))


def test_unknown_screen_suggests_a_near_miss(wall: WallSpec) -> None:
    with pytest.raises(KeyError, match="did you mean 'left-top'"):
        wall.screen("left-tpo")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ((1, 1, 1, 1), Rect(x=0, y=0, w=480, h=270)),
        ((4, 4, 1, 1), Rect(x=1440, y=810, w=480, h=270)),  # last cell of the first screen
        ((5, 1, 1, 1), Rect(x=1930, y=0, w=480, h=270)),  # first cell after the bezel
        ((3, 1, 4, 1), Rect(x=960, y=0, w=1930, h=270)),  # spans the vertical bezel
        ((1, 4, 1, 2), Rect(x=0, y=810, w=480, h=550)),  # spans the horizontal bezel
        ((1, 1, 8, 8), Rect(x=0, y=0, w=3850, h=2170)),  # the whole wall
    ],
    ids=["first", "last-of-screen", "after-bezel", "across-columns", "across-rows", "whole-wall"],
)
def test_cell_to_rect(wall: WallSpec, cell: tuple[int, int, int, int], expected: Rect) -> None:
    col, row, cols, rows = cell
    assert cell_rect(wall, (4, 4), col, row, cols, rows) == expected


def test_each_screen_gets_its_part_of_a_spanning_tile(wall: WallSpec) -> None:
    tile = cell_rect(wall, (4, 4), col=3, row=1, cols=4, rows=1)  # x 960 .. 2890
    parts = screens_for_tile(wall, tile)
    assert [(p.screen_id, p.rect) for p in parts] == [
        ("left-top", Rect(x=960, y=0, w=960, h=270)),
        ("right-top", Rect(x=0, y=0, w=960, h=270)),
    ]
    # The 10 px behind the mullion are on no screen.
    assert sum(p.rect.w for p in parts) == tile.w - 10


def test_a_tile_over_the_four_corners_is_cut_four_ways(wall: WallSpec) -> None:
    parts = screens_for_tile(wall, Rect(x=1900, y=1000, w=50, h=200))
    assert {p.screen_id: p.rect for p in parts} == {
        "left-top": Rect(x=1900, y=1000, w=20, h=80),
        "right-top": Rect(x=0, y=1000, w=20, h=80),
        "left-bottom": Rect(x=1900, y=0, w=20, h=110),
        "right-bottom": Rect(x=0, y=0, w=20, h=110),
    }


def test_a_screen_places_whole_tiles_relative_to_itself(
    preset_of: PresetOf, wall: WallSpec
) -> None:
    preset = preset_of(
        """\
  - {id: banner, kind: text, cell: {col: 3, row: 1, cols: 4, rows: 1}, params: {vi: "A"}}
  - {id: left, kind: clock, cell: {col: 1, row: 2}}
  - {id: right, kind: clock, cell: {col: 8, row: 8}}
""",
    )
    placed = tiles_for_screen(wall, preset, "right-top")
    # The banner starts 970 px left of this screen; the browser clips what is off-screen.
    assert [(p.tile.id, p.rect) for p in placed] == [
        ("banner", Rect(x=960 - 1930, y=0, w=1930, h=270))
    ]
    assert [p.tile.id for p in tiles_for_screen(wall, preset, "right-bottom")] == ["right"]


def test_tiles_are_drawn_by_z_then_file_order(preset_of: PresetOf, wall: WallSpec) -> None:
    preset = preset_of(
        """\
  - {id: clock, kind: clock, cell: {col: 4, row: 1}, overlay: true, z: 2}
  - {id: ticker, kind: text, cell: {col: 1, row: 1, cols: 4}, overlay: true, z: 1, params: {vi: T}}
  - {id: map, kind: text, cell: {col: 1, row: 1, cols: 4, rows: 4}, params: {vi: M}}
  - {id: note, kind: text, cell: {col: 5, row: 1}, params: {vi: N}}
""",
    )
    assert [p.tile.id for p in tiles_for_screen(wall, preset, "left-top")] == [
        "map",
        "ticker",
        "clock",
    ]


def test_each_screen_repeats_a_tile_on_every_screen(preset_of: PresetOf, wall: WallSpec) -> None:
    preset = preset_of(
        "  - {id: cal, kind: calibration, each_screen: true,"
        " cell: {col: 1, row: 1, cols: 4, rows: 4}}\n",
    )
    assert {t.id: t.rect for t in preset.tiles} == {
        f"cal@{s}": wall.viewport(s) for s in wall.screen_ids()
    }
    for screen_id in wall.screen_ids():
        (placed,) = tiles_for_screen(wall, preset, screen_id)
        assert placed.tile.id == f"cal@{screen_id}"
        assert placed.rect == Rect(x=0, y=0, w=1920, h=1080)


def test_screen_relative_px_tile(preset_of: PresetOf) -> None:
    preset = preset_of(
        "  - {id: clock, kind: clock, screen: right-bottom,"
        " px: {x: 1420, y: 880, w: 500, h: 200}}\n",
    )
    assert preset.tile("clock").rect == Rect(x=1930 + 1420, y=1090 + 880, w=500, h=200)


def test_touching_tiles_do_not_overlap() -> None:
    left, right = Rect(x=0, y=0, w=480, h=270), Rect(x=480, y=0, w=480, h=270)
    assert left.intersection(right) is None
    assert not left.overlaps(right)
    assert left.overlaps(Rect(x=479, y=269, w=10, h=10))
