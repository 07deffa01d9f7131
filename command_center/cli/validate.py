"""``validate``: check wall, preset and schedule YAML files (and, with no files named, every
shipped wall with its presets and schedule, the feeds' files and the bridge points); every
problem at once.

One pass: a preset whose own file is sound has its references checked (indicators, bridge
points, provinces) even when another file has structural problems, so the reader sees
every mistake of every file in one run, each with file, line and key.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from command_center.errors import SpecProblem
    from command_center.tiles import TileRegistry
    from feeds.loader import FeedsSpec
    from layouts.model import PresetSpec, WallSpec


def validate(files: list[Path], wall_file: Path | None) -> int:
    from command_center.errors import SpecError
    from command_center.server.composition import build_registry, check_references
    from feeds.loader import check_feeds_files
    from layouts import DEFAULT_WALL_FILE, WALLS_DIR, alert_rules_for, presets_dir_for
    from layouts.bezel_check import bezel_warnings
    from layouts.loader import load_wall
    from layouts.schedule_check import is_schedule_file
    from video.registry import check_bridge_points_file

    registry = build_registry()
    # Without files: every shipped wall, each with its own presets, and the feeds' files.
    walls = [wall_file] if wall_file else sorted(WALLS_DIR.glob("*.yaml"))
    if files and not wall_file:
        walls = [DEFAULT_WALL_FILE]
    problems = [] if files else check_feeds_files() + check_bridge_points_file()
    feeds = _feeds()
    warnings: list[str] = []  # text forced onto a bezel: reported, not failed
    for path in walls:
        try:
            wall = load_wall(path)
        except SpecError as exc:
            problems += exc.problems
            continue
        rules_files = [f for f in files if f.parent.name == "alerts"]
        named = [f for f in files if f not in rules_files and not is_schedule_file(f)]
        targets = named or [path, presets_dir_for(wall.id)]
        if not files:
            rules_files = [alert_rules_for(wall.id)]
        found, presets = _check_each(targets, path, wall, registry)
        if files and not named:
            found = []  # only rules or schedules were named: the presets are their context
        problems += found
        problems += _check_schedules(files, wall)
        if presets and feeds is not None:
            problems += check_references(presets, feeds)
        if feeds is not None:
            problems += _check_rules(rules_files, wall, presets, feeds)
        warnings += [w for p in presets.values() for w in bezel_warnings(wall, p)]
    # A problem found through two walls (the same preset file named) is said once.
    problems = list(dict.fromkeys(problems))
    targets = files or walls
    count = f"{len(targets)} file(s)" if files else f"{len(walls)} wall(s) and their presets"
    for problem in problems:
        print(problem, file=sys.stderr)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{count} checked: " + (f"{len(problems)} problem(s)" if problems else "no problems"),
        file=sys.stderr,
    )
    return 1 if problems else 0


def _check_rules(
    paths: list[Path], wall: WallSpec, presets: dict[str, PresetSpec], feeds: FeedsSpec
) -> list[SpecProblem]:
    """Each alert rules file against the wall, its presets and the names feeds and video
    know (a wall without a rules file has no alerts: nothing to check)."""
    from command_center.server.alerts_runtime import known_names
    from layouts.alert_loader import check_alert_rules_file
    from video.registry import load_bridge_points

    known = known_names(wall, presets, feeds, load_bridge_points().ids)
    problems: list[SpecProblem] = []
    for path in paths:
        if path.exists():
            problems += check_alert_rules_file(path, known)[0]
    return problems


def _feeds() -> FeedsSpec | None:
    """The catalogue, if it loads (its own problems are reported by ``check_feeds_files``)."""
    from command_center.errors import SpecError
    from feeds.loader import load_feeds

    try:
        return load_feeds()
    except SpecError:
        return None


def _check_schedules(files: list[Path], wall: WallSpec) -> list[SpecProblem]:
    """The schedule files named (or the wall's shipped one), against the wall's presets:
    every preset file counts, even one with problems of its own (reported apart)."""
    from layouts import presets_dir_for, schedule_file_for
    from layouts.loader import preset_files
    from layouts.schedule_check import check_schedule_file, is_schedule_file

    shipped = schedule_file_for(wall.id)
    paths = [f for f in files if is_schedule_file(f)] if files else [shipped]
    known = {p.stem for p in preset_files([presets_dir_for(wall.id)])}
    return [q for p in paths if p.exists() or files for q in check_schedule_file(p, known)]


def _check_each(
    targets: list[Path], wall_path: Path, wall: WallSpec, registry: TileRegistry
) -> tuple[list[SpecProblem], dict[str, PresetSpec]]:
    """Every file's own problems, and the presets that had none (for the reference pass)."""
    from command_center.errors import SpecError
    from layouts.loader import check_files, is_wall_file, load_preset, preset_files

    problems: list[SpecProblem] = []
    presets: dict[str, PresetSpec] = {}
    for path in preset_files(targets):
        found = check_files([path], wall, registry)
        problems += found
        if found or path == wall_path or is_wall_file(path):
            continue
        try:
            preset = load_preset(path, wall, registry)
        except SpecError as exc:  # check_files and the loader agree; kept for safety
            problems += exc.problems
            continue
        presets[preset.id] = preset
    return problems, presets
