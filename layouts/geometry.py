"""Pure geometry of a wall: cells to rectangles, and which screen shows which part of a tile.

All inputs and outputs are in physical wall pixels (bezel gaps included) unless a name says
the coordinates are a screen's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from layouts.model import PresetSpec, Rect, TileSpec, WallSpec


@dataclass(frozen=True, slots=True)
class ScreenPart:
    """The visible part of a tile on one screen, in that screen's own pixels."""

    screen_id: str
    rect: Rect


@dataclass(frozen=True, slots=True)
class PlacedTile:
    """A tile as one screen draws it: its *whole* rect relative to the screen's top-left.

    The rect may start at negative coordinates or run past the screen: the browser clips it,
    which keeps a spanning tile's content continuous across screens.
    """

    tile: TileSpec
    rect: Rect


def _span(
    first: int, count: int, per_screen: int, screen_px: int, pitch: float
) -> tuple[float, float]:
    """Start and end along one axis of ``count`` cells from 0-based cell ``first``.

    The end is the far edge of the last cell, so a span across screens includes the gaps.
    """
    cell = screen_px / per_screen
    last = first + count - 1
    start = (first // per_screen) * pitch + (first % per_screen) * cell
    end = (last // per_screen) * pitch + (last % per_screen + 1) * cell
    return start, end


def cell_rect(
    wall: WallSpec,
    per_screen: tuple[int, int],
    col: int,
    row: int,
    cols: int = 1,
    rows: int = 1,
) -> Rect:
    """The rect of a block of cells, 1-based as in YAML, on a grid of ``per_screen``
    (cols, rows) cells per screen laid over the whole wall."""
    x0, x1 = _span(
        col - 1, cols, per_screen[0], wall.screen_width, wall.screen_width + wall.bezel_px
    )
    y0, y1 = _span(
        row - 1, rows, per_screen[1], wall.screen_height, wall.screen_height + wall.bezel_px
    )
    return Rect(x=x0, y=y0, w=x1 - x0, h=y1 - y0)


def screens_for_tile(wall: WallSpec, rect: Rect) -> list[ScreenPart]:
    """Every screen that shows part of ``rect``, with that part in the screen's own pixels."""
    parts = []
    for screen in wall.screens:
        viewport = wall.viewport(screen.id)
        visible = rect.intersection(viewport)
        if visible is not None:
            parts.append(ScreenPart(screen.id, visible.moved(-viewport.x, -viewport.y)))
    return parts


def tiles_for_screen(wall: WallSpec, preset: PresetSpec, screen_id: str) -> list[PlacedTile]:
    """The tiles one screen draws, bottom first: by ``z``, then in file order."""
    viewport = wall.viewport(screen_id)
    shown = [t for t in preset.tiles if t.rect.overlaps(viewport)]
    shown.sort(key=lambda t: t.z)  # stable: file order within a z
    return [PlacedTile(t, t.rect.moved(-viewport.x, -viewport.y)) for t in shown]
