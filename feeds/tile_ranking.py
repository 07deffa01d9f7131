"""The ranking tile's data: provinces ordered by one indicator's latest value, best first in
the indicator's own direction (``assets/wall/tiles/ranking.js``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from feeds.agencies import AgencyRegistry
from feeds.catalogue import Indicator
from feeds.direction import Direction
from feeds.expected import expected_code_list
from feeds.judging import attainment, judge, target_json
from feeds.observations import NATIONAL, Observation
from feeds.periods import Period, deadline_of, last_due_period, lateness
from feeds.tile_common import (
    agency_names,
    indicator_names,
    latest_revisions,
    period_of_key,
    province_names,
    rounded,
    status_name,
    to_ms,
)
from feeds.tile_payloads import RankingPayload, RankingRow
from geo import CodeList, codes


def ranking_data(
    indicator: Indicator,
    observations: Iterable[Observation],
    now: datetime,
    count: int = 5,
    agencies: AgencyRegistry | None = None,
) -> RankingPayload:
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
        **indicator_names(indicator),
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
        "missing": [province_names(c, code_list, period) for c in missing],
        "national": national.value if national is not None else None,
        "target": target_json(indicator, target),
        "as_of": as_of,
        "late": overdue.total_seconds() > 0,
        "overdue_ms": overdue.total_seconds() * 1000.0,
        "due_at": to_ms(due),
        "stale_after_s": None if as_of is None else max(0.0, (to_ms(due) - as_of) / 1000.0),
    }


def _ranking_row(
    indicator: Indicator, obs: Observation, period: Period, agencies: AgencyRegistry | None
) -> RankingRow:
    assert obs.area.code is not None and obs.area.code_list is not None
    names = province_names(obs.area.code, CodeList(obs.area.code_list), period)
    target = indicator.target_for(period)
    return {
        **names,
        "rank": 0,
        "value": obs.value,
        "status": status_name(judge(indicator, obs.value, period)[0]),
        "attainment_pct": rounded(attainment(indicator, obs.value, target) if target else None),
        "as_of": obs.received_at,
        "agency": obs.agency,
        "agency_vi": agency_names(agencies, obs.agency)[0],
    }


def _rank_key(indicator: Indicator, value: float) -> float:
    if indicator.direction is Direction.LOWER_BETTER:
        return value
    if indicator.direction is Direction.BAND and indicator.band is not None:
        return abs(value - (indicator.band.low + indicator.band.high) / 2)
    return -value
