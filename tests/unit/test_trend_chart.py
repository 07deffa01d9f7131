"""The trend tile's chart: a HoloViews figure built once per structure, then columns only.

The figure is the real one (``hv.render`` to Bokeh, then ``json_item``); the tests read
the Bokeh models it holds, and the size and content of what would go to a screen."""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

import pytest
from bokeh.models import BoxAnnotation, ColumnDataSource, Span, Step
from observationsupport import observation, vn

from command_center.protocol import DataMessage
from feeds.catalogue import Catalogue
from feeds.loader import load_feeds
from feeds.observations import NATIONAL
from feeds.tile_trend import trend_data
from feeds.trend_chart import (
    SOURCE_NAME,
    TrendCharts,
    build_figure,
    chart_columns,
    figure_item,
    structure_key,
    wire_data,
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_feeds().catalogue


# GDP growth 2025 by quarter [G8]; the 2025 target is ≥ 8 % (Res. 192/2025/QH15).
GDP_2025 = {"2025-Q1": 7.05, "2025-Q2": 8.16, "2025-Q3": 8.25, "2025-Q4": 8.46}
NOW = vn(2026, 1, 10)


@pytest.fixture(scope="module")
def gdp_trend(catalogue: Catalogue) -> dict[str, Any]:
    series = [observation("gdp_growth", p, v, vn(2026, 1, 6)) for p, v in GDP_2025.items()]
    return trend_data(catalogue.get("gdp_growth"), NATIONAL, series, NOW, periods=6)


def source_of(fig: Any) -> ColumnDataSource:
    source = fig.select_one({"name": SOURCE_NAME})
    assert isinstance(source, ColumnDataSource)
    return source


def test_the_series_points_are_the_stored_observations(gdp_trend: dict[str, Any]) -> None:
    fig = build_figure(gdp_trend)
    source = source_of(fig)
    data = source.data
    assert list(data["label"]) == ["Q3/24", "Q4/24", "Q1/25", "Q2/25", "Q3/25", "Q4/25"]
    shown = {p: v for p, v in zip(data["label"], data["value"], strict=True) if not math.isnan(v)}
    assert shown == {"Q1/25": 7.05, "Q2/25": 8.16, "Q3/25": 8.25, "Q4/25": 8.46}
    # 7,05 misses the 8 % target: amber, not green; the others are green.
    assert list(data["status"][2:]) == ["warning", "ok", "ok", "ok"]
    # Every data glyph reads the one named source the browser updates.
    glyphs = [r for r in fig.renderers if getattr(r, "glyph", None)]
    named = [r for r in glyphs if r.data_source is source]
    assert {type(r.glyph).__name__ for r in named} == {"Line", "Scatter", "Step"}
    others = [r for r in glyphs if r.data_source is not source]  # threshold labels, anchors
    assert all(getattr(r.glyph, "y", None) not in ("value", "target") for r in others)


def test_the_figure_has_the_target_line_at_the_target_value(gdp_trend: dict[str, Any]) -> None:
    fig = build_figure(gdp_trend)
    (step,) = [r for r in fig.renderers if isinstance(getattr(r, "glyph", None), Step)]
    assert step.glyph.y == "target"
    targets = dict(zip(source_of(fig).data["label"], source_of(fig).data["target"], strict=True))
    assert targets["Q1/25"] == targets["Q4/25"] == 8.0
    assert math.isnan(targets["Q3/24"])  # no target was set for 2024
    legend = [item.label.value for item in fig.legend[0].items]
    assert "Mục tiêu 2025 (Quốc hội): ≥ 8,00" in legend
    # Thresholds: warning 6,5 and alarm 5, as lines, with the zones below them shaded.
    spans = sorted(s.location for s in fig.select(type=Span))
    assert spans == [5.0, 6.5]
    texts = [
        r.data_source.data["text"][0]
        for r in fig.renderers
        if "text" in getattr(getattr(r, "data_source", None), "data", {})
    ]
    assert sorted(texts) == ["Báo động · Alarm 5,00", "Cảnh báo · Warning 6,50"]
    zones = fig.select(type=BoxAnnotation)
    assert any(z.top == 6.5 and z.bottom == 5.0 for z in zones)
    assert fig.toolbar_location is None
    assert fig.background_fill_color == "#0a0f18"


def test_a_patch_is_small_and_carries_no_figure(
    catalogue: Catalogue, gdp_trend: dict[str, Any]
) -> None:
    charts = TrendCharts()
    first = charts.wire("gdp-trend", gdp_trend)
    assert first["figure"]["key"] == first["chart_key"] == structure_key(gdp_trend)
    assert first["columns"] == chart_columns(gdp_trend)
    # A new point: same structure, so columns only.
    series = [observation("gdp_growth", p, v, vn(2026, 1, 6)) for p, v in GDP_2025.items()]
    series.append(observation("gdp_growth", "2026-Q1", 7.83, vn(2026, 4, 6)))
    later = trend_data(catalogue.get("gdp_growth"), NATIONAL, series, vn(2026, 4, 7), periods=6)
    assert later["target"]["value"] == 10.0  # 2026: a new target, so a new figure
    moved = charts.wire("gdp-trend", later)
    assert moved["figure"]["key"] != first["figure"]["key"]
    series.append(observation("gdp_growth", "2026-Q2", 8.1, vn(2026, 7, 6)))
    newer = trend_data(catalogue.get("gdp_growth"), NATIONAL, series, vn(2026, 7, 7), periods=6)
    patch = charts.wire("gdp-trend", newer)
    assert "figure" not in patch and "points" not in patch
    assert patch["chart_key"] == moved["chart_key"]
    assert patch["columns"]["value"][-2:] == [7.83, 8.1]
    wire = DataMessage(tiles={"gdp-trend": patch}, ts={"gdp-trend": 0.0}, sent=0.0)
    text = wire.model_dump_json()
    assert len(text) < 4_000, len(text)
    assert "doc" not in json.loads(text)["tiles"]["gdp-trend"]
    full = DataMessage(tiles={"gdp-trend": moved}, ts={"gdp-trend": 0.0}, sent=0.0)
    assert len(full.model_dump_json()) > 5 * len(text)  # what the patch saves
    # Another tile with the same chart gets its own first figure, from the cache.
    assert "figure" in charts.wire("other-tile", newer)
    assert len(charts.build_s) == 2


def test_the_figure_item_embeds_and_the_wire_has_no_nan(gdp_trend: dict[str, Any]) -> None:
    item = figure_item(gdp_trend)
    assert {"doc", "root_id", "target_id"} <= set(item)
    json.dumps(item, allow_nan=False)  # browsers refuse NaN in JSON
    json.dumps(wire_data(gdp_trend, "k"), allow_nan=False)
    assert wire_data(gdp_trend, "k")["columns"]["value"][0] is None  # a gap, not NaN


def test_no_target_line_without_a_target(catalogue: Catalogue) -> None:
    cpi = catalogue.get("cpi_yoy")  # thresholds, no target
    t = trend_data(cpi, NATIONAL, [observation(cpi.code, "2025-12", 3.1, vn(2026, 1, 3))], NOW)
    fig = build_figure(t)
    assert not [r for r in fig.renderers if isinstance(getattr(r, "glyph", None), Step)]
    assert [item.label.value for item in fig.legend[0].items] == ["Giá trị · Value"]


def test_band_indicators_shade_their_band(catalogue: Catalogue) -> None:
    band = catalogue.get("total_social_investment")
    t = trend_data(
        band, NATIONAL, [observation(band.code, "2020", 33.4, vn(2021, 1, 5))], vn(2021, 1, 6)
    )
    fig = build_figure(t)
    assert any(z.bottom == 33 and z.top == 34 for z in fig.select(type=BoxAnnotation))
    assert not fig.select(type=Span)  # a band has bounds, no one-sided threshold lines


def test_with_a_sink_the_figure_comes_from_the_chart_thread(gdp_trend: dict[str, Any]) -> None:
    got: list[tuple[str, dict[str, Any], str]] = []
    done = threading.Event()

    def sink(tile_id: str, data: dict[str, Any]) -> None:
        got.append((tile_id, data, threading.current_thread().name))
        done.set()

    charts = TrendCharts(on_figure=sink)
    data = charts.wire("gdp-trend", gdp_trend)
    assert "figure" not in data  # the columns go out at once, without waiting for a chart
    assert data["columns"] == chart_columns(gdp_trend)
    assert done.wait(60), "the chart thread delivered no figure"
    ((tile_id, figure, thread),) = got
    assert (tile_id, thread) == ("gdp-trend", "trend-charts")
    assert figure["figure"]["key"] == data["chart_key"]
    assert "doc" in figure["figure"]["item"]
    deadline = time.monotonic() + 30  # the thread ends once nothing is left to build
    while not charts.idle():
        assert time.monotonic() < deadline, "the chart thread did not finish"
        time.sleep(0.01)
    # Sent once: the next data of the same structure queues nothing.
    assert "figure" not in charts.wire("gdp-trend", gdp_trend)
    assert charts.idle()
    assert len(got) == 1
