"""The tile payload types (feeds.tile_payloads) are what the producers send, key for key, and
each names a renderer that exists. mypy checks the producers' literals; this checks what they
return at run time, nested payloads included, so a key added by ``**`` or a cast cannot slip."""

from __future__ import annotations

import inspect
import re
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from feeds import tile_payloads
from feeds.loader import FeedsSpec, load_feeds
from feeds.map_data import map_data
from feeds.map_tile import MapParams
from feeds.observations import NATIONAL, Area, Observation
from feeds.periods import TIME_ZONE
from feeds.tile_group import group_data
from feeds.tile_indicator import indicator_data
from feeds.tile_payloads import (
    GroupPayload,
    IndicatorPayload,
    MapHead,
    RankingPayload,
    ReportingStatusPayload,
    TrendPayload,
)
from feeds.tile_ranking import ranking_data
from feeds.tile_reporting import reporting_status_data
from feeds.tile_trend import trend_data
from geo import CodeList, codes

TILES = Path(__file__).resolve().parents[2] / "assets" / "wall" / "tiles"
NOW = datetime(2026, 4, 27, 6, tzinfo=TIME_ZONE)
AT = NOW.timestamp() * 1000 - 3_600_000


def _problems(data: object, hint: Any, where: str) -> list[str]:
    """Where ``data`` is not of type ``hint`` (TypedDicts by their keys, recursively)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in typing.get_args(hint):
            return []
        found = [_problems(data, arm, where) for arm in typing.get_args(hint)]
        return [] if any(not f for f in found) else min(found, key=len)
    if typing.is_typeddict(hint):
        if not isinstance(data, dict):
            return [f"{where}: expected {hint.__name__}, got {type(data).__name__}"]
        hints = typing.get_type_hints(hint)
        out = [f"{where}: {hint.__name__} lacks {k}" for k in hint.__required_keys__ - set(data)]
        out += [f"{where}: {hint.__name__} has no key {k}" for k in set(data) - set(hints)]
        for key in set(data) & set(hints):
            out += _problems(data[key], hints[key], f"{where}.{key}")
        return out
    if origin is list:
        if not isinstance(data, list):
            return [f"{where}: expected a list"]
        (item,) = typing.get_args(hint)
        return [p for i, d in enumerate(data) for p in _problems(d, item, f"{where}[{i}]")]
    return []  # leaves: mypy checks them at the producer


def obs(area: Area, value: float, indicator: str = "public_investment_disbursement") -> Observation:
    agency = f"ubnd_{area.code}" if area.code else "bo_tai_chinh"
    return Observation(
        indicator=indicator,
        area=area,
        period="2026-04",
        value=value,
        agency=agency,
        received_at=AT,
    )


@pytest.fixture(scope="module")
def feeds() -> FeedsSpec:
    return load_feeds()


@pytest.fixture(scope="module")
def reported() -> list[Observation]:
    provinces = [Area(code=c, code_list="gso-34") for c in codes(CodeList.NEW_34)]
    return [obs(a, 20.0 + i) for i, a in enumerate(provinces[:-2])] + [
        Observation(
            indicator="cpi_yoy",
            area=NATIONAL,
            period="2026-03",
            value=3.2,
            agency="cuc_thong_ke",
            received_at=AT,
        )
    ]


def _payloads(feeds: FeedsSpec, rows: list[Observation]) -> list[tuple[str, object, Any]]:
    cat, ag = feeds.catalogue, feeds.agencies
    disbursement = cat.get("public_investment_disbursement")
    return [
        (
            "indicator",
            indicator_data(cat.get("cpi_yoy"), NATIONAL, rows, NOW, ag),
            IndicatorPayload,
        ),
        (
            "group",
            group_data(cat, ["cpi_yoy", "gdp_growth"], NATIONAL, rows, NOW, ag),
            GroupPayload,
        ),
        ("ranking", ranking_data(disbursement, rows, NOW, 5, ag), RankingPayload),
        ("trend", trend_data(cat.get("cpi_yoy"), NATIONAL, rows, NOW, 6, ag), TrendPayload),
        ("status", reporting_status_data(cat, rows, NOW, ag), ReportingStatusPayload),
    ]


@pytest.mark.parametrize("empty", [False, True], ids=["reported", "nothing-reported"])
def test_every_producer_sends_exactly_its_payload_type(
    feeds: FeedsSpec, reported: list[Observation], empty: bool
) -> None:
    for name, data, payload in _payloads(feeds, [] if empty else reported):
        assert _problems(data, payload, name) == []


@pytest.mark.parametrize("indicator", ["public_investment_disbursement", None])
def test_the_map_sends_its_head_and_one_cell_per_province(
    feeds: FeedsSpec, reported: list[Observation], indicator: str | None
) -> None:
    params = MapParams(indicator=indicator) if indicator else MapParams(indicator="x")
    found = feeds.catalogue.get(indicator) if indicator else None
    data = map_data(params, found, reported, NOW, feeds.agencies)
    head_keys = set(typing.get_type_hints(MapHead))
    head = {k: v for k, v in data.items() if k in head_keys}
    assert _problems(head, MapHead, "map") == []
    cells = set(data) - head_keys
    assert cells == (set(codes(CodeList.NEW_34)) if indicator else set())
    assert all(c is None or len(c) == 3 for c in (data[k] for k in cells))


def test_a_missing_key_is_found() -> None:
    """The checker above can fail: a payload short of a key, or with one too many."""
    assert _problems({"items": []}, GroupPayload, "g")
    good = {k: None for k in typing.get_type_hints(tile_payloads.MapPeriod)}
    assert _problems(good | {"extra": 1}, tile_payloads.MapPeriod, "p") == [
        "p: MapPeriod has no key extra"
    ]


PAYLOADS = [
    obj
    for name, obj in vars(tile_payloads).items()
    if typing.is_typeddict(obj)
    and ((name.endswith("Payload") and name != "TargetPayload") or name == "MapHead")
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.__name__)
def test_each_payload_names_a_renderer_that_exists(payload: type) -> None:
    doc = inspect.getdoc(payload) or ""
    named = re.findall(r"assets/wall/tiles/([\w-]+\.js)", doc)
    assert named, f"{payload.__name__}'s docstring names no renderer"
    assert all((TILES / n).is_file() for n in named), named
