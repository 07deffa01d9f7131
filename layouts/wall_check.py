"""Second pass over a wall file: bezel units, screen ids, zones, then the ``WallSpec``."""

from __future__ import annotations

import re

from command_center.spec_problems import ProblemLog, did_you_mean
from command_center.yaml_lines import KeyPath
from layouts.legibility import Legibility
from layouts.model import ScreenSpec, WallSpec, ZoneSpec
from layouts.schema import SLUG, WallFile


def check_wall(data: object, log: ProblemLog) -> WallSpec | None:
    """Validate a parsed wall file; log every problem and return None if there is any."""
    before = len(log.problems)
    wall = log.validate(WallFile, data)
    if wall is None:
        return None
    bezel_px = _bezel_px(wall, log)
    legibility = _legibility(wall, log)
    ids = _screen_ids(wall, log)
    zones = _zones(
        wall, [ids[r, c] for r in range(wall.grid.rows) for c in range(wall.grid.cols)], log
    )
    if len(log.problems) > before or bezel_px is None:
        return None
    screens = tuple(
        ScreenSpec(id=ids[r, c], row=r, col=c, width=wall.screen.width, height=wall.screen.height)
        for r in range(wall.grid.rows)
        for c in range(wall.grid.cols)
    )
    return WallSpec(
        id=wall.id,
        name_vi=wall.name.vi,
        name_en=wall.name.en,
        rows=wall.grid.rows,
        cols=wall.grid.cols,
        screen_width=wall.screen.width,
        screen_height=wall.screen.height,
        bezel_px=bezel_px,
        screens=screens,
        legibility=legibility,
        zones=zones,
    )


def _bezel_px(wall: WallFile, log: ProblemLog) -> float | None:
    if wall.bezel.px is not None:
        return wall.bezel.px
    assert wall.bezel.mm is not None  # the schema demands exactly one unit
    pitch_mm = _pitch_mm(
        wall,
        log,
        ("bezel", "mm"),
        "a bezel in mm needs the screen's active area to convert it to pixels",
        "add screen.size_mm: [width_mm, height_mm], or give bezel.px",
    )
    return None if pitch_mm is None else wall.bezel.mm / pitch_mm


def _legibility(wall: WallFile, log: ProblemLog) -> Legibility | None:
    if wall.viewing is None:
        return None
    pitch_mm = _pitch_mm(
        wall,
        log,
        ("viewing", "distance_m"),
        "viewing rules need the screen's active area to turn millimetres into pixels",
        "add screen.size_mm: [width_mm, height_mm]",
    )
    return None if pitch_mm is None else Legibility(wall.viewing.distance_m, pitch_mm)


def _pitch_mm(
    wall: WallFile, log: ProblemLog, path: KeyPath, message: str, hint: str
) -> float | None:
    """The pixel pitch from the screen's active area (from the width: panels for walls
    have square pixels); None, with ``message`` logged at ``path``, when the file gives
    no area."""
    if wall.screen.size_mm is None:
        log.add(path, message, hint)
        return None
    return wall.screen.size_mm[0] / wall.screen.width


def _screen_ids(wall: WallFile, log: ProblemLog) -> dict[tuple[int, int], str]:
    """Ids by 0-based (row, col): ``r1c1``… row-major, with the file's overrides applied."""
    rows, cols = wall.grid.rows, wall.grid.cols
    ids = {(r, c): f"r{r + 1}c{c + 1}" for r in range(rows) for c in range(cols)}
    named_by: dict[tuple[int, int], int] = {}
    for i, entry in enumerate(wall.screens):
        cell = (entry.row - 1, entry.col - 1)
        if entry.row > rows:
            log.add(("screens", i, "row"), f"row {entry.row} is outside the grid (1..{rows})")
        elif entry.col > cols:
            log.add(("screens", i, "col"), f"col {entry.col} is outside the grid (1..{cols})")
        elif cell in named_by:
            log.add(
                ("screens", i),
                f"row {entry.row}, col {entry.col} is already named by screens[{named_by[cell]}]",
            )
        else:
            named_by[cell] = i
            ids[cell] = entry.id
    seen: dict[str, tuple[int, int]] = {}
    for cell, screen_id in ids.items():
        if screen_id in seen:
            first = seen[screen_id]
            index = named_by.get(cell, named_by.get(first))
            where = ("screens", index, "id") if index is not None else ("screens",)
            log.add(
                where,
                f"screen id '{screen_id}' is used twice (row {first[0] + 1}, col {first[1] + 1}"
                f" and row {cell[0] + 1}, col {cell[1] + 1})",
            )
        else:
            seen[screen_id] = cell
    return ids


def _zones(wall: WallFile, screen_ids: list[str], log: ProblemLog) -> dict[str, ZoneSpec]:
    """Each zone's id a slug and its screens known, each once; screens kept in wall order."""
    known = set(screen_ids)
    zones: dict[str, ZoneSpec] = {}
    for zone_id, entry in wall.zones.items():
        if not re.match(SLUG, zone_id):
            log.add(("zones", zone_id), f"zone id '{zone_id}' must match {SLUG}")
        seen: set[str] = set()
        for i, screen in enumerate(entry.screens):
            if screen not in known:
                log.add(
                    ("zones", zone_id, "screens", i),
                    f"unknown screen '{screen}' in zone '{zone_id}'",
                    did_you_mean(screen, known),
                )
            elif screen in seen:
                log.add(
                    ("zones", zone_id, "screens", i),
                    f"screen '{screen}' is named twice in zone '{zone_id}'",
                )
            seen.add(screen)
        zones[zone_id] = ZoneSpec(
            id=zone_id,
            name_vi=entry.name.vi,
            name_en=entry.name.en,
            screens=tuple(s for s in screen_ids if s in seen),
        )
    return zones
