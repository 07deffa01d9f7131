"""The indicator tile kinds a layout may name, with their typed parameters.

Tiles name indicators by catalogue code. The layout loader checks the shape of the
parameters (``extra="forbid"``); ``check_tile_references`` is the second pass that checks
the codes and provinces against the catalogue and the province registry, one message per
mistake, with "did you mean …?" for near misses.

Provinces are GSO codes of the 34-unit list (in force since 01/07/2025): a wall shows
today's provinces; older data keyed on the 63-unit list is shown on its own list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from command_center.spec_problems import did_you_mean
from command_center.tiles import TileKind, TileParams
from feeds.areas import ThematicArea
from feeds.catalogue import CODE, Catalogue, Level
from geo import CodeList, codes

PROVINCE = r"^\d{2}$"


class _Titled(TileParams):
    """An optional title bar over the tile (the frame draws it); without one the tile
    names its indicator itself."""

    title_vi: str | None = Field(default=None, min_length=1)
    title_en: str | None = Field(default=None, min_length=1)


class IndicatorParams(_Titled):
    """One indicator for one area: value, target, attainment, status, sparkline, period,
    "as of", reporting agency and a late mark."""

    indicator: str = Field(pattern=CODE)
    # A province of the 34-unit list; None: the national value.
    province: str | None = Field(default=None, pattern=PROVINCE)
    # Periods in the sparkline, the shown period last.
    sparkline: int = Field(default=12, ge=0, le=60)


class IndicatorGroupParams(_Titled):
    """A block of several indicators for one area, one row each."""

    indicators: tuple[str, ...] = Field(min_length=1, max_length=12)
    province: str | None = Field(default=None, pattern=PROVINCE)
    sparkline: int = Field(default=8, ge=0, le=60)
    # Columns of the block; rows follow from the number of indicators.
    columns: int = Field(default=1, ge=1, le=4)


class RankingParams(_Titled):
    """The best and worst provinces on a province-level indicator, in its latest period."""

    indicator: str = Field(pattern=CODE)
    count: int = Field(default=5, ge=1, le=17)
    show: Literal["both", "best", "worst"] = "both"


class TrendParams(_Titled):
    """A series of recent periods against the target line (and thresholds)."""

    indicator: str = Field(pattern=CODE)
    province: str | None = Field(default=None, pattern=PROVINCE)
    periods: int = Field(default=12, ge=2, le=120)


class ReportingStatusParams(_Titled):
    """For the period now due, who reported which indicator, who is overdue and how long.

    ``indicators`` empty and ``area`` None: the whole catalogue.
    """

    indicators: tuple[str, ...] = ()
    area: ThematicArea | None = None
    # Daily indicators are due every day; leave them out of a monthly review wall.
    include_daily: bool = True
    max_rows: int = Field(default=12, ge=1, le=60)


INDICATOR_TILE_KINDS = [
    TileKind("indicator", IndicatorParams, "Chỉ tiêu", "Indicator"),
    TileKind("indicator-group", IndicatorGroupParams, "Nhóm chỉ tiêu", "Indicator group"),
    TileKind("ranking", RankingParams, "Xếp hạng tỉnh, thành phố", "Province ranking"),
    TileKind("trend", TrendParams, "Xu hướng", "Trend"),
    TileKind("reporting-status", ReportingStatusParams, "Tình hình báo cáo", "Reporting status"),
]


def indicator_codes(params: TileParams) -> tuple[str, ...]:
    """The indicator codes a tile's parameters name (empty for the other kinds); lets the
    runtime find the tiles an accepted observation changes."""
    if isinstance(params, IndicatorParams | RankingParams | TrendParams):
        return (params.indicator,)
    if isinstance(params, IndicatorGroupParams | ReportingStatusParams):
        return params.indicators
    return ()


def check_tile_references(preset: object, catalogue: Catalogue) -> list[str]:
    """Every unknown indicator, wrong-level indicator or unknown province named by the
    preset's tiles, one message each naming the preset, tile and parameter.

    ``preset`` is a ``layouts.model.PresetSpec`` (typed loosely: feeds may not import
    layouts); tiles of other kinds are skipped.
    """
    problems: list[str] = []
    preset_id = getattr(preset, "id", "?")
    provinces = set(codes(CodeList.NEW_34))
    for tile in getattr(preset, "tiles", ()):
        params = getattr(tile, "params", None)
        where = f"preset '{preset_id}', tile '{getattr(tile, 'id', '?')}'"
        for key, code in _named_indicators(params):
            if code not in catalogue:
                hint = did_you_mean(code, catalogue.codes)
                problems.append(f"{where}, {key}: unknown indicator '{code}' ({hint})")
                continue
            needs_province = isinstance(params, RankingParams) or (
                getattr(params, "province", None) is not None
            )
            if needs_province and catalogue.get(code).level is not Level.PROVINCE:
                problems.append(
                    f"{where}, {key}: '{code}' is reported nationally only, not per province"
                )
        province = getattr(params, "province", None)
        if isinstance(province, str) and province not in provinces:
            hint = did_you_mean(province, provinces)
            problems.append(
                f"{where}, province: '{province}' is not a province of the 34-unit list ({hint})"
            )
    return problems


def _named_indicators(params: object) -> Iterator[tuple[str, str]]:
    if isinstance(params, IndicatorParams | RankingParams | TrendParams):
        yield "indicator", params.indicator
    elif isinstance(params, IndicatorGroupParams | ReportingStatusParams):
        for i, code in enumerate(params.indicators):
            yield f"indicators[{i}]", code
