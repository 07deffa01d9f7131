"""Bad wall and preset files: one row per mistake, each problem naming file, line and key."""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest

from command_center.builtin_tiles import BUILTIN_TILE_KINDS
from command_center.errors import SpecError, SpecProblem
from command_center.tiles import TileRegistry
from layouts import DEFAULT_WALL_FILE, WALLS_DIR, presets_dir_for
from layouts.loader import check_files, load_preset, load_presets, load_wall
from layouts.model import WallSpec

REGISTRY = TileRegistry(BUILTIN_TILE_KINDS)
# 2 × 2 screens of 1920 × 1080, bezel 10 px: 3850 × 2170 px, 8 × 8 cells of 480 × 270.
WALL_2X2 = WALLS_DIR / "wall-2x2.yaml"

HEAD = """\
name: {vi: "Thử nghiệm", en: "Test"}
description: {vi: "Thử nghiệm", en: "Test"}
tiles:
"""  # the first tile starts on line 4

GOOD_TILE = """\
  - id: a
    kind: text
    cell: {col: 1, row: 1, cols: 2, rows: 1}
    params: {vi: "A"}
"""  # lines 4-7 when first

WALL_HEAD = """\
id: test
name: {vi: "Thử nghiệm", en: "Test"}
grid: {rows: 2, cols: 2}
"""  # lines 1-3


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def _problem(error: SpecError, key: str) -> SpecProblem:
    found = [p for p in error.problems if p.key == key]
    assert found, f"no problem at {key}: {error}"
    return found[0]


# (file text, key path, line, regex on the error message)
BAD_PRESETS = [
    (HEAD + GOOD_TILE + "titel: x\n", "titel", 8, r"titel: unknown key \(did you mean 'tiles'\?\)"),
    (
        HEAD + GOOD_TILE.replace("    params", "    overlap: true\n    params"),
        "tiles[0].overlap",
        7,
        r"tiles\[0\]\.overlap: unknown key \(did you mean 'overlay'\?\)",
    ),
    (
        HEAD + GOOD_TILE.replace("kind: text", "kind: clok"),
        "tiles[0].kind",
        5,
        r"unknown tile kind 'clok' .*did you mean 'clock'\?",
    ),
    (
        HEAD + GOOD_TILE.replace('{vi: "A"}', '{vi: "A", styel: title}'),
        "tiles[0].params.styel",
        7,
        r"unknown key \(did you mean 'style'\?\)",
    ),
    (
        HEAD + GOOD_TILE.replace('{vi: "A"}', '{vi: "A", speed: 0}'),
        "tiles[0].params.speed",
        7,
        r"speed: Input should be greater than 0 \(got 0\)",
    ),
    (
        HEAD + GOOD_TILE.replace('    params: {vi: "A"}\n', ""),
        "tiles[0].params.vi",
        4,  # no params at all: the tile's own line
        r"params\.vi: required key is missing",
    ),
    (HEAD + GOOD_TILE + GOOD_TILE.replace("row: 1", "row: 2"), "tiles[1].id", 8, "used twice"),
    (
        HEAD + "  - id: a\n    kind: clock\n    px: {x: 3000, y: 0, w: 900, h: 300}\n",
        "tiles[0].px",
        6,
        r"lies outside the wall \(3850 × 2170 px\)",
    ),
    (
        HEAD + GOOD_TILE + GOOD_TILE.replace("id: a", "id: b").replace("col: 1", "col: 2"),
        "tiles[1].cell",
        10,
        "tile 'b' overlaps tile 'a'",
    ),
    (
        HEAD + GOOD_TILE.replace("    params", "    px: {x: 0, y: 0, w: 10, h: 10}\n    params"),
        "tiles[0]",
        4,
        "give exactly one of 'cell' or 'px'",
    ),
    (
        HEAD + GOOD_TILE.replace("cols: 2", "cols: 9"),
        "tiles[0].cell",
        6,
        "col 1..9, row 1..1 do not fit the 8 × 8 cell grid of the wall",
    ),
    (
        HEAD + GOOD_TILE.replace("cols: 2", "cols: 5") + "    each_screen: true\n",
        "tiles[0].cell",
        6,
        "do not fit the 4 × 4 cell grid of one screen",
    ),
    (HEAD + GOOD_TILE.replace("cols: 2", "cols: 0"), "tiles[0].cell.cols", 6, "greater than 0"),
    (
        HEAD + "  - id: a\n    kind: clock\n    px: {x: 0, y: 0, w: -5, h: 300}\n",
        "tiles[0].px.w",
        6,
        r"greater than 0 \(got -5\)",
    ),
    (
        HEAD + GOOD_TILE + "    screen: left-tpo\n",
        "tiles[0].screen",
        8,
        r"unknown screen 'left-tpo' .*did you mean 'left-top'\?",
    ),
    (
        HEAD + "  - id: a\n    kind: clock\n    px: {x: 1920, y: 0, w: 10, h: 300}\n",
        "tiles[0].px",
        6,
        "entirely behind the bezels",
    ),
    (HEAD + GOOD_TILE.replace("id: a", "id: Title"), "tiles[0].id", 4, "should match pattern"),
    (HEAD + GOOD_TILE + "    kind: clock\n", "tiles[0].kind", 8, "written twice"),
    (HEAD.replace("tiles:", "tiles: []"), "tiles", 3, "at least 1 item"),
    (HEAD + GOOD_TILE + '    params: {vi: "unclosed}\n', "(yaml)", 9, "YAML syntax error"),
]
BAD_PRESET_IDS = [
    "unknown-top-level-key",
    "unknown-tile-key",
    "unknown-kind",
    "unknown-param",
    "bad-param-value",
    "missing-param",
    "duplicate-tile-id",
    "px-outside-wall",
    "overlap",
    "both-cell-and-px",
    "cells-do-not-fit-wall",
    "cells-do-not-fit-screen",
    "zero-cell-span",
    "negative-px-size",
    "unknown-screen",
    "hidden-behind-bezel",
    "tile-id-not-slug",
    "duplicate-yaml-key",
    "no-tiles",
    "yaml-syntax",
]


