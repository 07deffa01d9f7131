"""``validate`` warns (never fails) when a preset forces text onto a bezel."""

from __future__ import annotations

from pathlib import Path

from command_center.builtin_tiles import BUILTIN_TILE_KINDS
from command_center.tiles import TileRegistry
from layouts import WALLS_DIR
from layouts.bezel_check import bezel_warnings
from layouts.loader import load_preset, load_wall

REGISTRY = TileRegistry(BUILTIN_TILE_KINDS)
HEAD = """\
name: {vi: "Thử nghiệm", en: "Test"}
description: {vi: "Thử nghiệm", en: "Test"}
tiles:
"""


def _warnings(tmp_path: Path, style: str, px: str) -> list[str]:
    """What ``validate`` warns of a preset holding one text tile ``t`` of ``style`` at
    ``px`` on the room's wall (2 × 4 FHD, 5 m: lines of 64 px values)."""
    wall = load_wall(WALLS_DIR / "default.yaml")
    path = tmp_path / "test.yaml"
    tile = f"""\
  - id: t
    kind: text
    px: {px}
    params: {{style: {style}, vi: "Tiêu đề", en: "Title"}}
"""
    path.write_text(HEAD + tile, encoding="utf-8")
    return bezel_warnings(wall, load_preset(path, wall, REGISTRY))


def test_a_ticker_along_a_horizontal_bezel_is_warned(tmp_path: Path) -> None:
    [warning] = _warnings(tmp_path, "ticker", "{x: 0, y: 1040, w: 3000, h: 90}")
    assert "'t'" in warning and "horizontal bezel" in warning


def test_a_title_no_screen_can_hold_a_line_of_is_warned(tmp_path: Path) -> None:
    # 40 + 40 px either side of the bezel: no screen holds a 77 px line of 64 px type.
    [warning] = _warnings(tmp_path, "title", "{x: 100, y: 1040, w: 1000, h: 85.6}")
    assert "no screen holds a whole line" in warning


def test_a_title_across_vertical_bezels_is_laid_out_per_screen(tmp_path: Path) -> None:
    assert _warnings(tmp_path, "title", "{x: 0, y: 0, w: 7000, h: 270}") == []


def test_the_shipped_presets_force_no_text_onto_a_bezel() -> None:
    from command_center.server.composition import build_registry
    from layouts import presets_dir_for
    from layouts.loader import load_presets

    wall = load_wall(WALLS_DIR / "default.yaml")
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    assert [w for p in presets.values() for w in bezel_warnings(wall, p)] == []
