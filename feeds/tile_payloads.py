"""What each tile's data looks like on the wire: one ``TypedDict`` per tile payload.

The seam between Python and JavaScript. Each payload names its renderer in its docstring
(``assets/wall/tiles/<name>.js`` reads these keys), and its producer returns it, so mypy
checks every key the producer writes against the type the renderer is written for:

    kind               producer                                  payload type            renderer
    indicator          feeds/tile_indicator.py indicator_data    IndicatorPayload        indicator.js
    indicator-group    feeds/tile_group.py group_data            GroupPayload            indicator-group.js
    ranking            feeds/tile_ranking.py ranking_data        RankingPayload          ranking.js
    trend              feeds/tile_trend.py trend_data            TrendPayload            trend.js
    reporting-status   feeds/tile_reporting.py                   ReportingStatusPayload  reporting-status.js
                       reporting_status_data
    map                feeds/map_data.py map_data                MapHead (+ one cell     map.js
                                                                 per province code)
    video              no Python payload: the tile's params      VideoParams             video.js
                       (video/tile_kind.py) and the video        (video/tile_kind.py)
                       control channel's roster (video/room.py)

``feeds.tile_data.BUILDERS`` picks the producer for a tile's params; from there on the
payload is plain JSON (the bus, the hub's merge, the browser).
"""

from __future__ import annotations

from typing import Literal, TypedDict

StatusName = str  # feeds.tile_common.status_name: good, warning, alarm, none, ...


class TargetPayload(TypedDict):
    """A period's target as every renderer shows it (``feeds.judging.target_json``;
    ``indicator-common.js``)."""

    value: float
    high: float | None
    comparator: Literal["range", "ge", "le", "eq"]
    period: str
    set_by: str
    set_by_vi: str
    set_by_en: str
    instrument: str
    illustrative: bool


class IndicatorNames(TypedDict):
    """How an indicator tile names its indicator (``tile_common.indicator_names``)."""

    indicator: str
    name_vi: str
    name_en: str
    # The tile's name (the catalogue's short name, else the full one); the full one on hover.
    short_vi: str
    short_en: str


class IndicatorPayload(IndicatorNames):
    """``assets/wall/tiles/indicator.js``: one indicator in one area, its latest value,
    status against target and thresholds, age, lateness and sparkline."""

    area: str
    area_vi: str
    area_en: str
    unit_vi: str
    unit_en: str
    decimals: int
    direction: str
    illustrative: bool
    value: float | None
    previous: float | None
    change: float | None
    period: str
    period_vi: str
    period_en: str
    target: TargetPayload | None
    attainment_pct: float | None
    # Rates: value minus target in percentage points, shown instead of attainment.
    target_gap_pp: float | None
    target_met: bool | None
    status: StatusName
    sparkline: list[float | None]
    sparkline_periods: list[str]
    # Indices where a year-to-date series starts again: the line breaks there.
    sparkline_breaks: list[int]
    as_of: float | None  # ms since the epoch, as every "as_of" here
    revision: int | None
    agency: str
    agency_vi: str
    agency_en: str
    late: bool
    overdue_ms: float
    due_at: float
    due_period_vi: str
    due_period_en: str
    arrived_late_ms: float | None
    stale_after_s: float | None


class GroupPayload(TypedDict):
    """``assets/wall/tiles/indicator-group.js``: several indicators for one area, one row
    (an ``IndicatorPayload``) each; the frame's age is the oldest item's, and each item
    carries its own ``as_of`` and late mark, so the renderer marks the late one on itself."""

    items: list[IndicatorPayload]
    area: str
    area_vi: str
    area_en: str
    late_count: int
    as_of: float | None
    stale_after_s: float | None


class ProvinceNames(TypedDict):
    """A province by code with its names on a period's date (``tile_common.province_names``)."""

    code: str
    name_vi: str
    name_en: str


class RankingRow(ProvinceNames):
    """One province of ``ranking.js``'s best or worst list."""

    rank: int
    value: float
    status: StatusName
    attainment_pct: float | None
    as_of: float
    agency: str
    agency_vi: str


