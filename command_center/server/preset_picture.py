"""A preset drawn from its tile rectangles: the card thumbnail and the console's preview.

No screenshots: an SVG in wall pixels with the screens (bezels between them) and each tile
coloured by what it shows; the large preview also writes each tile's name, so the officer
sees what the wall will show before switching.
"""

from __future__ import annotations

import html

from command_center.server.console_names import Names
from command_center.server.i18n import Lang
from layouts.model import PresetSpec, WallSpec

# By what a tile shows: data, maps, video, words, time; one legend for cards and preview.
KIND_COLOURS = {
    "indicator": "#1f5f99",
    "indicator-group": "#1f5f99",
    "trend": "#2a7ab0",
    "ranking": "#2a7ab0",
    "reporting-status": "#3a6d8c",
    "map": "#2e7d4f",
    "video": "#6a3fa0",
    "text": "#7a5b1e",
    "clock": "#555c66",
    "calibration": "#8a8f96",
}
OTHER_COLOUR = "#4a4f57"


def preset_svg(
    preset: PresetSpec, wall: WallSpec, names: Names | None = None, lang: Lang = "vi"
) -> str:
    """The wall with ``preset``'s tiles; with ``names``, each tile labelled by its name."""
    w, h = wall.width, wall.height
    parts = [
        f"<svg class='preset-svg' viewBox='0 0 {w:g} {h:g}' preserveAspectRatio='xMidYMid meet'"
        f" role='img' aria-label='{html.escape(preset.name_vi if lang == 'vi' else preset.name_en)}'>",
        f"<rect width='{w:g}' height='{h:g}' fill='#2b2f36'/>",
    ]
    for screen in wall.screens:
        v = wall.viewport(screen.id)
        parts.append(
            f"<rect x='{v.x:g}' y='{v.y:g}' width='{v.w:g}' height='{v.h:g}' fill='#0d1117'/>"
        )
    # Labels sized to the wall (1/18 of its height): about 18 px in the console's preview.
    size = max(wall.height / 18, 40)
    for tile in sorted(preset.tiles, key=lambda t: t.z):
        r = tile.rect
        fill = KIND_COLOURS.get(tile.kind, OTHER_COLOUR)
        opacity = "0.75" if tile.overlay else "1"
        parts.append(
            f"<g class='tile' data-tile='{html.escape(tile.id)}' data-kind='{html.escape(tile.kind)}'>"
            f"<rect x='{r.x + 6:g}' y='{r.y + 6:g}' width='{max(r.w - 12, 1):g}' "
            f"height='{max(r.h - 12, 1):g}' rx='18' fill='{fill}' fill-opacity='{opacity}' "
            "stroke='#ffffff' stroke-opacity='0.35' stroke-width='6'/>"
        )
        if names is not None:
            label = html.escape(names.tile(tile.id, lang))
            # HTML inside the tile wraps a long name on words; the tile still bounds it.
            parts.append(
                f"<foreignObject x='{r.x:g}' y='{r.y:g}' width='{r.w:g}' height='{r.h:g}'>"
                f"<div xmlns='http://www.w3.org/1999/xhtml' class='tile-label' "
                f"style='font-size:{size:g}px;line-height:1.15;padding:{size * 0.4:g}px;"
                "color:#fff;font-weight:600;overflow:hidden;height:100%;box-sizing:border-box;"
                f"overflow-wrap:anywhere'>{label}</div></foreignObject>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
