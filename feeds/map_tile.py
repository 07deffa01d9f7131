"""The ``map`` tile kind: a choropleth of one province-level indicator, with layers.

The map shows the 34 provinces for periods from 01/07/2025 and the 63 before (the period's
last day decides, ``geo.code_list_for``). Hoàng Sa and Trường Sa are always drawn.
``check_map_references`` is the second pass over presets, as for the indicator tiles.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from command_center.spec_problems import did_you_mean
from command_center.tiles import TileKind, TileParams
from feeds.catalogue import CODE, Catalogue, Level
from feeds.periods import parse_period_key
from geo.choropleth import MAX_CLASSES, MIN_CLASSES

Layer = Literal["incidents", "bridge_points"]


class MapParams(TileParams):
    """A province map: the indicator's classes, legend, names, values and ages; the
    archipelagos always; incidents and bridge points on top when listed in ``layers``."""

    title_vi: str | None = Field(default=None, min_length=1)
    title_en: str | None = Field(default=None, min_length=1)
    # A province-level indicator; None draws the base map with its layers only.
    indicator: str | None = Field(default=None, pattern=CODE)
    # A fixed period key (2024, 2025-Q2: the 63 units); None follows the latest reported.
    period: str | None = None
    classes: int = Field(default=5, ge=MIN_CLASSES, le=MAX_CLASSES)
    layers: tuple[Layer, ...] = ()
    # Province names, values and ages where a province is large enough to hold them.
    labels: bool = True
    # The console's click on a province zooms this map to it.
    focusable: bool = True


MAP_TILE_KINDS = [TileKind("map", MapParams, "Bản đồ tỉnh, thành phố", "Province map")]


def check_map_references(preset: object, catalogue: Catalogue) -> list[str]:
    """Every unknown or national-only indicator and unreadable period a preset's map tiles
    name, one message each. ``preset`` is a ``layouts.model.PresetSpec`` (typed loosely)."""
    problems: list[str] = []
    preset_id = getattr(preset, "id", "?")
    for tile in getattr(preset, "tiles", ()):
        params = getattr(tile, "params", None)
        if not isinstance(params, MapParams) or params.indicator is None:
            continue
        where = f"preset '{preset_id}', tile '{getattr(tile, 'id', '?')}'"
        code = params.indicator
        if code not in catalogue:
            problems.append(
                f"{where}, indicator: unknown indicator '{code}' "
                f"({did_you_mean(code, catalogue.codes)})"
            )
            continue
        indicator = catalogue.get(code)
        if indicator.level is not Level.PROVINCE:
            problems.append(
                f"{where}, indicator: '{code}' is reported nationally only, not per province"
            )
        if params.period is not None:
            try:
                period = parse_period_key(params.period, indicator.deadline.cutoff_day)
            except ValueError as exc:
                problems.append(f"{where}, period: {exc}")
                continue
            if period.frequency is not indicator.frequency:
                problems.append(
                    f"{where}, period: '{params.period}' is a {period.frequency.value} period; "
                    f"'{code}' is reported {indicator.frequency.value}"
                )
    return problems
