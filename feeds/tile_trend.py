"""The trend tile's data: one indicator's series over recent periods with its target and
threshold lines (``assets/wall/tiles/trend.js``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from feeds.agencies import AgencyRegistry
from feeds.catalogue import Indicator
from feeds.direction import Bounds, Status
from feeds.frequency import Frequency
from feeds.judging import judge
from feeds.observations import Area, Observation
from feeds.periods import Period, last_due_period
from feeds.tile_common import (
    latest_revisions,
    observed_series,
    period_of_key,
    periods_back,
    status_name,
    value_at,
)
from feeds.tile_indicator import indicator_data, year_breaks
from feeds.tile_payloads import TrendLines, TrendPayload, TrendPoint


def trend_data(
    indicator: Indicator,
    area: Area,
    observations: Iterable[Observation],
    now: datetime,
    periods: int = 12,
    agencies: AgencyRegistry | None = None,
) -> TrendPayload:
    """The ``trend`` tile: the indicator's header (as ``indicator_data``) plus ``points``
    for the last ``periods`` periods up to the later of the latest report and the report
    now due (so missing reports show as gaps), each with its target, and the lines."""
    latest = latest_revisions(observations)
    head = indicator_data(indicator, area, latest, now, agencies, sparkline=0)
    series = observed_series(indicator, area, latest)
    expected = last_due_period(indicator.frequency, indicator.deadline, now)
    last = max(period_of_key(indicator, head["period"]), expected, key=lambda p: p.key)
    points: list[TrendPoint] = []
    shown = periods_back(last, periods)
    breaks = set(year_breaks(indicator, shown))
    for n, period in enumerate(shown):
        target = indicator.target_for(period)
        value = value_at(series, period)
        status, met = judge(indicator, value, period) if value is not None else (Status.NONE, None)
        points.append(
            {
                "period": period.key,
                "label_vi": period.label_vi,
                "label_en": period.label_en,
                "short": _short_label(period),
                "value": value,
                "target": target.value if target is not None else None,
                "target_high": target.high if target is not None else None,
                # Judged as the header is, each against its own period's target.
                "status": status_name(status),
                "target_met": met,
                # A year-to-date series starts again here: no line from December to January.
                "starts_year": n in breaks,
            }
        )
    return {**head, "points": points, "lines": _lines(indicator)}


def _short_label(period: Period) -> str:
    """An axis label: 03/26, Q3/25, 2026, 19/10, W42."""
    anchor = period.anchor
    if period.frequency is Frequency.DAILY:
        return anchor.strftime("%d/%m")
    if period.frequency is Frequency.WEEKLY:
        return f"T{anchor.isocalendar().week}"
    if period.frequency is Frequency.MONTHLY:
        return anchor.strftime("%m/%y")
    if period.frequency is Frequency.QUARTERLY:
        return f"Q{(anchor.month - 1) // 3 + 1}/{anchor.strftime('%y')}"
    return str(anchor.year)


def _lines(indicator: Indicator) -> TrendLines:
    """Threshold and band lines for the chart (numbers, or None)."""
    th = indicator.thresholds
    warning = th.warning if th is not None else None
    alarm = th.alarm if th is not None else None
    band = indicator.band
    return {
        "warning": warning if isinstance(warning, float | int) else None,
        "alarm": alarm if isinstance(alarm, float | int) else None,
        "band_low": band.low if isinstance(band, Bounds) else None,
        "band_high": band.high if isinstance(band, Bounds) else None,
    }
