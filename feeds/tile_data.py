"""What each indicator tile shows: pure functions of the catalogue, observations and ``now``.

Nothing here reads a clock, a store or the bus: the runtime passes the observations it
holds and the instant to judge lateness at, and pushes the returned JSON to the tile.
Every dict is complete (no key left out when empty), because a screen merges data
patches key by key and a missing key would leave an old value standing.

Age and lateness: ``as_of`` is when the centre accepted the value shown (ms since the
epoch); ``due_at`` is the deadline of the *next* report after the shown period. Past it
the value is ``late`` (a newer report is overdue) and ``stale_after_s`` makes the tile
frame turn amber at the same instant, so a late value is never shown as if fresh, even
between two server pushes.

Provinces: observations key on (GSO code, code list); a period uses the list in force on
its last day (``geo.code_list_for``): 63 units up to 30/06/2025, 34 from 01/07/2025.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from command_center.tiles import TileParams
from feeds.agencies import AgencyRegistry
from feeds.catalogue import Catalogue, Indicator
from feeds.direction import Bounds, Direction, Status, judged_status, meets_target
from feeds.expected import expected_code_list, expected_for
from feeds.frequency import Frequency
from feeds.observations import NATIONAL, Area, Observation
from feeds.periods import (
    Period,
    deadline_of,
    last_due_period,
    lateness,
    local_date,
    parse_period_key,
)
from feeds.targets import Target
from feeds.tile_kinds import (
    IndicatorGroupParams,
    IndicatorParams,
    RankingParams,
    ReportingStatusParams,
    TrendParams,
)
from geo import CodeList, codes, province

Json = dict[str, Any]

NATIONAL_VI = "Cả nước"
NATIONAL_EN = "Whole country"


# ---- small helpers -------------------------------------------------------------------------


def to_ms(moment: datetime) -> float:
    return moment.timestamp() * 1000.0


def latest_revisions(
    observations: Iterable[Observation],
) -> dict[tuple[str, str, str], Observation]:
    """One observation per (indicator, area, period): the highest revision, then the last
    accepted."""
    latest: dict[tuple[str, str, str], Observation] = {}
    for obs in observations:
        held = latest.get(obs.key)
        if held is None or (obs.revision, obs.received_at) > (held.revision, held.received_at):
            latest[obs.key] = obs
    return latest


def period_of_key(indicator: Indicator, key: str) -> Period:
    return parse_period_key(key, indicator.deadline.cutoff_day)


def province_area(code: str | None, code_list: CodeList = CodeList.NEW_34) -> Area:
    return NATIONAL if code is None else Area(code=code, code_list=code_list.value)


def area_names(area: Area, on: Period | None = None) -> tuple[str, str]:
    """(Vietnamese, English) name of the area, as the province was called in ``on``."""
    if area.code is None or area.code_list is None:
        return NATIONAL_VI, NATIONAL_EN
    unit = province(area.code, CodeList(area.code_list))
    if on is not None:
        unit = unit.on(on.end)
    return unit.name_vi, unit.name_en


def status_name(status: Status) -> str:
    return "neutral" if status is Status.NONE else status.value


def _series(
    indicator: Indicator, area: Area, latest: dict[tuple[str, str, str], Observation]
) -> dict[str, Observation]:
    return {
        period: obs
        for (code, area_key, period), obs in latest.items()
        if code == indicator.code and area_key == area.key
    }


def _agency_names(agencies: AgencyRegistry | None, agency_id: str | None) -> tuple[str, str]:
    if agency_id is None:
        return "", ""
    if agencies is not None and agency_id in agencies:
        agency = agencies.get(agency_id)
        return agency.name_vi, agency.name_en
    return agency_id, agency_id


# ---- targets ---------------------------------------------------------------------------------


def target_json(indicator: Indicator, target: Target | None) -> Json | None:
    if target is None:
        return None
    if target.high is not None or indicator.direction is Direction.BAND:
        comparator = "range"
    else:
        comparator = {Direction.HIGHER_BETTER: "ge", Direction.LOWER_BETTER: "le"}.get(
            indicator.direction, "eq"
        )
    return {
        "value": target.value,
        "high": target.high,
        "comparator": comparator,
        "period": target.period,
        "set_by": target.set_by.value,
        "set_by_vi": target.set_by.name_vi,
        "set_by_en": target.set_by.name_en,
        "instrument": target.instrument,
        "illustrative": target.illustrative,
    }


def target_met(indicator: Indicator, value: float, target: Target) -> bool | None:
    """Whether ``value`` meets ``target`` read with the indicator's direction."""
    return meets_target(value, indicator.direction, target.value, target.high)


