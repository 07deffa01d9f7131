"""Second pass over a preset file: kinds, parameters, placement on the wall, ids, overlaps.

Each tile is validated on its own, so a mistake in one tile hides nothing about the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from command_center.spec_problems import IdsOnce, ProblemLog, did_you_mean
from command_center.tiles import TileParams, TileRegistry
from layouts.geometry import cell_rect, screens_for_tile
from layouts.model import EPSILON, PresetSpec, Rect, TileSpec, WallSpec
from layouts.schema import CellsEntry, PresetFile, TileEntry


@dataclass(frozen=True)
class _Placed:
    """A tile on the wall and the file entry it came from, for problems that name both."""

    spec: TileSpec
    index: int
    placement: str  # "cell" or "px"


@dataclass(frozen=True)
class _Frame:
    """What a tile's cell/px is relative to: the whole wall or one screen."""

    suffix: str | None  # appended to the tile id as ``@<screen>`` for each_screen copies
    origin: Rect
    is_wall: bool = False


def check_preset(
    preset_id: str,
    source: str,
    data: object,
    wall: WallSpec,
    registry: TileRegistry,
    log: ProblemLog,
) -> PresetSpec | None:
    """Validate a parsed preset file; log every problem and return None if there is any."""
    before = len(log.problems)
    header = log.validate(PresetFile, data)
    if not isinstance(data, dict):
        return None
    cells = header.cells if header else _quiet_cells(data.get("cells", {}))
    placed: list[_Placed] = []
    ids = IdsOnce(log, "tile")
    raw_tiles = data.get("tiles")
    for i, raw in enumerate(raw_tiles if isinstance(raw_tiles, list) else []):
        entry = log.validate(TileEntry, raw, ("tiles", i)) if isinstance(raw, dict) else None
        if entry is None:
            continue
        ids.see(entry.id, ("tiles", i))
        placed += _place(entry, i, cells, wall, registry, log)
    _check_overlaps(placed, log)
    if header is None or len(log.problems) > before:
        return None
    return PresetSpec(
        id=preset_id,
        name_vi=header.name.vi,
        name_en=header.name.en,
        description_vi=header.description.vi,
        description_en=header.description.en,
        tiles=tuple(p.spec for p in placed),
        source=source,
    )


def _quiet_cells(data: Any) -> CellsEntry | None:
    # The header already logged its problems; only the cell grid is needed to go on.
    try:
        return CellsEntry.model_validate(data)
    except ValidationError:
        return None


def _place(
    entry: TileEntry,
    i: int,
    cells: CellsEntry | None,
    wall: WallSpec,
    registry: TileRegistry,
    log: ProblemLog,
) -> list[_Placed]:
    params = _params(entry, i, registry, log)
    frames = _frames(entry, i, wall, log)
    rects = _rects(entry, i, cells, wall, frames, log)
    if params is None or rects is None:
        return []
    placement = "cell" if entry.cell else "px"
    return [
        _Placed(
            TileSpec(
                id=f"{entry.id}@{suffix}" if suffix else entry.id,
                kind=entry.kind,
                rect=rect,
                params=params,
                overlay=entry.overlay,
                z=entry.z,
            ),
            i,
            placement,
        )
        for suffix, rect in rects
    ]


def _params(entry: TileEntry, i: int, registry: TileRegistry, log: ProblemLog) -> TileParams | None:
    if entry.kind not in registry:
        log.add(
            ("tiles", i, "kind"),
            f"unknown tile kind '{entry.kind}' (known: {', '.join(registry.names())})",
            did_you_mean(entry.kind, registry.names()),
        )
        return None
    return log.validate(registry.get(entry.kind).params, entry.params, ("tiles", i, "params"))


def _frames(entry: TileEntry, i: int, wall: WallSpec, log: ProblemLog) -> list[_Frame]:
    if entry.each_screen:
        return [_Frame(s.id, wall.viewport(s.id)) for s in wall.screens]
    if entry.screen is None:
        return [_Frame(None, wall.rect, is_wall=True)]
    if entry.screen not in wall.screen_ids():
        log.add(
            ("tiles", i, "screen"),
            f"unknown screen '{entry.screen}' on wall '{wall.id}'",
            did_you_mean(entry.screen, wall.screen_ids()),
        )
        return []
    return [_Frame(None, wall.viewport(entry.screen))]


def _rects(
    entry: TileEntry,
    i: int,
    cells: CellsEntry | None,
    wall: WallSpec,
    frames: list[_Frame],
    log: ProblemLog,
) -> list[tuple[str | None, Rect]] | None:
    """The tile's rect in each frame, in wall pixels; None (logged) if it does not fit."""
    if not frames:
        return None
    whole_wall = frames[0].is_wall
    if entry.cell is not None:
        if cells is None:
            return None  # the cell grid itself is invalid and already reported
        box = entry.cell
        per_screen = (cells.cols, cells.rows)
        grid_cols = cells.cols * (wall.cols if whole_wall else 1)
        grid_rows = cells.rows * (wall.rows if whole_wall else 1)
        last_col, last_row = box.col + box.cols - 1, box.row + box.rows - 1
        if last_col > grid_cols or last_row > grid_rows:
            log.add(
                ("tiles", i, "cell"),
                f"cells col {box.col}..{last_col}, row {box.row}..{last_row}"
                f" do not fit the {grid_cols} × {grid_rows} cell grid of "
                + ("the wall" if whole_wall else "one screen"),
            )
            return None
        # On screen (0, 0) wall pixels are that screen's pixels, so this is frame-relative.
        local = cell_rect(wall, per_screen, box.col, box.row, box.cols, box.rows)
    else:
        assert entry.px is not None  # the schema demands exactly one placement
        px = entry.px
        local = Rect(x=px.x, y=px.y, w=px.w, h=px.h)
        size = frames[0].origin
        if (
            local.x < -EPSILON
            or local.y < -EPSILON
            or local.right > size.w + EPSILON
            or local.bottom > size.h + EPSILON
        ):
            what = "the wall" if whole_wall else "the screen"
            log.add(
                ("tiles", i, "px"),
                f"tile ({_n(local.x)}, {_n(local.y)})–({_n(local.right)}, {_n(local.bottom)})"
                f" lies outside {what} ({_n(size.w)} × {_n(size.h)} px)",
            )
            return None
        if whole_wall and not screens_for_tile(wall, local):
            log.add(("tiles", i, "px"), "tile lies entirely behind the bezels: no screen shows it")
            return None
    return [(f.suffix, local.moved(f.origin.x, f.origin.y)) for f in frames]


def _n(value: float) -> str:
    """Pixels for messages: whole numbers without ``.0``, else one decimal."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _check_overlaps(placed: list[_Placed], log: ProblemLog) -> None:
    """Non-overlay tiles must not cover each other; one problem per pair of file entries."""
    reported: set[tuple[int, int]] = set()
    solid = [p for p in placed if not p.spec.overlay]
    for n, later in enumerate(solid):
        for earlier in solid[:n]:
            pair = (earlier.index, later.index)
            if (
                pair in reported
                or pair[0] == pair[1]
                or not earlier.spec.rect.overlaps(later.spec.rect)
            ):
                continue
            reported.add(pair)
            log.add(
                ("tiles", later.index, later.placement),
                f"tile '{later.spec.id}' overlaps tile '{earlier.spec.id}'",
                "move one of them, or set 'overlay: true' on the one meant to cover the other",
            )