@pytest.fixture(scope="module")
def wall() -> WallSpec:
    return load_wall(WALL_2X2)


@pytest.mark.parametrize(("text", "key", "line", "message"), BAD_PRESETS, ids=BAD_PRESET_IDS)
def test_bad_preset(
    tmp_path: Path, wall: WallSpec, text: str, key: str, line: int, message: str
) -> None:
    path = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(SpecError, match=message) as caught:
        load_preset(path, wall, REGISTRY)
    problem = _problem(caught.value, key)
    assert (problem.file, problem.line) == (str(path), line)
    assert re.search(message, str(problem))


BAD_WALLS = [
    (
        WALL_HEAD + "screen: {width: 1920, height: 1080}\nbezel: {mm: 3.5}\n",
        "bezel.mm",
        5,
        r"needs the screen's active area .*add screen\.size_mm",
    ),
    (
        WALL_HEAD + "screen: {width: 1920, height: 1080}\nbezel: {mm: 3.5, px: 4}\n",
        "bezel",
        5,
        "give exactly one of 'mm' or 'px'",
    ),
    (
        WALL_HEAD + "screen: {width: 1920, height: 1080}\nbezzel: {px: 4}\n",
        "bezzel",
        5,
        r"unknown key \(did you mean 'bezel'\?\)",
    ),
    (
        WALL_HEAD + "screen: {width: 0, height: 1080}\nbezel: {px: 4}\n",
        "screen.width",
        4,
        "greater than 0",
    ),
    (
        WALL_HEAD + "screen: {width: 1920, height: 1080, size_mm: [-1, 680]}\nbezel: {mm: 3}\n",
        "screen.size_mm[0]",
        4,
        "greater than 0",
    ),
    (
        WALL_HEAD + "screen: {width: 1920, height: 1080}\nbezel: {px: 4}\nscreens:\n"
        "  - {id: x, row: 3, col: 1}\n",
        "screens[0].row",
        7,
        r"row 3 is outside the grid \(1\.\.2\)",
    ),
    (
        WALL_HEAD + "screen: {width: 1920, height: 1080}\nbezel: {px: 4}\nscreens:\n"
        "  - {id: x, row: 1, col: 1}\n  - {id: x, row: 1, col: 2}\n",
        "screens[1].id",
        8,
        "screen id 'x' is used twice",
    ),
    (
        WALL_HEAD + "screen: {width: 1920, height: 1080}\nbezel: {px: 4}\nscreens:\n"
        "  - {id: r1c1, row: 2, col: 2}\n",
        "screens[0].id",
        7,
        "screen id 'r1c1' is used twice",
    ),
    (
        WALL_HEAD
        + "screen: {width: 1920, height: 1080}\nbezel: {px: 4}\nviewing: {distance_m: 5}\n",
        "viewing.distance_m",
        6,
        "viewing rules need the screen's active area",
    ),
    (
        WALL_HEAD
        + "screen: {width: 1920, height: 1080}\nbezel: {px: 4}\nviewing: {distance_m: 0}\n",
        "viewing.distance_m",
        6,
        "greater than 0",
    ),
    ("- just\n- a list\n", "(root)", 1, r"expected a mapping of keys \(got list\)"),
]
BAD_WALL_IDS = [
    "bezel-mm-without-size",
    "bezel-two-units",
    "unknown-key",
    "zero-width",
    "negative-size-mm",
    "screen-outside-grid",
    "duplicate-screen-id",
    "override-collides-with-default-id",
    "viewing-without-size-mm",
    "viewing-at-no-distance",
    "not-a-mapping",
]


