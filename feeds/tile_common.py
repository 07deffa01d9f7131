"""What every indicator tile's data shares: the JSON shape, times in ms, the latest revision
of each observation, areas and their names as of a period, agencies' names.

Every tile builder (``feeds/tile_*.py``) is a pure function of the catalogue, observations and
``now``: nothing reads a clock, a store or the bus; the runtime passes the observations it
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

from feeds.agencies import AgencyRegistry
from feeds.catalogue import Indicator
from feeds.direction import Status
from feeds.observations import NATIONAL, Area, Observation
from feeds.periods import Period, parse_period_key
from feeds.tile_payloads import IndicatorNames, ProvinceNames
from geo import CodeList, province

Json = dict[str, Any]


NATIONAL_VI = "Cả nước"


NATIONAL_EN = "Whole country"


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


def observed_series(
    indicator: Indicator, area: Area, latest: dict[tuple[str, str, str], Observation]
) -> dict[str, Observation]:
    return {
        period: obs
        for (code, area_key, period), obs in latest.items()
        if code == indicator.code and area_key == area.key
    }


def agency_names(agencies: AgencyRegistry | None, agency_id: str | None) -> tuple[str, str]:
    if agency_id is None:
        return "", ""
    if agencies is not None and agency_id in agencies:
        agency = agencies.get(agency_id)
        return agency.name_vi, agency.name_en
    return agency_id, agency_id


def indicator_names(indicator: Indicator) -> IndicatorNames:
    """Its code and names, full and short, as every indicator tile's payload starts."""
    return {
        "indicator": indicator.code,
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "short_vi": indicator.tile_name_vi,
        "short_en": indicator.tile_name_en,
    }


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def from_ms(ms: float, like: datetime) -> datetime:
    return datetime.fromtimestamp(ms / 1000.0, tz=like.tzinfo)


def value_at(series: dict[str, Observation], period: Period) -> float | None:
    obs = series.get(period.key)
    return obs.value if obs is not None else None


def periods_back(last: Period, count: int) -> list[Period]:
    """``count`` periods ending with ``last``, oldest first."""
    out: list[Period] = []
    period = last
    for _ in range(count):
        out.append(period)
        period = period.previous()
    out.reverse()
    return out


def province_names(code: str, code_list: CodeList, period: Period) -> ProvinceNames:
    unit = province(code, code_list).on(period.end)
    return {"code": code, "name_vi": unit.name_vi, "name_en": unit.name_en}
