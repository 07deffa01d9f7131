"""One tile id, one tile: across presets an id keeps its kind (and, for data tiles, its
parameters), because data and pins are keyed by tile id and survive a switch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_center.errors import SpecError
from command_center.server.composition import build_registry
from command_center.server.indicator_feed import indicator_tiles
from command_center.server.tile_ids import check_one_kind_per_id
from layouts import DEFAULT_WALL_FILE
from layouts.loader import load_presets, load_wall
from layouts.model import PresetSpec

HEAD = "name: {vi: 'x', en: 'x'}\ndescription: {vi: 'x', en: 'x'}\ncells: {cols: 4, rows: 4}\n"


def _presets(tmp_path: Path, **files: str) -> dict[str, PresetSpec]:
    for name, tiles in files.items():
        (tmp_path / f"{name}.yaml").write_text(HEAD + "tiles:\n" + tiles, encoding="utf-8")
    return load_presets(tmp_path, load_wall(DEFAULT_WALL_FILE), build_registry())


VIDEO_HUE = "  - id: hue\n    kind: video\n    cell: {col: 1, row: 1, cols: 2, rows: 2}\n    params: {point: hue}\n"
CPI = "  - id: {id}\n    kind: indicator\n    cell: {{col: 1, row: 1, cols: 2, rows: 2}}\n    params: {{indicator: {ind}}}\n"


def test_an_id_that_changes_kind_between_presets_is_named(tmp_path: Path) -> None:
    presets = _presets(tmp_path, a=VIDEO_HUE, b=CPI.format(id="hue", ind="cpi_yoy"))
    problems = check_one_kind_per_id(presets)
    assert len(problems) == 1
    text = str(problems[0])
    assert "tiles[0].kind" in text and "'indicator'" in text and "'video'" in text
    # Its line in b.yaml, and where the id was first another kind: a.yaml's line.
    assert problems[0].line == 6 and re.search(r"a\.yaml:6;", text), text


def test_the_same_id_and_kind_in_two_presets_is_fine(tmp_path: Path) -> None:
    presets = _presets(tmp_path, a=VIDEO_HUE, b=VIDEO_HUE)
    assert check_one_kind_per_id(presets) == []


def test_an_indicator_id_with_other_parameters_is_named(tmp_path: Path) -> None:
    presets = _presets(
        tmp_path, a=CPI.format(id="k", ind="cpi_yoy"), b=CPI.format(id="k", ind="gdp_growth")
    )
    with pytest.raises(SpecError, match=r"tile 'k' has other parameters in .*a\.yaml"):
        indicator_tiles(presets)
