"""What a ``map`` tile shows: pure functions of the catalogue, observations and ``now``.

The browser draws the geometry once (``/assets/geo/*.geojson``); the data carries only
what changes, keyed so that a screen's key-by-key merge gives a live recolour:

    ind          the indicator: names, unit, decimals, direction, source (agency)
    per          the period shown: key, labels, code list (gso-34 / gso-63), t0 (ms)
    scale        the classed colour scale: breaks, colours, reading (geo.choropleth)
    n            [provinces reported, provinces expected]
    nat          the national value of the period, or None
    as_of, stale_after_s, due_at, late, overdue_ms   age and lateness, as other tiles
    "<code>"     per province of the shown list: [class, value, minutes after t0] or None

``patch`` keeps only the keys whose value changed since the last push, so a new value in one
province costs one key, and a recolour of all 63 about 1.5 KB. Geometry never travels here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from feeds.agencies import AgencyKind, AgencyRegistry
from feeds.catalogue import Indicator
from feeds.map_tile import MapParams
from feeds.observations import Observation
from feeds.periods import (
    TIME_ZONE,
    Period,
    deadline_of,
    last_due_period,
    lateness,
    local_date,
    parse_period_key,
)
from feeds.tile_payloads import MapCell, MapHead, MapSource
from geo import CodeList, code_list_for, codes
from geo.choropleth import scale_for

Json = dict[str, Any]
PINNED_STALE_AFTER_S = 100 * 365 * 86400.0
PROVINCIAL_VI = "UBND các tỉnh, thành phố"
PROVINCIAL_EN = "Provincial People's Committees"


def _ms(moment: datetime) -> float:
    return moment.timestamp() * 1000.0


def shown_period(
    indicator: Indicator, params: MapParams, observations: Iterable[Observation], now: datetime
) -> Period:
    """The fixed period of the tile, else the latest any province reported in the code list
    in force at that period's end, else the one now due."""
    cutoff = indicator.deadline.cutoff_day
    if params.period is not None:
        return parse_period_key(params.period, cutoff)
    keys = {o.period for o in observations if o.indicator == indicator.code and o.area.code}
    for key in sorted(keys, reverse=True):
        period = parse_period_key(key, cutoff)
        listed = code_list_for(period.end).value
        if any(o.period == key and o.area.code_list == listed for o in observations):
            return period
    return last_due_period(indicator.frequency, indicator.deadline, now)


def _source(
    indicator: Indicator, shown: list[Observation], agencies: AgencyRegistry | None
) -> MapSource:
    names_vi: list[str] = []
    names_en: list[str] = []
    ids = sorted({o.agency for o in shown}) or [indicator.owner]
    provincial = False
    for agency_id in ids:
        if agencies is None or agency_id not in agencies:
            if agency_id.startswith("ubnd_"):
                provincial = True
            elif agency_id not in names_vi:
                names_vi.append(agency_id)
                names_en.append(agency_id)
            continue
        agency = agencies.get(agency_id)
        if agency.kind is AgencyKind.PROVINCE:
            provincial = True
        else:
            names_vi.append(agency.name_vi)
            names_en.append(agency.name_en)
    if provincial:
        names_vi.append(PROVINCIAL_VI)
        names_en.append(PROVINCIAL_EN)
    return {"source_vi": "; ".join(names_vi), "source_en": "; ".join(names_en)}


def map_data(
    params: MapParams,
    indicator: Indicator | None,
    observations: Iterable[Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
) -> Json:
    """The complete data of one map tile (every key present; see the module doc)."""
    local_date(now)  # refuse a naive now
    if indicator is None:
        empty: MapHead = {
            "ind": None,
            "per": None,
            "scale": None,
            "n": None,
            "nat": None,
            "as_of": None,
        }
        return dict(empty)
    observations = [o for o in observations if o.indicator == indicator.code]
    period = shown_period(indicator, params, observations, now)
    code_list = code_list_for(period.end)
    # One observation per area for this period: the highest revision, then the latest.
    held: dict[str, Observation] = {}
    national: Observation | None = None
    for obs in observations:
        if obs.period != period.key:
            continue
        if obs.area.code is None:
            if national is None or (obs.revision, obs.received_at) > (
                national.revision,
                national.received_at,
            ):
                national = obs
            continue
        if obs.area.code_list != code_list.value:
            continue
        old = held.get(obs.area.code)
        if old is None or (obs.revision, obs.received_at) > (old.revision, old.received_at):
            held[obs.area.code] = obs
    values = {code: obs.value for code, obs in held.items()}
    scale = scale_for(values, indicator.direction.value, params.classes, indicator.decimals)
    t0 = _ms(datetime.combine(period.start, datetime.min.time(), TIME_ZONE))
    rule = indicator.deadline
    following = period.next() if held else period
    due = deadline_of(following, rule)
    overdue = lateness(following, rule, now)
    as_of = max((o.received_at for o in held.values()), default=None)
    head: MapHead = {
        "ind": {
            "code": indicator.code,
            "name_vi": indicator.name_vi,
            "name_en": indicator.name_en,
            "unit_vi": indicator.unit_vi,
            "unit_en": indicator.unit_en,
            "decimals": indicator.decimals,
            "direction": indicator.direction.value,
            **_source(indicator, list(held.values()), agencies),
        },
        "per": {
            "key": period.key,
            "vi": period.label_vi,
            "en": period.label_en,
            "code_list": code_list.value,
            "t0": t0,
        },
        "scale": scale.as_json(),
        "n": [len(held), len(codes(code_list))],
        "nat": None if national is None else round(national.value, indicator.decimals),
        "as_of": as_of,
        "stale_after_s": None if as_of is None else max(0.0, (_ms(due) - as_of) / 1000.0),
        "due_at": _ms(due),
        "late": overdue.total_seconds() > 0,
    }
    if params.period is not None:
        # A pinned period is history on purpose: no report is awaited for it, so it is
        # never late and never stale (its "as of" still says how old it is).
        head["due_at"] = None
        head["late"] = False
        head["stale_after_s"] = PINNED_STALE_AFTER_S
    data: Json = dict(head)  # and one MapCell per province code, beside the head's keys
    for code in codes(code_list):
        got = held.get(code)
        cell: MapCell = (
            None
            if got is None
            else [
                scale.class_of(got.value),
                round(got.value, indicator.decimals),
                round((got.received_at - t0) / 60_000.0),
            ]
        )
        data[code] = cell
    return data


def patch(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> Json:
    """The keys of ``current`` that differ from ``previous`` (all of them the first time).

    Province keys of the other code list are not in ``current``: the browser reads only the
    codes of ``per.code_list``, so stale ones left in its merged data are never drawn."""
    if previous is None:
        return dict(current)
    return {k: v for k, v in current.items() if k not in previous or previous[k] != v}


def code_list_of(data: Mapping[str, Any]) -> CodeList | None:
    per = data.get("per")
    return CodeList(per["code_list"]) if isinstance(per, dict) else None
