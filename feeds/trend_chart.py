"""The ``trend`` tile's chart: a HoloViews figure shipped once, then only its columns.

``trend_data`` (``feeds.tile_trend``, pure) says what the tile shows. This module turns it
into what travels to a screen:

* ``chart_columns``: the series as columns of one Bokeh ``ColumnDataSource`` named
  ``SOURCE_NAME`` (period index and label, value, the period's target, the point's status
  colour). Every later update of the tile carries these and nothing heavier;
* ``build_figure``: the chart, built with HoloViews (the series as ``hv.Curve`` and
  ``hv.Scatter``, the target as a stepped ``hv.Curve`` because targets change from year
  to year, thresholds as ``hv.HLine``, the warning and alarm zones or the band as
  ``hv.HSpan``) and rendered with ``hv.render(..., backend="bokeh")``; every glyph then
  reads the one named source, so the browser updates the chart by setting that source's
  data. ``figure_item`` is its ``bokeh.embed.json_item``;
* ``structure_key``: what the figure depends on besides the columns (indicator, area,
  number of periods, unit, thresholds, the current target and who set it). The figure is
  rebuilt and re-sent only when it changes;
* ``TrendCharts``: per server process, which figure each trend tile was last sent, so a
  figure goes out once per tile and structure; a screen that connects later gets it from
  the hub's merged tile data.

Rendering takes about 0,1 s (0,5 s the first time, with the import): callers run it in a
worker thread (``IndicatorFeed`` computes tile data in one, at most 4 times a second).
HoloViews is imported on first use, so commands that never draw a chart do not pay for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Json = dict[str, Any]

SOURCE_NAME = "trend-series"  # the ColumnDataSource the browser finds by name
FIGURE_NAME = "trend-figure"

# The wall's dark theme (assets/wall/screen.css, tiles/indicator-common.js).
BACKGROUND = "#0a0f18"
FOREGROUND = "#f2f5fa"
DIM = "#a9b4c4"
AXIS = "#3a4a62"
GRID = "#1f2b3d"
SERIES = "#8fb8ff"
ACCENT = "#ffd34d"  # the target
STATUS_COLOURS = {
    "ok": "#3ddc84",
    "warning": "#ffb000",
    "alarm": "#ff4d4f",
    "neutral": SERIES,
}
THRESHOLD_LABELS = {"warning": "Cảnh báo · Warning", "alarm": "Báo động · Alarm"}
# Read from across a room on a 1920 × 1080 screen; the browser scales them to the tile.
FONT_PX = 22

# The keys of the header (``indicator_data``) the tile keeps; ``points`` and ``lines``
# become the columns and the figure.
_CHART_ONLY = ("points", "lines")

# Vietnamese numbers on the value axis ("1.234,5"); the step decides the decimals.
_Y_FORMAT = """
const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
const digits = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
return new Intl.NumberFormat('vi-VN', {minimumFractionDigits: digits,
                                       maximumFractionDigits: digits}).format(tick);
"""
# Period labels ride in the source, so a new period never needs a new figure.
_X_FORMAT = """
const i = Math.round(tick);
if (Math.abs(tick - i) > 1e-6) return '';
const row = Array.from(source.data.i).indexOf(i);  // break rows sit between periods
return row >= 0 ? String(source.data.label[row]) : '';
"""


def chart_columns(trend: Json) -> dict[str, list[Any]]:
    """The source's columns: one row per period, oldest first; a missing report is a
    ``None`` value (a gap in the line, no point). Before a period that starts a new year of
    a year-to-date series comes a break row half a period earlier with no value, so the
    line stops at December instead of falling to January's first month of the year."""
    columns: dict[str, list[Any]] = {
        k: [] for k in ("i", "label", "period_vi", "value", "target", "status", "color")
    }

    def row(i: float, label: str, period_vi: str, value: Any, target: Any, status: str) -> None:
        for key, item in (
            ("i", i),
            ("label", label),
            ("period_vi", period_vi),
            ("value", value),
            ("target", target),
            ("status", status),
            ("color", STATUS_COLOURS.get(status, SERIES)),
        ):
            columns[key].append(item)

    for n, p in enumerate(trend.get("points", [])):
        if p.get("starts_year"):
            row(n - 0.5, "", "", None, None, "neutral")
        row(n, p["short"], p["label_vi"], p["value"], p["target"], p["status"])
    return columns


