"""Zones in a wall file: named sets of screens, each mistake named by file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from command_center.errors import SpecError
from layouts import DEFAULT_WALL_FILE
from layouts.loader import load_wall

HEAD = """\
id: test
name: {vi: "Thử nghiệm", en: "Test"}
grid: {rows: 1, cols: 2}
screen: {width: 1920, height: 1080}
bezel: {px: 4}
zones:
"""  # the first zone is on line 7

BAD_ZONES = [
    (
        '  trai: {name: {vi: "Trái", en: "Left"}, screens: [r1c1, r1c3]}\n',
        "zones.trai.screens[1]",
        7,
        r"unknown screen 'r1c3' in zone 'trai' \(did you mean 'r1c2'\?\)",
    ),
    (
        '  trai: {name: {vi: "Trái", en: "Left"}, screens: [r1c1, r1c1]}\n',
        "zones.trai.screens[1]",
        7,
        "screen 'r1c1' is named twice in zone 'trai'",
    ),
    (
        '  trai: {name: {vi: "Trái", en: "Left"}, screens: []}\n',
        "zones.trai.screens",
        7,
        "at least 1 item",
    ),
    (
        '  Trai: {name: {vi: "Trái", en: "Left"}, screens: [r1c1]}\n',
        "zones.Trai",
        7,
        "zone id 'Trai' must match",
    ),
    (
        '  trai: {name: {vi: "Trái"}, screens: [r1c1]}\n',
        "zones.trai.name.en",
        7,
        "required key is missing",
    ),
    (
        '  trai: {name: {vi: "Trái", en: "Left"}, screen: [r1c1]}\n',
        "zones.trai.screen",
        7,
        r"unknown key \(did you mean 'screens'\?\)",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "line", "message"),
    BAD_ZONES,
    ids=["unknown-screen", "screen-twice", "no-screens", "id-not-a-slug", "no-english", "typo"],
)
def test_bad_zone(tmp_path: Path, text: str, key: str, line: int, message: str) -> None:
    path = tmp_path / "wall.yaml"
    path.write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(SpecError, match=message) as caught:
        load_wall(path)
    found = [p for p in caught.value.problems if p.key == key]
    assert found, f"no problem at {key}: {caught.value}"
    assert (found[0].file, found[0].line) == (str(path), line)


def test_zone_screens_in_wall_order_and_unknown_zone_named() -> None:
    wall = load_wall(DEFAULT_WALL_FILE)
    assert wall.zone_screens("trai") == ("r1c1", "r1c2", "r2c1", "r2c2")
    assert wall.zone_screens("phai") == ("r1c3", "r1c4", "r2c3", "r2c4")
    assert wall.zone_screens(None) == tuple(wall.screen_ids())
    assert (wall.zones["trai"].name_vi, wall.zones["trai"].name_en) == ("Nửa trái", "Left half")
    with pytest.raises(KeyError, match=r"unknown zone 'tria'.*did you mean 'trai'\?"):
        wall.zone_screens("tria")
