"""Plausible reports for the whole catalogue, for demos and for the wall without agencies.

``simulate(catalogue, agencies, now, rng)`` is pure: every report whose (simulated)
arrival is at or before ``now``, over a recent history per frequency (30 days, 12 weeks,
13 months, 8 quarters, 5 years). National indicators get a national value; province-level
ones get one value per province of the code list in force at the period's end (63 units
up to 30/06/2025, 34 after) and a national value aggregated as the catalogue says.

Each (indicator, area, period) draws its value and its arrival time from its own random
stream, seeded from ``rng`` once: the same seed gives the same reports whatever window is
asked for, so the live loop and a one-off ``simulate`` agree. Most reports arrive before
the deadline, some late, a few very late: the reporting-status tile has something to show.

``run_simulator`` is the adapter: it sends the history once, then, every few seconds,
the reports that arrived since, on a clock running ``speed`` times faster than the real
one (``SimClock``; give the same clock to whatever judges lateness). ``received_at`` is
the real instant the batch is handed over, as the ingestion API would stamp it.
"""

from __future__ import annotations

import asyncio
import functools
import math
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from feeds.agencies import AgencyRegistry
from feeds.aggregation import Method
from feeds.catalogue import Catalogue, Indicator, Level
from feeds.expected import province_agency
from feeds.frequency import Frequency
from feeds.observations import NATIONAL, Area, Observation
from feeds.periods import TIME_ZONE, Period, deadline_of, local_date, period_of
from geo import CodeList, code_list_for, codes

Sink = Callable[[list[Observation]], Awaitable[None]]
Clock = Callable[[], datetime]

HISTORY = {
    Frequency.DAILY: 30,
    Frequency.WEEKLY: 12,
    Frequency.MONTHLY: 13,
    Frequency.QUARTERLY: 8,
    Frequency.YEARLY: 5,
}
ON_TIME = 0.85  # share of reports before the deadline
LATE = 0.12  # late by up to one reporting window; the rest up to three windows


@dataclass(frozen=True)
class Profile:
    """How an indicator's values look.

    ``base`` is the national value in 2025 (the full-year total for ``ytd``), ``drift``
    its change per year, ``noise`` the period-to-period spread, ``spread`` how far a
    province sits from the nation (rates) and ``kind``:
    ``rate`` (province values around the national one), ``share`` (the national total
    split between provinces), ``count`` (small daily counts, Poisson).
    """

    base: float
    noise: float
    drift: float = 0.0
    spread: float = 0.0
    kind: str = "rate"
    ytd: bool = False  # cumulative from January: base × share of the year gone


