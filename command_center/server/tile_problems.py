"""A reference check's messages placed in their file: line and key of the parameter.

The feeds and video packages check what a preset's tiles name (they may not import
``layouts``) and answer in words: ``preset 'p', tile 't', indicator: unknown …``. Run on
one tile at a time, each message is tied to that tile's index, and so to the line of
``tiles[i].params.<key>`` in the preset's YAML file.
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
        source = _source(preset.source)
        for index, tile in enumerate(preset.tiles):
            for message in check(OneTile(preset.id, (tile,))):
                problems.append(_placed(preset.source, source, index, message))
    return problems


def _placed(file: str, source: LoadedYaml | None, index: int, message: str) -> SpecProblem:
    found = _MESSAGE.match(message)
    param, text = (found["key"], found["text"]) if found else ("", message)
    key = f"tiles[{index}].params" + (f".{param}" if param else "")
    line = source.line_of(key) if source is not None else None
    return SpecProblem(file, line, key, text)


def _source(file: str) -> LoadedYaml | None:
    """The preset's file read again for its lines; a preset built in code has none."""
    try:
        return load_yaml(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
