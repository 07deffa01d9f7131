"""Reading wall and preset files: every problem of every file first, then one ``SpecError``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from command_center.errors import SpecError, SpecProblem
from command_center.spec_problems import ProblemLog, read_spec
from command_center.tiles import TileRegistry
from layouts.model import PresetSpec, WallSpec
from layouts.preset_check import check_preset
from layouts.schema import SLUG
from layouts.wall_check import check_wall


def load_wall(path: Path | str) -> WallSpec:
    """The wall described by ``path``; raises ``SpecError`` listing every problem."""
    log = ProblemLog(str(path))
    wall = _wall(Path(path), log)
    if wall is None:
        raise SpecError(log.problems)
    return wall


def load_preset(path: Path | str, wall: WallSpec, registry: TileRegistry) -> PresetSpec:
    """One preset checked against ``wall``; its id is the file's stem."""
    log = ProblemLog(str(path))
    preset = _preset(Path(path), wall, registry, log)
    if preset is None:
        raise SpecError(log.problems)
    return preset


def load_presets(
    directory: Path | str, wall: WallSpec, registry: TileRegistry
) -> dict[str, PresetSpec]:
    """Every ``*.yaml`` preset in ``directory`` by id; one ``SpecError`` for all their problems."""
    paths = sorted(Path(directory).glob("*.yaml"))
    problems: list[SpecProblem] = []
    presets: dict[str, PresetSpec] = {}
    if not paths:
        problems.append(SpecProblem(str(directory), None, "(file)", "no *.yaml presets found"))
    for path in paths:
        log = ProblemLog(str(path))
        preset = _preset(path, wall, registry, log)
        problems += log.problems
        if preset is not None:
            presets[preset.id] = preset
    if problems:
        raise SpecError(problems)
    return presets


def check_files(
    paths: Iterable[Path | str], wall: WallSpec, registry: TileRegistry
) -> list[SpecProblem]:
    """Every problem in the given files (directories mean their ``*.yaml``); for ``validate``.

    A file is a wall if it lives in a ``walls`` directory or has wall keys (``grid``,
    ``bezel``); otherwise it is a preset, checked against ``wall``.
    """
    problems: list[SpecProblem] = []
    for path in preset_files(paths):
        log = ProblemLog(str(path))
        source = read_spec(path, log)
        if source is not None:
            if _is_wall(path, source.data):
                check_wall(source.data, log)
            else:
                _check_preset_id(path, log)
                check_preset(path.stem, str(path), source.data, wall, registry, log)
        problems += log.problems
    return problems


def preset_files(paths: Iterable[Path | str]) -> list[Path]:
    """The files named, a directory standing for its ``*.yaml``."""
    found: list[Path] = []
    for p in map(Path, paths):
        found += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    return found


def is_wall_file(path: Path) -> bool:
    """Whether ``path`` describes a wall (not a preset), judged as ``check_files`` does."""
    log = ProblemLog(str(path))
    source = read_spec(path, log)
    return source is not None and _is_wall(path, source.data)


def _is_wall(path: Path, data: object) -> bool:
    if path.parent.name in ("walls", "presets"):
        return path.parent.name == "walls"
    return isinstance(data, dict) and ("grid" in data or "bezel" in data)


def _wall(path: Path, log: ProblemLog) -> WallSpec | None:
    source = read_spec(path, log)
    if source is None:
        return None
    wall = check_wall(source.data, log)
    return wall if not log.problems else None


def _preset(
    path: Path, wall: WallSpec, registry: TileRegistry, log: ProblemLog
) -> PresetSpec | None:
    source = read_spec(path, log)
    _check_preset_id(path, log)
    if source is None:
        return None
    preset = check_preset(path.stem, str(path), source.data, wall, registry, log)
    return preset if not log.problems else None


def _check_preset_id(path: Path, log: ProblemLog) -> None:
    # The id names the preset in URLs and on the duty console, so it must be a slug.
    if not re.match(SLUG, path.stem):
        log.add_at_line(
            "(file)", None, f"preset id '{path.stem}' (the file name) must match {SLUG}"
        )
