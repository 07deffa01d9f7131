"""Names in the user's language for what the console shows: presets, tiles, bridge points,
provinces. The console never shows a code, an id or a slug where a person reads.

Built once per server (``pages.routes``) from the presets, the indicator catalogue and the
bridge-point registry; a name the tables lack falls back to the code, never to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from command_center.server.i18n import Lang
from command_center.tiles import TileRegistry
from feeds.catalogue import Catalogue
from geo import CodeList, provinces
from layouts.model import PresetSpec, TileSpec, ZoneSpec

Pair = tuple[str, str]  # (vi, en)

ROOM_NAME: Pair = ("Phòng điều hành", "Operations room")
SPECIAL_SOURCES: Mapping[str, Pair] = {
    "room": ROOM_NAME,
    "active": ("Người đang phát biểu", "Active speaker"),
    "program": ("Hình chương trình", "Programme feed"),
}
WHOLE_COUNTRY: Pair = ("toàn quốc", "the whole country")


def pick(pair: Pair, lang: Lang) -> str:
    return pair[0] if lang == "vi" else pair[1]


@dataclass(frozen=True)
class Names:
    """Lookups from codes to (vi, en) names; ``name(kind, code, lang)`` reads one."""

    presets: Mapping[str, Pair] = field(default_factory=dict)
    tiles: Mapping[str, Pair] = field(default_factory=dict)
    points: Mapping[str, Pair] = field(default_factory=dict)
    provinces: Mapping[str, Pair] = field(default_factory=dict)
    zones: Mapping[str, Pair] = field(default_factory=dict)

    def preset(self, code: str, lang: Lang) -> str:
        return pick(self.presets.get(code, (code, code)), lang)

    def tile(self, code: str, lang: Lang) -> str:
        return pick(self.tiles.get(code, (code, code)), lang)

    def point(self, code: str | None, lang: Lang) -> str:
        if code is None:
            return pick(("không có", "none"), lang)
        pair = SPECIAL_SOURCES.get(code) or self.points.get(code, (code, code))
        return pick(pair, lang)

    def zone(self, code: str, lang: Lang) -> str:
        return pick(self.zones.get(code, (code, code)), lang)

    def province(self, code: str | None, lang: Lang) -> str:
        if code in (None, "", "VN"):
            return pick(WHOLE_COUNTRY, lang)
        return pick(self.provinces.get(code, (code, code)), lang)


def build_names(
    presets: Mapping[str, PresetSpec],
    registry: TileRegistry,
    catalogue: Catalogue | None,
    points: Iterable[tuple[str, str, str]] = (),
    zones: Mapping[str, ZoneSpec] | None = None,
) -> Names:
    """``points``: (id, name_vi, name_en) of every bridge point; ``zones``: the wall's."""
    point_names = {pid: (vi, en) for pid, vi, en in points}
    tiles: dict[str, Pair] = {}
    for preset in presets.values():
        for tile in preset.tiles:
            tiles.setdefault(tile.id, tile_name(tile, registry, catalogue, point_names))
    return Names(
        presets={pid: (p.name_vi, p.name_en) for pid, p in presets.items()},
        tiles=tiles,
        points=point_names,
        provinces={p.code: (p.label_vi, p.name_en) for p in provinces(CodeList.NEW_34)},
        zones={z.id: (z.name_vi, z.name_en) for z in (zones or {}).values()},
    )


def tile_name(
    tile: TileSpec,
    registry: TileRegistry,
    catalogue: Catalogue | None,
    points: Mapping[str, Pair],
) -> Pair:
    """What a person calls the tile: its title, its indicator's name, its point's name,
    else the name of its kind."""
    params = tile.params
    for vi_key, en_key in (("title_vi", "title_en"), ("label_vi", "label_en"), ("vi", "en")):
        vi = getattr(params, vi_key, None)
        if isinstance(vi, str) and vi:
            en = getattr(params, en_key, None)
            return (vi, en if isinstance(en, str) and en else vi)
    code = getattr(params, "indicator", None)
    if isinstance(code, str) and catalogue is not None and code in catalogue:
        indicator = catalogue.get(code)
        return (indicator.name_vi, indicator.name_en)
    point = getattr(params, "point", None)
    if isinstance(point, str):
        vi, en = SPECIAL_SOURCES.get(point) or points.get(point, (point, point))
        return (f"Video: {vi}", f"Video: {en}")
    try:
        kind = registry.get(tile.kind)
    except KeyError:
        return (tile.kind, tile.kind)
    return (kind.label_vi, kind.label_en)