class RankingPayload(IndicatorNames):
    """``assets/wall/tiles/ranking.js``: the best and worst provinces in the latest period
    any province reported, and who has not reported."""

    unit_vi: str
    unit_en: str
    decimals: int
    direction: str
    period: str
    period_vi: str
    period_en: str
    code_list: str
    best: list[RankingRow]
    worst: list[RankingRow]
    reported: int
    expected: int
    missing: list[ProvinceNames]
    national: float | None
    target: TargetPayload | None
    as_of: float | None
    late: bool
    overdue_ms: float
    due_at: float
    stale_after_s: float | None


class TrendPoint(TypedDict):
    """One period of ``trend.js``'s chart, judged against its own period's target."""

    period: str
    label_vi: str
    label_en: str
    short: str
    value: float | None
    target: float | None
    target_high: float | None
    status: StatusName
    target_met: bool | None
    starts_year: bool


class TrendLines(TypedDict):
    """The chart's threshold and band lines (numbers, or None)."""

    warning: float | None
    alarm: float | None
    band_low: float | None
    band_high: float | None


class TrendPayload(IndicatorPayload):
    """``assets/wall/tiles/trend.js``: the indicator tile's header plus the chart."""

    points: list[TrendPoint]
    lines: TrendLines


class NationalReport(TypedDict):
    reported: bool
    reported_at: float | None
    agency: str
    arrived_late_ms: float | None


class ProvinceCount(TypedDict):
    code_list: str
    expected: int
    reported: int


class _MissingArea(TypedDict):
    area: str
    name_vi: str
    name_en: str
    agency: str
    agency_vi: str


class MissingReport(_MissingArea, total=False):
    """An area whose report is missing: the nation or a province, and who owes it.
    (``total=False`` rather than ``NotRequired``: Python 3.11 loses the latter under
    postponed annotations, and the payload test reads the keys at run time.)"""

    code: str  # the province's; absent for the nation


class StatusRow(IndicatorNames):
    """One indicator's row of ``reporting-status.js``: the report now due, who reported it,
    who is overdue and by how long."""

    frequency: str
    period: str
    period_vi: str
    period_en: str
    deadline: float
    agency: str
    agency_vi: str
    agency_en: str
    national: NationalReport | None
    provinces: ProvinceCount | None
    expected_count: int
    missing_count: int
    missing: list[MissingReport]
    late_count: int
    overdue_ms: float
    state: Literal["overdue", "late", "complete"]


class StatusSummary(TypedDict):
    indicators: int
    complete: int
    overdue: int
    reports_expected: int
    reports_received: int
    reports_missing: int
    reports_late: int


class OverdueAgency(TypedDict):
    agency: str
    agency_vi: str
    agency_en: str
    indicators: list[str]
    overdue_ms: float


class ReportingStatusPayload(TypedDict):
    """``assets/wall/tiles/reporting-status.js``: for each indicator the report now due,
    overdue rows first, a summary, and every agency with a missing report."""

    generated_at: float
    rows: list[StatusRow]
    hidden_rows: int
    summary: StatusSummary
    overdue_agencies: list[OverdueAgency]
    as_of: float
    stale_after_s: float | None


class MapSource(TypedDict):
    """Who reported what the map shows, joined by '; ' (provinces as one name)."""

    source_vi: str
    source_en: str


class MapIndicator(MapSource):
    code: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    decimals: int
    direction: str


class MapPeriod(TypedDict):
    key: str
    vi: str
    en: str
    code_list: str
    t0: float  # ms; each province cell's minutes count from here


class MapHead(TypedDict, total=False):
    """``assets/wall/tiles/map.js``: the map tile's fixed keys. Beside them, one key per
    province code of ``per.code_list``: ``[class, value, minutes after t0]`` or None
    (``MapCell``), short on purpose: the map is patched key by key (``map_data.patch``).
    With no indicator only ``ind``…``as_of`` are sent, all None."""

    ind: MapIndicator | None
    per: MapPeriod | None
    scale: dict[str, object] | None  # geo.choropleth.Scale.as_json
    n: list[int] | None  # [reported, expected]
    nat: float | None
    as_of: float | None
    stale_after_s: float | None
    due_at: float | None
    late: bool


MapCell = list[float] | None  # [class, value, minutes after per.t0]

TilePayload = (
    IndicatorPayload | GroupPayload | RankingPayload | TrendPayload | ReportingStatusPayload
)
