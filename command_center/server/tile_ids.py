"""One tile id means one tile in every preset.

Tile data is keyed by tile id (a switch keeps what a tile already shows), so the same id
with other parameters in two presets would show one tile's data in the other: a spec error.
"""

from __future__ import annotations

from collections.abc import Mapping

from command_center.errors import SpecError, SpecProblem
from command_center.server.tile_problems import tile_problem
from command_center.tiles import TileParams
from layouts.model import PresetSpec


def tiles_by_id(
    presets: Mapping[str, PresetSpec], kinds: tuple[type[TileParams], ...]
) -> dict[str, TileParams]:
    """Every tile whose parameters are one of ``kinds``, by id; ``SpecError`` naming each
    id that means different tiles in different presets (file, line and key of each)."""
    tiles: dict[str, TileParams] = {}
    first: dict[str, PresetSpec] = {}
    problems = []
    for preset in presets.values():
        for tile in preset.tiles:
            if not isinstance(tile.params, kinds):
                continue
            seen = tiles.get(tile.id)
            if seen is not None and seen != tile.params:
                other = _where(first[tile.id], tile.id, "params")
                problems.append(
                    tile_problem(
                        preset,
                        tile.id,
                        "params",
                        f"tile '{tile.id}' has other parameters in {other}; "
                        "one tile id must show the same data in every preset",
                    )
                )
                continue
            tiles[tile.id] = tile.params
            first.setdefault(tile.id, preset)
    if problems:
        raise SpecError(problems)
    return tiles


def check_one_kind_per_id(presets: Mapping[str, PresetSpec]) -> list[SpecProblem]:
    """Whatever the kind: an id that is one kind of tile in one preset and another kind in
    another would be sent the other tile's data (or pin) after a switch."""
    kinds: dict[str, tuple[str, PresetSpec]] = {}
    problems = []
    for preset in presets.values():
        for tile in preset.tiles:
            kind, first = kinds.setdefault(tile.id, (tile.kind, preset))
            if kind != tile.kind:
                other = _where(first, tile.id, "kind")
                problems.append(
                    tile_problem(
                        preset,
                        tile.id,
                        "kind",
                        f"tile '{tile.id}' is a '{tile.kind}' tile here and a '{kind}' "
                        f"tile in {other}; one tile id must be one kind of tile in every preset",
                    )
                )
    return problems


def _where(preset: PresetSpec, tile_id: str, key: str) -> str:
    """``file:line`` of a tile's key (the file alone when it has no line)."""
    found = tile_problem(preset, tile_id, key, "")
    return found.file if found.line is None else f"{found.file}:{found.line}"