def target_judges(indicator: Indicator, period: Period, target: Target) -> bool:
    """Whether ``target`` judges the value of ``period`` (colour and met / not met).

    Always, except for a year-to-date indicator under a target of a longer period: its
    months climb towards the year's target, so only the period that closes the target's
    period is judged; the earlier ones show their progress without a verdict.
    """
    if not indicator.year_to_date or target.period == period.key:
        return True
    return period.end == period_of_key(indicator, target.period).end


def judge(indicator: Indicator, value: float, period: Period) -> tuple[Status, bool | None]:
    """(status, target met) of ``value`` for ``period``: ``feeds.direction.judged_status``
    with the period's target, so a value on the wrong side of its target is never green."""
    target = indicator.target_for(period)
    met = (
        target_met(indicator, value, target)
        if target is not None and target_judges(indicator, period, target)
        else None
    )
    status = judged_status(value, indicator.direction, indicator.band, indicator.thresholds, met)
    return status, met


def attainment(indicator: Indicator, value: float, target: Target) -> float | None:
    """Per cent of the target reached: 100 means exactly met, above 100 better than asked.

    Higher is better: value / target. Lower is better: ceiling / value (a CPI of 3 % under
    a 4,5 % ceiling is 150 %); none for a value at or below zero. Bands and neutral
    indicators have no single number to reach, only ``target_met``.
    """
    if indicator.direction is Direction.HIGHER_BETTER and target.value > 0:
        return 100.0 * value / target.value
    if indicator.direction is Direction.LOWER_BETTER and value > 0:
        ceiling = target.high if target.high is not None else target.value
        return 100.0 * ceiling / value if ceiling > 0 else None
    return None


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# ---- one indicator ----------------------------------------------------------------------------


