"""One tile id means one tile in every preset.

Tile data is keyed by tile id (a switch keeps what a tile already shows), so the same id
with other parameters in two presets would show one tile's data in the other: a spec error.
"""

from __future__ import annotations

from collections.abc import Mapping

from command_center.errors import SpecError, SpecProblem
from command_center.tiles import TileParams
from layouts.model import PresetSpec


def tiles_by_id(
    presets: Mapping[str, PresetSpec], kinds: tuple[type[TileParams], ...]
) -> dict[str, TileParams]:
    """Every tile whose parameters are one of ``kinds``, by id; ``SpecError`` naming each
    id that means different tiles in different presets."""
    tiles: dict[str, TileParams] = {}
    where: dict[str, str] = {}
    problems = []
    for preset in presets.values():
        for tile in preset.tiles:
            if not isinstance(tile.params, kinds):
                continue
            seen = tiles.get(tile.id)
            if seen is not None and seen != tile.params:
                problems.append(
                    SpecProblem(
                        preset.source,
                        None,
                        f"tiles[{tile.id}].params",
                        f"tile '{tile.id}' has other parameters in {where[tile.id]}; "
                        "one tile id must show the same data in every preset",
                    )
                )
                continue
            tiles[tile.id] = tile.params
            where.setdefault(tile.id, preset.source)
    if problems:
        raise SpecError(problems)
    return tiles


def check_one_kind_per_id(presets: Mapping[str, PresetSpec]) -> list[SpecProblem]:
    """Whatever the kind: an id that is one kind of tile in one preset and another kind in
    another would be sent the other tile's data (or pin) after a switch."""
    kinds: dict[str, tuple[str, str]] = {}
    problems = []
    for preset in presets.values():
        for tile in preset.tiles:
            seen = kinds.setdefault(tile.id, (tile.kind, preset.source))
            if seen[0] != tile.kind:
                problems.append(
                    SpecProblem(
                        preset.source,
                        None,
                        f"tiles[{tile.id}].kind",
                        f"tile '{tile.id}' is a '{tile.kind}' tile here and a '{seen[0]}' "
                        f"tile in {seen[1]}; one tile id must be one kind of tile in every preset",
                    )
                )
    return problems
