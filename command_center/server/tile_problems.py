"""Problems about a loaded preset's tiles placed in their file: line and key.

A loaded preset knows its tiles, not the lines they came from, so the checks that run on
loaded presets (references to indicators and bridge points, one id one tile across presets)
find a tile's entry in its YAML file again: ``tiles[i]`` is the entry whose ``id`` the tile
has (an ``each_screen`` copy ``id@screen`` is its entry's), and each problem carries the
line of ``tiles[i].<key>``.

The feeds and video packages check what a preset's tiles name (they may not import
``layouts``) and answer in words: ``preset 'p', tile 't', indicator: unknown …``; run on
one tile at a time, each such message is tied to that tile (``per_tile``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from command_center.errors import SpecProblem
from command_center.yaml_lines import LoadedYaml, load_yaml
from layouts.model import PresetSpec, TileSpec

# "preset 'p', tile 't', params.key: message": the key and the message after the tile.
_MESSAGE = re.compile(r"^preset '[^']*', tile '[^']*', (?P<key>[\w.\[\]]+): (?P<text>.*)$", re.S)


@dataclass(frozen=True)
class OneTile:
    """A preset reduced to one tile: what the loosely typed checks iterate over."""

    id: str
    tiles: tuple[TileSpec, ...]


def per_tile(
    presets: Mapping[str, PresetSpec], check: Callable[[OneTile], list[str]]
) -> list[SpecProblem]:
    """``check`` run on every tile of every preset; each message with its file, line, key."""
    problems: list[SpecProblem] = []
    for preset in presets.values():
        source = read_source(preset)
        for tile in preset.tiles:
            for message in check(OneTile(preset.id, (tile,))):
                found = _MESSAGE.match(message)
                param, text = (found["key"], found["text"]) if found else ("", message)
                key = "params" + (f".{param}" if param else "")
                problems.append(tile_problem(preset, tile.id, key, text, source))
    return problems


def tile_problem(
    preset: PresetSpec, tile_id: str, key: str, text: str, source: LoadedYaml | None = None
) -> SpecProblem:
    """A problem of tile ``tile_id`` at ``tiles[i].<key>`` of ``preset``'s file, with its
    line (``source``: the file already read, else it is read here). A preset built in code,
    or a tile its file no longer holds, is named by id and has no line."""
    source = source if source is not None else read_source(preset)
    index = _entry_of(source, tile_id)
    where = f"tiles[{tile_id if index is None else index}]" + (f".{key}" if key else "")
    line = source.line_of(where) if source is not None and index is not None else None
    return SpecProblem(preset.source, line, where, text)


def read_source(preset: PresetSpec) -> LoadedYaml | None:
    """The preset's file read again for its lines; a preset built in code has none."""
    try:
        return load_yaml(Path(preset.source).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _entry_of(source: LoadedYaml | None, tile_id: str) -> int | None:
    """The index of the file's tile entry that ``tile_id`` came from."""
    data = source.data if source is not None else None
    tiles = data.get("tiles") if isinstance(data, dict) else None
    entry = tile_id.split("@", 1)[0]  # ids are slugs: '@' only joins a copy's screen
    for index, raw in enumerate(tiles if isinstance(tiles, list) else []):
        if isinstance(raw, dict) and raw.get("id") == entry:
            return index
    return None