def structure_of(trend: Json) -> Json:
    """Everything the figure depends on that is not a column."""
    target = trend.get("target")
    return {
        "indicator": trend.get("indicator"),
        "area": trend.get("area"),
        "name_vi": trend.get("name_vi"),
        "unit_vi": trend.get("unit_vi"),
        "unit_en": trend.get("unit_en"),
        "decimals": trend.get("decimals"),
        "direction": trend.get("direction"),
        "periods": len(trend.get("points", [])),
        "has_target": _has_target(trend),
        "lines": trend.get("lines"),
        "target": None
        if target is None
        else {k: target.get(k) for k in ("value", "high", "comparator", "set_by", "period")},
    }


def _has_target(trend: Json) -> bool:
    """Whether any period shown has a target (no target line or legend entry otherwise)."""
    return any(p.get("target") is not None for p in trend.get("points", []))


def structure_key(trend: Json) -> str:
    """A short digest of ``structure_of``: equal keys, interchangeable figures."""
    text = json.dumps(structure_of(trend), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _number(value: float, decimals: int) -> str:
    """Vietnamese number format: 1.234,5."""
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("−" if value < 0 else "") + text


def _target_label(trend: Json) -> str:
    target = trend.get("target")
    decimals = int(trend.get("decimals") or 0)
    if target is None:
        return "Mục tiêu · Target"
    value = _number(target["value"], decimals)
    if target.get("high") is not None:
        text = f"{value}–{_number(target['high'], decimals)}"
    else:
        text = {"ge": "≥ ", "le": "≤ "}.get(target.get("comparator", ""), "") + value
    return f"Mục tiêu {target['period']} ({target['set_by_vi']}): {text}"


def build_figure(trend: Json) -> Any:
    """The trend chart as a Bokeh figure (see the module doc)."""
    import holoviews as hv
    import holoviews.plotting.bokeh  # registers the Bokeh renderer
    from bokeh.models import (
        BasicTicker,
        ColumnDataSource,
        CustomJSTickFormatter,
        Range1d,
        Step,
    )
    from bokeh.models.renderers import GlyphRenderer

    columns = chart_columns(trend)
    n = max(1, len(trend.get("points", [])))
    lines: Json = trend.get("lines") or {}
    decimals = int(trend.get("decimals") or 0)
    data = {k: [float("nan") if v is None else v for v in vs] for k, vs in columns.items()}
    unit = trend.get("unit_vi") or ""
    x_dim = hv.Dimension("i", label="Kỳ báo cáo")
    y_dim = hv.Dimension("value", label=unit)

    layers: list[Any] = []
    warning, alarm = lines.get("warning"), lines.get("alarm")
    direction = trend.get("direction")
    # Zones first (under the lines): amber between warning and alarm, red beyond alarm.
    if warning is not None and alarm is not None and direction in ("higher_better", "lower_better"):
        beyond = -1e12 if direction == "higher_better" else 1e12
        layers.append(
            hv.HSpan(min(warning, alarm), max(warning, alarm)).opts(
                backend="bokeh", color=STATUS_COLOURS["warning"], alpha=0.10, line_alpha=0
            )
        )
        layers.append(
            hv.HSpan(min(alarm, beyond), max(alarm, beyond)).opts(
                backend="bokeh", color=STATUS_COLOURS["alarm"], alpha=0.10, line_alpha=0
            )
        )
    if lines.get("band_low") is not None and lines.get("band_high") is not None:
        layers.append(
            hv.HSpan(lines["band_low"], lines["band_high"]).opts(
                backend="bokeh", color=STATUS_COLOURS["ok"], alpha=0.14, line_alpha=0
            )
        )
    for name, colour in (
        ("warning", STATUS_COLOURS["warning"]),
        ("alarm", STATUS_COLOURS["alarm"]),
    ):
        if lines.get(name) is not None:
            layers.append(
                hv.HLine(lines[name]).opts(
                    backend="bokeh", color=colour, line_width=2, line_dash="dashed"
                )
            )
            # Named on the line itself, at the right: no legend to look up from afar.
            label = f"{THRESHOLD_LABELS[name]} {_number(lines[name], decimals)}"
            layers.append(
                hv.Text(n - 0.5, lines[name], label, halign="right", valign="bottom").opts(
                    backend="bokeh", color=colour, fontsize=f"{FONT_PX}px"
                )
            )
    # Invisible anchors keep thresholds, band and target inside the auto-ranged y axis.
    anchors = [
        v for v in (warning, alarm, lines.get("band_low"), lines.get("band_high")) if v is not None
    ]
    target = trend.get("target")
    if target is not None:
        anchors += [target["value"]] + ([target["high"]] if target.get("high") is not None else [])
    if anchors:
        layers.append(
            hv.Scatter([(0, a) for a in anchors], x_dim, hv.Dimension("anchor", label=unit)).opts(
                backend="bokeh", alpha=0, size=1
            )
        )
    if _has_target(trend):
        layers.append(
            hv.Curve(
                data, x_dim, hv.Dimension("target", label=unit), label=_target_label(trend)
            ).opts(backend="bokeh", color=ACCENT, line_width=4, line_dash=[14, 9])
        )
    layers.append(
        hv.Curve(data, x_dim, y_dim, label="Giá trị · Value").opts(
            backend="bokeh", color=SERIES, line_width=5
        )
    )
    layers.append(
        hv.Scatter(data, x_dim, [y_dim, "color"]).opts(
            backend="bokeh", color=SERIES, size=18, line_color=BACKGROUND, line_width=2
        )
    )
    overlay = hv.Overlay(layers).opts(
        backend="bokeh",
        responsive=True,
        toolbar=None,
        bgcolor=BACKGROUND,
        show_grid=True,
        legend_position="top_left",
        xlim=(-0.5, n - 0.5),
        fontsize={"ticks": FONT_PX, "labels": FONT_PX, "legend": FONT_PX - 2},
    )
    fig = hv.render(overlay, backend="bokeh")

    # One named source for every data glyph, so one assignment in the browser updates all.
    source = ColumnDataSource(data=data, name=SOURCE_NAME)
    for renderer in fig.renderers:
        if not isinstance(renderer, GlyphRenderer):
            continue
        field = getattr(renderer.glyph, "y", None)
        if field not in ("value", "target"):
            continue  # the anchors keep their own source
        renderer.data_source = source
        if field == "target":
            # Targets change from one year to the next: a step, not a slope between them.
            glyph = renderer.glyph
            renderer.glyph = Step(
                x="i",
                y="target",
                mode="center",
                line_color=glyph.line_color,
                line_width=glyph.line_width,
                line_dash=glyph.line_dash,
            )
            renderer.nonselection_glyph = renderer.hover_glyph = renderer.muted_glyph = None
        if type(renderer.glyph).__name__ == "Scatter":
            for glyph in (renderer.glyph, renderer.nonselection_glyph, renderer.hover_glyph):
                if glyph is not None and not isinstance(glyph, str):
                    glyph.fill_color = {"field": "color"}
    fig.name = FIGURE_NAME
    fig.sizing_mode = "stretch_both"
    fig.x_range = Range1d(start=-0.5, end=n - 0.5)
    fig.background_fill_color = BACKGROUND
    fig.border_fill_color = BACKGROUND
    fig.outline_line_color = None
    fig.min_border_left = fig.min_border_right = 16
    fig.toolbar_location = None
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.axis_line_color = AXIS
        axis.major_tick_line_color = AXIS
        axis.minor_tick_line_color = None
        axis.major_label_text_color = DIM
        axis.axis_label_text_color = DIM
        axis.axis_label_text_font_style = "normal"
    for grid in (*fig.xgrid, *fig.ygrid):
        grid.grid_line_color = GRID
    fig.xgrid.grid_line_color = None
    fig.xaxis.ticker = BasicTicker(desired_num_ticks=7, min_interval=1)
    fig.xaxis.formatter = CustomJSTickFormatter(args={"source": source}, code=_X_FORMAT)
    fig.xaxis.axis_label = None
    fig.yaxis.formatter = CustomJSTickFormatter(code=_Y_FORMAT)
    fig.yaxis.axis_label = unit
    for legend in fig.legend:
        legend.background_fill_color = BACKGROUND
        legend.background_fill_alpha = 0.75
        legend.border_line_color = None
        legend.label_text_color = FOREGROUND
        legend.label_text_font_size = f"{FONT_PX - 2}px"
    return fig


def figure_item(trend: Json) -> Json:
    """``bokeh.embed.json_item`` of ``build_figure``: what the browser embeds."""
    from bokeh.embed import json_item

    return dict(json_item(build_figure(trend)))


def wire_data(trend: Json, key: str) -> Json:
    """The tile's data without a figure: the header, the columns and the key of the figure
    they belong to."""
    data = {k: v for k, v in trend.items() if k not in _CHART_ONLY}
    data["chart_key"] = key
    data["columns"] = chart_columns(trend)
    return data


FigureSink = Callable[[str, Json], None]


class TrendCharts:
    """Which figure each trend tile was last sent, in one server process.

    Without ``on_figure``, ``wire`` builds a missing figure at once and returns it with
    the columns (for callers that are already off the event loop and can wait).

    With ``on_figure``, ``wire`` returns the columns at once and queues the figure for one
    chart thread, started when there is work and ended when there is none; each figure is
    handed to ``on_figure(tile_id, {"figure": …})`` from that thread. Builds run one at a
    time (HoloViews keeps global renderer state), so at most two or three a second, and
    only the newest structure of a tile waiting for a build is built. The tile data that
    computes every flush never waits for a chart.

    Figures are cached by structure key: two tiles of the same chart, or a structure that
    comes back, cost one build. A structure that cannot be drawn is tried once, logged,
    and its tiles keep their columns.
    """

    def __init__(self, on_figure: FigureSink | None = None, cache_size: int = 32) -> None:
        self._on_figure = on_figure
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._sent: dict[str, str] = {}
        self._pending: dict[str, tuple[str, Json]] = {}
        self._worker: threading.Thread | None = None
        self._cache: OrderedDict[str, Json] = OrderedDict()
        self._cache_size = cache_size
        self._failed: set[str] = set()
        self.build_s: list[float] = []  # recent build durations (render + json_item)

    def wire(self, tile_id: str, trend: Json) -> Json:
        """The data to push for ``tile_id`` now: the header and the columns, with
        ``figure`` ({key, item}) when built inline and this tile lacks it."""
        key = structure_key(trend)
        data = wire_data(trend, key)
        with self._lock:
            if self._sent.get(tile_id) == key or key in self._failed:
                return data
            if self._on_figure is not None:
                self._pending[tile_id] = (key, trend)
                if self._worker is None:
                    self._worker = threading.Thread(
                        target=self._work, name="trend-charts", daemon=True
                    )
                    self._worker.start()
                return data
        item = self._build(tile_id, key, trend)
        if item is not None:
            data["figure"] = {"key": key, "item": item}
        return data

    def forget(self, tile_id: str) -> None:
        """Send ``tile_id`` its figure again with its next data."""
        with self._lock:
            self._sent.pop(tile_id, None)

    def idle(self) -> bool:
        """No figure waiting or being built."""
        with self._lock:
            return self._worker is None and not self._pending

    def _work(self) -> None:
        assert self._on_figure is not None
        while True:
            with self._lock:
                if not self._pending:
                    self._worker = None
                    return
                tile_id = next(iter(self._pending))
                key, trend = self._pending.pop(tile_id)
            item = self._build(tile_id, key, trend)
            if item is not None:
                self._on_figure(tile_id, {"figure": {"key": key, "item": item}})

    def _build(self, tile_id: str, key: str, trend: Json) -> Json | None:
        """The figure of ``key`` (cached, else built), recorded as sent to ``tile_id``."""
        with self._build_lock:
            item = self._cache.get(key)
            if item is None:
                started = time.perf_counter()
                try:
                    item = figure_item(trend)
                except Exception:  # one chart that cannot be drawn must not stop the others
                    log.exception("trend figure %s for tile %s could not be built", key, tile_id)
                    with self._lock:
                        self._failed.add(key)
                    return None
                spent = time.perf_counter() - started
                self.build_s = [*self.build_s[-19:], spent]
                log.debug("trend figure %s built in %.0f ms", key, spent * 1000)
                self._cache[key] = item
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(key)
        with self._lock:
            self._sent[tile_id] = key
        return item