PROFILES: dict[str, Profile] = {
    "gdp_growth": Profile(7.4, 0.6, 0.6),
    "gdp_per_capita": Profile(4900, 60, 350),
    "gdp_size": Profile(510, 8, 40),
    "iip_growth": Profile(8.5, 2.0),
    "manufacturing_share": Profile(24.3, 0.3, 0.3),
    "labour_productivity_growth": Profile(5.6, 0.5),
    "total_social_investment": Profile(33.4, 0.5),
    "budget_revenue": Profile(2250, 40, 260, ytd=True),
    "budget_deficit": Profile(3.7, 0.3),
    "public_debt": Profile(36.5, 0.8, -0.5),
    "public_investment_disbursement": Profile(92, 3, spread=12, ytd=True),
    "public_investment_plan": Profile(995_350, 8_000, 40_000, kind="share"),
    "cpi_yoy": Profile(3.3, 0.35),
    "cpi_mom": Profile(0.25, 0.25),
    "cpi_average": Profile(3.4, 0.25),
    "core_inflation": Profile(3.1, 0.2),
    "export_growth": Profile(12.0, 4.0),
    "credit_growth": Profile(15.5, 0.6, ytd=True),
    "new_enterprises": Profile(17_000, 1_800, 1_000, kind="share"),
    "enterprises_exiting": Profile(15_000, 1_500, kind="share"),
    "fdi_registered": Profile(38.0, 1.5, 2.0, ytd=True),
    "urban_unemployment": Profile(3.75, 0.12),
    "trained_labour_certified": Profile(29.2, 0.3, 0.4),
    "agricultural_labour_share": Profile(25.8, 0.3, -0.6),
    "covid19_community_cases": Profile(0.15, 0.0, kind="count"),
    "health_insurance_coverage": Profile(94.5, 0.3, 0.5, spread=2.0),
    "poverty_rate_reduction": Profile(1.0, 0.15),
    "doctors_per_10k": Profile(14.6, 0.2, 0.3, spread=3.5),
    "hospital_beds_per_10k": Profile(33.8, 0.4, 0.4, spread=6.0),
    "new_rural_communes": Profile(80.0, 1.0, 1.0, spread=12.0),
    "population": Profile(101_300, 150, 800, kind="share"),
    "iz_wastewater_treatment": Profile(91.5, 0.8, 1.0),
    "urban_solid_waste_treated": Profile(94.0, 0.8, 0.5),
    "forest_cover": Profile(42.0, 0.05, 0.02),
    "sar_incidents_24h": Profile(6.0, 0.0, kind="count"),
    "sar_people_deployed_24h": Profile(420.0, 0.0, kind="count"),
    "sar_soldiers_deployed_24h": Profile(250.0, 0.0, kind="count"),
    "online_public_services": Profile(4_500, 15, 600),
    "level4_online_services_share": Profile(97.0, 1.0, 1.5),
    "online_dossier_share": Profile(62.0, 2.5, 6.0, spread=14.0),
    "online_service_satisfaction": Profile(88.0, 1.5, 2.0),
    "reporting_regimes_connected": Profile(190.0, 1.0, 6.0),
    "expressway_km": Profile(3_050, 20, 400),
    "digital_economy_share": Profile(18.5, 0.3, 1.2),
}


def profile_for(indicator: Indicator) -> Profile:
    """The indicator's profile; an indicator added to the catalogue later gets a guess
    from its target, thresholds or valid range."""
    known = PROFILES.get(indicator.code)
    if known is not None:
        return known
    low = indicator.valid_range.min if indicator.valid_range.min is not None else 0.0
    high = indicator.valid_range.max if indicator.valid_range.max is not None else low + 100.0
    base = (low + high) / 2
    if indicator.targets:
        base = indicator.targets[-1].value
    elif indicator.band is not None:
        base = (indicator.band.low + indicator.band.high) / 2
    noise = abs(base) * 0.03 or 1.0
    spread = noise * 3 if indicator.level is Level.PROVINCE else 0.0
    return Profile(base, noise, spread=spread)


# ---- pure generation -----------------------------------------------------------------------


def simulate(
    catalogue: Catalogue, agencies: AgencyRegistry, now: datetime, rng: random.Random
) -> list[Observation]:
    """Every simulated report that has arrived by ``now`` (see module doc)."""
    local_date(now)  # refuse a naive now
    return list(_reports(catalogue, agencies, rng.getrandbits(64), None, now))


def _reports(
    catalogue: Catalogue,
    agencies: AgencyRegistry,
    seed: int,
    since: datetime | None,
    until: datetime,
) -> Iterator[Observation]:
    """Reports arriving in (since, until]; with ``since`` None, over the history window."""
    today = local_date(until)
    for indicator in catalogue:
        rule = indicator.deadline
        period = period_of(indicator.frequency, today, rule.cutoff_day)
        for step in range(HISTORY[indicator.frequency] + 2 if since is None else 10_000):
            opens, due = _window(period, indicator)
            if since is not None and due + 3 * (due - opens) < since:
                break
            if opens <= until:
                for obs in _period_reports(
                    catalogue, indicator, period, agencies, seed, opens, due
                ):
                    at = obs.received_at
                    if at <= until.timestamp() * 1000 and (
                        since is None or at > since.timestamp() * 1000
                    ):
                        yield obs
            if since is None and step >= HISTORY[indicator.frequency]:
                break
            period = period.previous()


