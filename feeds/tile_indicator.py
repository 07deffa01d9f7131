"""The indicator tile's data: one indicator for one area, its latest value, status against
the target and thresholds, age and lateness, and an optional sparkline
(``assets/wall/tiles/indicator.js`` draws it)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from feeds.agencies import AgencyRegistry
from feeds.catalogue import Indicator
from feeds.direction import Status
from feeds.judging import attainment, gap_points, judge, target_json
from feeds.observations import Area, Observation
from feeds.periods import Period, deadline_of, last_due_period, lateness
from feeds.tile_common import (
    agency_names,
    area_names,
    from_ms,
    indicator_names,
    latest_revisions,
    observed_series,
    period_of_key,
    periods_back,
    rounded,
    status_name,
    to_ms,
    value_at,
)
from feeds.tile_payloads import IndicatorPayload


def year_breaks(indicator: Indicator, points: list[Period]) -> list[int]:
    """Where a year-to-date series starts again (the first period of a new year): a line
    must not fall from December's 87 % to January's 2 % as if the rate had collapsed."""
    if not indicator.year_to_date:
        return []
    return [i for i in range(1, len(points)) if points[i].year != points[i - 1].year]


def indicator_data(
    indicator: Indicator,
    area: Area,
    observations: Iterable[Observation] | dict[tuple[str, str, str], Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
    sparkline: int = 12,
) -> IndicatorPayload:
    """The ``indicator`` tile's data for one indicator in one area (see module doc)."""
    latest = observations if isinstance(observations, dict) else latest_revisions(observations)
    series = observed_series(indicator, area, latest)
    rule = indicator.deadline
    expected = last_due_period(indicator.frequency, rule, now)
    shown_key = max(series) if series else None
    shown = series[shown_key] if shown_key is not None else None
    period = period_of_key(indicator, shown_key) if shown_key is not None else expected
    # The report after the one shown; with nothing shown, the one now due.
    following = period.next() if shown is not None else period
    due = deadline_of(following, rule)
    overdue = lateness(following, rule, now)
    value = shown.value if shown is not None else None
    previous_obs = series.get(period.previous().key)
    previous = previous_obs.value if previous_obs is not None else None
    target = indicator.target_for(period)
    name_vi, name_en = area_names(area, period)
    agency_id = shown.agency if shown is not None else indicator.owner
    agency_vi, agency_en = agency_names(agencies, agency_id)
    as_of = shown.received_at if shown is not None else None
    points = periods_back(period, sparkline)
    arrived_late = (
        lateness(period, rule, now, from_ms(shown.received_at, now)) if shown is not None else None
    )
    verdict = judge(indicator, value, period) if value is not None else (Status.NONE, None)
    return {
        **indicator_names(indicator),
        "area": area.key,
        "area_vi": name_vi,
        "area_en": name_en,
        "unit_vi": indicator.unit_vi,
        "unit_en": indicator.unit_en,
        "decimals": indicator.decimals,
        "direction": indicator.direction.value,
        "illustrative": indicator.illustrative,
        "value": value,
        "previous": previous,
        "change": None if value is None or previous is None else value - previous,
        "period": period.key,
        "period_vi": period.label_vi,
        "period_en": period.label_en,
        "target": target_json(indicator, target),
        "attainment_pct": rounded(
            attainment(indicator, value, target) if value is not None and target else None
        ),
        "target_gap_pp": rounded(
            gap_points(indicator, value, target) if value is not None and target else None,
            indicator.decimals,
        ),
        "target_met": verdict[1],
        "status": status_name(verdict[0]),
        "sparkline": [value_at(series, p) for p in points],
        "sparkline_periods": [p.key for p in points],
        "sparkline_breaks": year_breaks(indicator, points),
        "as_of": as_of,
        "revision": shown.revision if shown is not None else None,
        "agency": agency_id,
        "agency_vi": agency_vi,
        "agency_en": agency_en,
        "late": overdue.total_seconds() > 0,
        "overdue_ms": overdue.total_seconds() * 1000.0,
        "due_at": to_ms(due),
        "due_period_vi": following.label_vi,
        "due_period_en": following.label_en,
        "arrived_late_ms": None if arrived_late is None else arrived_late.total_seconds() * 1000.0,
        "stale_after_s": None if as_of is None else max(0.0, (to_ms(due) - as_of) / 1000.0),
    }
