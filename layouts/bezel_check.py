"""Warnings, not errors, for ``validate``: text a preset forces onto a bezel.

Titles and banners are laid out per screen on the wall (whole words and lines on each
screen), so they only need one row of screens tall enough for a line of the wall's value
size. A ticker cannot avoid a bezel it runs along: a horizontal bezel through it cuts every
letter. Maps, videos and the other tiles keep their text off the bezels themselves.
"""

from __future__ import annotations

from layouts.geometry import screens_for_tile
from layouts.model import PresetSpec, WallSpec

# Without a legibility rule: the height of a line of a title's smallest readable type.
DEFAULT_LINE_PX = 40.0
LINE_HEIGHT = 1.2


def bezel_warnings(wall: WallSpec, preset: PresetSpec) -> list[str]:
    """One warning per text tile whose text cannot be kept off the bezels."""
    line = (
        wall.legibility.min_value_px * LINE_HEIGHT
        if wall.legibility is not None
        else DEFAULT_LINE_PX
    )
    warnings = []
    for tile in preset.tiles:
        if tile.kind != "text":
            continue
        parts = screens_for_tile(wall, tile.rect)
        rows = {p.rect.y for p in parts}
        style = getattr(tile.params, "style", "title")
        where = f"{preset.source}: tile '{tile.id}'"
        if style == "ticker" and len(rows) > 1:
            warnings.append(
                f"{where}: a ticker across a horizontal bezel is cut by it along its whole"
                " length; keep it within one row of screens"
            )
        elif style != "ticker" and len(parts) > 1 and max(p.rect.h for p in parts) < line:
            warnings.append(
                f"{where}: no screen holds a whole line of its text"
                f" ({max(p.rect.h for p in parts):g} px < {line:g} px), so the bezel cuts it;"
                " move the tile so one screen holds its height"
            )
    return warnings
