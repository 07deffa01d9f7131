"""``validate``: check wall and preset YAML files (and, with no files named, every shipped
wall with its presets, the feeds' files and the bridge points); every problem at once."""

from __future__ import annotations

import sys
from pathlib import Path


def validate(files: list[Path], wall_file: Path | None) -> int:
    from command_center.errors import SpecError
    from command_center.server.composition import build_registry, check_references
    from feeds.loader import check_feeds_files, load_feeds
    from layouts import DEFAULT_WALL_FILE, WALLS_DIR, presets_dir_for
    from layouts.bezel_check import bezel_warnings
    from layouts.loader import check_files, load_preset, load_presets, load_wall

    registry = build_registry()
    # Without files: every shipped wall, each with its own presets, and the feeds' files.
    walls = [wall_file] if wall_file else sorted(WALLS_DIR.glob("*.yaml"))
    if files and not wall_file:
        walls = [DEFAULT_WALL_FILE]
    from video.registry import check_bridge_points_file

    problems = [] if files else check_feeds_files() + check_bridge_points_file()
    feeds = None if problems else load_feeds()
    warnings: list[str] = []  # text forced onto a bezel: reported, not failed
    for path in walls:
        try:
            wall = load_wall(path)
        except SpecError as exc:
            problems += exc.problems
            continue
        targets = files or [path, presets_dir_for(wall.id)]
        found = check_files(targets, wall, registry)
        problems += found
        if not found and feeds is not None:
            presets = {}
            for target in targets:
                if target.is_dir():
                    presets.update(load_presets(target, wall, registry))
                elif target.resolve().parent.name != "walls" and target != path:
                    preset = load_preset(target, wall, registry)
                    presets[preset.id] = preset
            problems += check_references(presets, feeds)
            warnings += [w for p in presets.values() for w in bezel_warnings(wall, p)]
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