def _window(period: Period, indicator: Indicator) -> tuple[datetime, datetime]:
    """From the day after the data close to the deadline: when reports come in."""
    opens = datetime.combine(period.end + timedelta(days=1), time(0), TIME_ZONE)
    due = deadline_of(period, indicator.deadline)
    if due <= opens:  # a deadline on the closing day itself: allow that day
        opens = due - timedelta(hours=12)
    return opens, due


def _stream(seed: int, *parts: str) -> random.Random:
    return random.Random(f"{seed}|{'|'.join(parts)}")


def _arrival(seed: int, key: str, opens: datetime, due: datetime) -> datetime:
    r = _stream(seed, "arrival", key)
    window = due - opens
    u = r.random()
    if u < ON_TIME:
        return opens + window * r.uniform(0.15, 0.98)
    if u < ON_TIME + LATE:
        return due + window * r.uniform(0.02, 1.0)
    return due + window * r.uniform(1.0, 3.0)


def _period_reports(
    catalogue: Catalogue,
    indicator: Indicator,
    period: Period,
    agencies: AgencyRegistry,
    seed: int,
    opens: datetime,
    due: datetime,
) -> Iterator[Observation]:
    values: dict[str, float] = {}
    if indicator.level is Level.PROVINCE:
        code_list = code_list_for(period.end)
        for code in codes(code_list):
            area = Area(code=code, code_list=code_list.value)
            value = _value(indicator, period, area, seed)
            values[code] = value
            yield _observation(
                indicator,
                period,
                area,
                value,
                province_agency(agencies, code, code_list),
                _arrival(seed, f"{indicator.code}|{area.key}|{period.key}", opens, due),
            )
    national = _national(indicator, period, values, seed, catalogue)
    if national is not None:
        yield _observation(
            indicator,
            period,
            NATIONAL,
            national,
            indicator.owner,
            _arrival(seed, f"{indicator.code}|VN|{period.key}", opens, due),
        )


def _national(
    indicator: Indicator,
    period: Period,
    values: dict[str, float],
    seed: int,
    catalogue: Catalogue,
) -> float | None:
    aggregation = indicator.aggregation
    if indicator.level is Level.NATIONAL or aggregation is None or aggregation.to_nation is None:
        return _value(indicator, period, NATIONAL, seed)
    method = aggregation.to_nation
    if not values:
        return None
    numbers = list(values.values())
    if method is Method.SUM:
        total = sum(numbers)
    elif method is Method.MEAN:
        total = sum(numbers) / len(numbers)
    elif method is Method.WEIGHTED_MEAN:
        total = _weighted(indicator, period, values, seed, catalogue)
    else:  # LAST: the value of the last report in
        total = numbers[-1]
    return _fit(indicator, total)


def _weighted(
    indicator: Indicator,
    period: Period,
    values: dict[str, float],
    seed: int,
    catalogue: Catalogue,
) -> float:
    """Provinces' values weighted by the weight indicator's values (its own period)."""
    code_list = code_list_for(period.end)
    weight_code = indicator.aggregation.weight if indicator.aggregation else None
    weights: dict[str, float] = {}
    for code in values:
        if weight_code is not None and weight_code in catalogue:
            area = Area(code=code, code_list=code_list.value)
            weights[code] = _value(catalogue.get(weight_code), period, area, seed, weight=True)
        else:
            weights[code] = _share(code_list, code, seed)
    total = sum(weights.values()) or 1.0
    return sum(values[c] * weights[c] for c in values) / total