def indicator_data(
    indicator: Indicator,
    area: Area,
    observations: Iterable[Observation] | dict[tuple[str, str, str], Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
    sparkline: int = 12,
) -> Json:
    """The ``indicator`` tile's data for one indicator in one area (see module doc)."""
    latest = observations if isinstance(observations, dict) else latest_revisions(observations)
    series = _series(indicator, area, latest)
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
    agency_vi, agency_en = _agency_names(agencies, agency_id)
    as_of = shown.received_at if shown is not None else None
    points = _periods_back(period, sparkline)
    arrived_late = (
        lateness(period, rule, now, _from_ms(shown.received_at, now)) if shown is not None else None
    )
    verdict = judge(indicator, value, period) if value is not None else (Status.NONE, None)
    return {
        "indicator": indicator.code,
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
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
        "attainment_pct": _rounded(
            attainment(indicator, value, target) if value is not None and target else None
        ),
        "target_met": verdict[1],
        "status": status_name(verdict[0]),
        "sparkline": [_value(series, p) for p in points],
        "sparkline_periods": [p.key for p in points],
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


def _from_ms(ms: float, like: datetime) -> datetime:
    return datetime.fromtimestamp(ms / 1000.0, tz=like.tzinfo)


def _value(series: dict[str, Observation], period: Period) -> float | None:
    obs = series.get(period.key)
    return obs.value if obs is not None else None


def _periods_back(last: Period, count: int) -> list[Period]:
    """``count`` periods ending with ``last``, oldest first."""
    out: list[Period] = []
    period = last
    for _ in range(count):
        out.append(period)
        period = period.previous()
    out.reverse()
    return out


def group_data(
    catalogue: Catalogue,
    codes_: Iterable[str],
    area: Area,
    observations: Iterable[Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
    sparkline: int = 8,
) -> Json:
    """The ``indicator-group`` tile: one ``indicator_data`` per code, in order.

    The frame's single age is the oldest item's, and it turns stale when the first item
    goes late: a block is never fresher than its oldest value.
    """
    latest = latest_revisions(observations)
    items = [
        indicator_data(catalogue.get(code), area, latest, now, agencies, sparkline)
        for code in codes_
    ]
    ages = [i["as_of"] for i in items if i["as_of"] is not None]
    oldest = min(ages) if ages else None
    due = min(i["due_at"] for i in items) if items else None
    return {
        "items": items,
        "area": area.key,
        "area_vi": items[0]["area_vi"] if items else "",
        "area_en": items[0]["area_en"] if items else "",
        "late_count": sum(1 for i in items if i["late"]),
        "as_of": oldest,
        "stale_after_s": (
            None if oldest is None or due is None else max(0.0, (due - oldest) / 1000.0)
        ),
    }


# ---- ranking ---------------------------------------------------------------------------------


def ranking_data(
    indicator: Indicator,
    observations: Iterable[Observation],
    now: datetime,
    count: int = 5,
    agencies: AgencyRegistry | None = None,
) -> Json:
    """The best and worst provinces in the latest period any province reported.

    Best means highest when higher is better, lowest when lower is better, nearest the
    band's middle for a band; a neutral indicator ranks highest first. Ties go by code.
    """
    latest = latest_revisions(observations)
    by_period: dict[str, list[Observation]] = {}
    for (code, _area, key), obs in latest.items():
        if code == indicator.code and obs.area.code is not None:
            by_period.setdefault(key, []).append(obs)
    rule = indicator.deadline
    period = (
        period_of_key(indicator, max(by_period))
        if by_period
        else last_due_period(indicator.frequency, rule, now)
    )
    code_list = expected_code_list(period)
    reported = [o for o in by_period.get(period.key, []) if o.area.code_list == code_list.value]
    rows = [_ranking_row(indicator, o, period, agencies) for o in reported]
    rows.sort(key=lambda r: (_rank_key(indicator, r["value"]), r["code"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    following = period.next() if reported else period
    due = deadline_of(following, rule)
    overdue = lateness(following, rule, now)
    national = latest.get((indicator.code, NATIONAL.key, period.key))
    as_of = max((o.received_at for o in reported), default=None)
    target = indicator.target_for(period)
    reported_codes = {r["code"] for r in rows}
    missing = [c for c in codes(code_list) if c not in reported_codes]
    return {
        "indicator": indicator.code,
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "unit_vi": indicator.unit_vi,
        "unit_en": indicator.unit_en,
        "decimals": indicator.decimals,
        "direction": indicator.direction.value,
        "period": period.key,
        "period_vi": period.label_vi,
        "period_en": period.label_en,
        "code_list": code_list.value,
        "best": rows[:count],
        "worst": list(reversed(rows[-count:])) if rows else [],
        "reported": len(rows),
        "expected": len(codes(code_list)),
        "missing": [_province_names(c, code_list, period) for c in missing],
        "national": national.value if national is not None else None,
        "target": target_json(indicator, target),
        "as_of": as_of,
        "late": overdue.total_seconds() > 0,
        "overdue_ms": overdue.total_seconds() * 1000.0,
        "due_at": to_ms(due),
        "stale_after_s": None if as_of is None else max(0.0, (to_ms(due) - as_of) / 1000.0),
    }


def _province_names(code: str, code_list: CodeList, period: Period) -> Json:
    unit = province(code, code_list).on(period.end)
    return {"code": code, "name_vi": unit.name_vi, "name_en": unit.name_en}


def _ranking_row(
    indicator: Indicator, obs: Observation, period: Period, agencies: AgencyRegistry | None
) -> Json:
    assert obs.area.code is not None and obs.area.code_list is not None
    names = _province_names(obs.area.code, CodeList(obs.area.code_list), period)
    target = indicator.target_for(period)
    return {
        **names,
        "rank": 0,
        "value": obs.value,
        "status": status_name(judge(indicator, obs.value, period)[0]),
        "attainment_pct": _rounded(attainment(indicator, obs.value, target) if target else None),
        "as_of": obs.received_at,
        "agency": obs.agency,
        "agency_vi": _agency_names(agencies, obs.agency)[0],
    }


def _rank_key(indicator: Indicator, value: float) -> float:
    if indicator.direction is Direction.LOWER_BETTER:
        return value
    if indicator.direction is Direction.BAND and indicator.band is not None:
        return abs(value - (indicator.band.low + indicator.band.high) / 2)
    return -value


# ---- trend ------------------------------------------------------------------------------------


def trend_data(
    indicator: Indicator,
    area: Area,
    observations: Iterable[Observation],
    now: datetime,
    periods: int = 12,
    agencies: AgencyRegistry | None = None,
) -> Json:
    """The ``trend`` tile: the indicator's header (as ``indicator_data``) plus ``points``
    for the last ``periods`` periods up to the later of the latest report and the report
    now due (so missing reports show as gaps), each with its target, and the lines."""
    latest = latest_revisions(observations)
    head = indicator_data(indicator, area, latest, now, agencies, sparkline=0)
    series = _series(indicator, area, latest)
    expected = last_due_period(indicator.frequency, indicator.deadline, now)
    last = max(period_of_key(indicator, head["period"]), expected, key=lambda p: p.key)
    points = []
    for period in _periods_back(last, periods):
        target = indicator.target_for(period)
        value = _value(series, period)
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


def _lines(indicator: Indicator) -> Json:
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


# ---- reporting status ---------------------------------------------------------------------


def reporting_status_data(
    catalogue: Catalogue,
    observations: Iterable[Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
    indicators: Iterable[str] = (),
    area: str | None = None,
    include_daily: bool = True,
    max_rows: int = 12,
) -> Json:
    """For each indicator, the report now due (the latest period whose deadline passed):
    the national value and every province expected, who reported, who is overdue and by
    how long (``overdue_ms`` at ``now``; the renderer keeps counting from ``deadline``).

    Rows: overdue first (longest first), then reports that came late, then complete.
    ``overdue_agencies`` lists every agency with a missing report, longest overdue first.
    """
    wanted = set(indicators)
    selected = [
        i
        for i in catalogue
        if (not wanted or i.code in wanted)
        and (area is None or i.area.value == area)
        and (include_daily or i.frequency is not Frequency.DAILY)
    ]
    latest = latest_revisions(observations)
    rows: list[Json] = []
    agencies_overdue: dict[str, Json] = {}
    next_change: datetime | None = None
    for indicator in selected:
        row = _status_row(indicator, latest, now, agencies, agencies_overdue)
        rows.append(row)
        upcoming = deadline_of(
            last_due_period(indicator.frequency, indicator.deadline, now).next(),
            indicator.deadline,
        )
        next_change = upcoming if next_change is None else min(next_change, upcoming)
    rows.sort(
        key=lambda r: (-r["overdue_ms"], -r["missing_count"], -r["late_count"], r["indicator"])
    )
    expected = sum(r["expected_count"] for r in rows)
    received = sum(r["expected_count"] - r["missing_count"] for r in rows)
    now_ms = to_ms(now)
    return {
        "generated_at": now_ms,
        "rows": rows[:max_rows],
        "hidden_rows": max(0, len(rows) - max_rows),
        "summary": {
            "indicators": len(rows),
            "complete": sum(1 for r in rows if r["missing_count"] == 0),
            "overdue": sum(1 for r in rows if r["missing_count"] > 0),
            "reports_expected": expected,
            "reports_received": received,
            "reports_missing": expected - received,
            "reports_late": sum(r["late_count"] for r in rows),
        },
        "overdue_agencies": sorted(
            agencies_overdue.values(), key=lambda a: (-a["overdue_ms"], a["agency"])
        ),
        # The table is as of its computation; it goes stale when the next report falls
        # due and nobody recomputed it.
        "as_of": now_ms,
        "stale_after_s": (
            None if next_change is None else max(0.0, (to_ms(next_change) - now_ms) / 1000.0)
        ),
    }


def _status_row(
    indicator: Indicator,
    latest: dict[tuple[str, str, str], Observation],
    now: datetime,
    agencies: AgencyRegistry | None,
    agencies_overdue: dict[str, Json],
) -> Json:
    rule = indicator.deadline
    period = last_due_period(indicator.frequency, rule, now)
    deadline = deadline_of(period, rule)
    overdue_ms = lateness(period, rule, now).total_seconds() * 1000.0
    owner_vi, owner_en = _agency_names(agencies, indicator.owner)
    missing: list[Json] = []
    late_count = 0

    def note_missing(agency_id: str, entry: Json) -> None:
        missing.append(entry)
        record = agencies_overdue.setdefault(
            agency_id,
            {
                "agency": agency_id,
                "agency_vi": _agency_names(agencies, agency_id)[0],
                "agency_en": _agency_names(agencies, agency_id)[1],
                "indicators": [],
                "overdue_ms": 0.0,
            },
        )
        if indicator.code not in record["indicators"]:
            record["indicators"].append(indicator.code)
        record["overdue_ms"] = max(record["overdue_ms"], overdue_ms)

    national: Json | None = None
    provinces: Json | None = None
    owed = expected_for(indicator, period, agencies)
    for report in owed:
        obs = latest.get((indicator.code, report.area, period.key))
        arrived = _arrival_lateness(period, indicator, obs, now)
        late_count += 1 if arrived else 0
        where = report.province
        if where is None:
            national = {
                "reported": obs is not None,
                "reported_at": obs.received_at if obs is not None else None,
                "agency": obs.agency if obs is not None else report.agency,
                "arrived_late_ms": arrived,
            }
            names = {"name_vi": NATIONAL_VI, "name_en": NATIONAL_EN}
        else:
            code, code_list = where
            if provinces is None:
                provinces = {"code_list": code_list.value, "expected": 0, "reported": 0}
            provinces["expected"] += 1
            provinces["reported"] += obs is not None
            names = _province_names(code, code_list, period)
        if obs is None:
            note_missing(
                report.agency,
                {
                    "area": report.area,
                    **names,
                    "agency": report.agency,
                    "agency_vi": _agency_names(agencies, report.agency)[0],
                },
            )
    return {
        "indicator": indicator.code,
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "frequency": indicator.frequency.value,
        "period": period.key,
        "period_vi": period.label_vi,
        "period_en": period.label_en,
        "deadline": to_ms(deadline),
        "agency": indicator.owner,
        "agency_vi": owner_vi,
        "agency_en": owner_en,
        "national": national,
        "provinces": provinces,
        "expected_count": len(owed),
        "missing_count": len(missing),
        "missing": missing,
        "late_count": late_count,
        "overdue_ms": overdue_ms if missing else 0.0,
        "state": "overdue" if missing else ("late" if late_count else "complete"),
    }


def _arrival_lateness(
    period: Period, indicator: Indicator, obs: Observation | None, now: datetime
) -> float | None:
    """How late the report arrived (ms), None when on time or absent."""
    if obs is None:
        return None
    late = lateness(period, indicator.deadline, now, _from_ms(obs.received_at, now))
    return late.total_seconds() * 1000.0 if late.total_seconds() > 0 else None


# ---- dispatch ---------------------------------------------------------------------------------


def tile_data(
    params: TileParams,
    catalogue: Catalogue,
    observations: Iterable[Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
) -> Json | None:
    """The data of any indicator tile from its parameters; None for other kinds."""
    local_date(now)  # refuse a naive now early, with the periods module's message
    if isinstance(params, IndicatorParams):
        return indicator_data(
            catalogue.get(params.indicator),
            province_area(params.province),
            observations,
            now,
            agencies,
            params.sparkline,
        )
    if isinstance(params, IndicatorGroupParams):
        return group_data(
            catalogue,
            params.indicators,
            province_area(params.province),
            observations,
            now,
            agencies,
            params.sparkline,
        )
    if isinstance(params, RankingParams):
        return ranking_data(
            catalogue.get(params.indicator), observations, now, params.count, agencies
        )
    if isinstance(params, TrendParams):
        return trend_data(
            catalogue.get(params.indicator),
            province_area(params.province),
            observations,
            now,
            params.periods,
            agencies,
        )
    if isinstance(params, ReportingStatusParams):
        return reporting_status_data(
            catalogue,
            observations,
            now,
            agencies,
            params.indicators,
            params.area.value if params.area is not None else None,
            params.include_daily,
            params.max_rows,
        )
    return None