@pytest.mark.parametrize(("text", "key", "line", "message"), BAD_WALLS, ids=BAD_WALL_IDS)
def test_bad_wall(tmp_path: Path, text: str, key: str, line: int, message: str) -> None:
    path = _write(tmp_path, "wall.yaml", text)
    with pytest.raises(SpecError, match=message) as caught:
        load_wall(path)
    problem = _problem(caught.value, key)
    assert (problem.file, problem.line) == (str(path), line)


def test_one_file_reports_every_mistake(tmp_path: Path, wall: WallSpec) -> None:
    text = (
        HEAD
        + GOOD_TILE.replace("kind: text", "kind: txt")  # lines 4-7
        + GOOD_TILE.replace("id: a", "id: b").replace("row: 1", "row: 2")  # lines 8-11
        + GOOD_TILE.replace("id: a", "id: c").replace("col: 1, row: 1", "col: 2, row: 2")
        + "titel: Tổng quan\n"  # line 16
    )
    path = _write(tmp_path, "three.yaml", text)
    with pytest.raises(SpecError) as caught:
        load_preset(path, wall, REGISTRY)
    found = [(p.key, p.line) for p in caught.value.problems]
    assert sorted(found) == [("tiles[0].kind", 5), ("tiles[2].cell", 14), ("titel", 16)]
    assert all(p.file == str(path) for p in caught.value.problems)


def test_problems_of_all_files_come_together(tmp_path: Path, wall: WallSpec) -> None:
    _write(tmp_path, "one.yaml", HEAD + GOOD_TILE.replace("kind: text", "kind: clok"))
    _write(tmp_path, "two.yaml", HEAD + GOOD_TILE.replace("cols: 2", "cols: 0"))
    _write(tmp_path, "good.yaml", HEAD + GOOD_TILE)
    with pytest.raises(SpecError) as caught:
        load_presets(tmp_path, wall, REGISTRY)
    assert [Path(p.file).name for p in caught.value.problems] == ["one.yaml", "two.yaml"]


def test_preset_id_is_file_stem_and_must_be_a_slug(tmp_path: Path, wall: WallSpec) -> None:
    assert load_preset(_write(tmp_path, "my-view.yaml", HEAD + GOOD_TILE), wall, REGISTRY).id == (
        "my-view"
    )
    with pytest.raises(SpecError, match="preset id 'My View'"):
        load_preset(_write(tmp_path, "My View.yaml", HEAD + GOOD_TILE), wall, REGISTRY)


def test_check_files_tells_walls_from_presets(tmp_path: Path, wall: WallSpec) -> None:
    bad_wall = _write(tmp_path, "w.yaml", WALL_HEAD + "screen: {width: 1920, height: 1080}\n")
    bad_preset = _write(tmp_path, "p.yaml", HEAD + GOOD_TILE.replace("kind: text", "kind: x"))
    problems = check_files([bad_wall, bad_preset], wall, REGISTRY)
    assert [(Path(p.file).name, p.key) for p in problems] == [
        ("w.yaml", "bezel"),
        ("p.yaml", "tiles[0].kind"),
    ]


# --- the shipped files ------------------------------------------------------------------


def test_every_shipped_wall_loads() -> None:
    walls = [load_wall(path) for path in sorted(WALLS_DIR.glob("*.yaml"))]
    assert {w.id for w in walls} >= {"default", "wall-2x2"}
    for w in walls:
        assert len(w.screens) == w.rows * w.cols
        assert len(set(w.screen_ids())) == len(w.screens)


@pytest.mark.parametrize("wall_file", sorted(WALLS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_preset_loads_on_its_wall(wall_file: Path) -> None:
    from command_center.server.composition import build_registry

    # The shipped presets use every registered kind (indicator tiles too), as the server does.
    registry = build_registry()
    wall = load_wall(wall_file)
    presets = load_presets(presets_dir_for(wall.id), wall, registry)
    # Every wall can show the overview, calibrate and raise an alert.
    assert {"overview", "calibration", "emergency-banner"} <= set(presets)
    if wall_file == DEFAULT_WALL_FILE:
        assert "bridge-conference" in presets
    for preset in presets.values():
        assert preset.name_vi and preset.name_en and preset.description_vi
    assert check_files([wall_file, presets_dir_for(wall.id)], wall, registry) == []