def _value(
    indicator: Indicator, period: Period, area: Area, seed: int, weight: bool = False
) -> float:
    """One value, from the indicator's profile, the period and the area."""
    profile = profile_for(indicator)
    if weight:
        period = period_of(indicator.frequency, period.end, indicator.deadline.cutoff_day)
    r = _stream(seed, "value", indicator.code, area.key, period.key)
    years = (period.end.toordinal() - 739_252) / 365.25  # years since 01/01/2025
    national = profile.base + profile.drift * years
    if profile.kind == "count":
        scale = 1.0 if area.code is None else 1.0 / 34
        return float(_poisson(r, profile.base * scale))
    value = national + r.gauss(0.0, profile.noise)
    if area.code is not None and area.code_list is not None:
        code_list = CodeList(area.code_list)
        if profile.kind == "share":
            value *= _share(code_list, area.code, seed) / _share_total(code_list, seed)
        else:
            place = _stream(seed, "place", indicator.code, area.key)
            value += place.gauss(0.0, profile.spread) + r.gauss(0.0, profile.noise)
    if profile.ytd:
        value *= _year_share(period) ** 1.2 if profile.kind == "rate" else _year_share(period)
    return _fit(indicator, value)


def _fit(indicator: Indicator, value: float) -> float:
    low, high = indicator.valid_range.min, indicator.valid_range.max
    if low is not None:
        value = max(low, value)
    if high is not None:
        value = min(high, value)
    return round(value, indicator.decimals)


def _year_share(period: Period) -> float:
    """How much of the year a year-to-date value covers at the period's end."""
    end = period.end
    return min(1.0, (end.timetuple().tm_yday) / 365.0)


_BIG = {"01", "79"}  # Hà Nội and Hồ Chí Minh City, in both lists


@functools.lru_cache(maxsize=4096)
def _share(code_list: CodeList, code: str, seed: int) -> float:
    """A province's weight in national totals: a fixed draw, the two big cities bigger."""
    r = _stream(seed, "share", code_list.value, code)
    weight = math.exp(r.gauss(0.0, 0.45))
    return weight * (6.0 if code in _BIG else 1.0)


@functools.lru_cache(maxsize=64)
def _share_total(code_list: CodeList, seed: int) -> float:
    return sum(_share(code_list, c, seed) for c in codes(code_list))


def _poisson(r: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(r.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= r.random()
        if p <= limit:
            return k
        k += 1


def _observation(
    indicator: Indicator,
    period: Period,
    area: Area,
    value: float,
    agency: str,
    at: datetime,
) -> Observation:
    return Observation(
        indicator=indicator.code,
        area=area,
        period=period.key,
        value=value,
        agency=agency,
        received_at=at.timestamp() * 1000.0,
        note="mô phỏng · simulated",
    )


# ---- the adapter loop ------------------------------------------------------------------------


class SimClock:
    """Simulated time: starts at ``origin`` (default: ``clock()``) and runs ``speed`` times
    faster. A fixed origin gives the same calendar whatever the day (the wall audit's
    pictures, rehearsals of a given week)."""

    def __init__(self, clock: Clock, speed: float, origin: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"'speed' must be above 0 (got {speed})")
        self._clock = clock
        self.speed = speed
        self._real_start = clock()
        self.start = origin or self._real_start

    def now(self) -> datetime:
        return self.start + (self._clock() - self._real_start) * self.speed


async def run_simulator(
    sink: Callable[[list[Observation]], Awaitable[None]],
    catalogue: Catalogue,
    agencies: AgencyRegistry,
    speed: float = 1.0,
    clock: Clock | None = None,
    *,
    seed: int | None = None,
    interval_s: float = 3.0,
    origin: datetime | None = None,
) -> None:
    """Send the history, then every ``interval_s`` the reports that arrived since, until
    cancelled. With ``speed`` above 1 the reports follow ``SimClock`` and are stamped with
    the real time they are handed to ``sink``."""
    real = clock or (lambda: datetime.now(TIME_ZONE))
    sim = SimClock(real, speed, origin)
    stream_seed = random.Random(seed).getrandbits(64)
    last = sim.now()
    history = list(_reports(catalogue, agencies, stream_seed, None, last))
    if history:
        await sink(history)
    while True:
        await asyncio.sleep(interval_s)
        now = sim.now()
        batch = list(_reports(catalogue, agencies, stream_seed, last, now))
        last = now
        if not batch:
            continue
        if speed != 1.0 and origin is None:
            stamp = real().timestamp() * 1000.0
            batch = [o.model_copy(update={"received_at": stamp}) for o in batch]
        await sink(batch)
