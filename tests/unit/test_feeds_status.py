"""The status colour: thresholds and the target together (``feeds.direction.judged_status``),
one row per case and direction, then the same rule seen through the tiles' data."""

from __future__ import annotations

from datetime import datetime

import pytest

from feeds.catalogue import Catalogue
from feeds.direction import (
    Bounds,
    Direction,
    Status,
    Thresholds,
    judged_status,
    meets_target,
    worse,
)
from feeds.observations import NATIONAL, Area, Observation
from feeds.periods import TIME_ZONE
from feeds.tile_indicator import indicator_data
from feeds.tile_ranking import ranking_data
from feeds.tile_trend import trend_data

HIGHER = Direction.HIGHER_BETTER
LOWER = Direction.LOWER_BETTER
BAND = Direction.BAND
NEUTRAL = Direction.NEUTRAL
OK, WARNING, ALARM, NONE = Status.OK, Status.WARNING, Status.ALARM, Status.NONE

GDP_TH = Thresholds(warning=6.5, alarm=5.0)  # gdp_growth's thresholds
CPI_TH = Thresholds(warning=4.0, alarm=4.5)  # cpi_average's
UNEMP_TH = Thresholds(warning=3.8, alarm=4.0)  # urban_unemployment's
TSI_BAND = Bounds(low=33, high=34)  # total social investment, % of GDP
TSI_TH = Thresholds(warning=Bounds(low=32, high=35), alarm=Bounds(low=30, high=37))


# (direction, band, thresholds, target low, target high, value, expected status)
CASES = [
    # higher is better, GDP growth with a ≥ 8 % target (2025)
    (HIGHER, None, GDP_TH, 8.0, None, 6.5, WARNING),  # the reported bug: was green
    (HIGHER, None, GDP_TH, 8.0, None, 7.9, WARNING),  # just under: still not green
    (HIGHER, None, GDP_TH, 8.0, None, 6.0, WARNING),  # under the warning threshold too
    (HIGHER, None, GDP_TH, 8.0, None, 4.0, ALARM),  # the thresholds make it an alarm
    (HIGHER, None, GDP_TH, 8.0, None, 8.0, OK),  # exactly on target
    (HIGHER, None, GDP_TH, 8.0, None, 9.1, OK),
    (HIGHER, None, GDP_TH, None, None, 7.0, OK),  # no target: thresholds alone
    (HIGHER, None, GDP_TH, None, None, 6.0, WARNING),
    (HIGHER, None, None, 95.0, None, 94.0, WARNING),  # no thresholds: a miss is amber
    (HIGHER, None, None, 95.0, None, 96.0, OK),  # … and a hit green
    (HIGHER, None, None, None, None, 50.0, NONE),  # nothing to judge by
    (HIGHER, None, None, 5400.0, 5500.0, 5450.0, OK),  # a range target: its floor counts
    # lower is better, CPI with a ≤ 4,5 % ceiling, and a 4,5–5 % range (2025)
    (LOWER, None, CPI_TH, 4.5, None, 3.3, OK),
    (LOWER, None, CPI_TH, 4.5, None, 4.2, WARNING),  # met, but past the early warning
    (LOWER, None, CPI_TH, 4.5, None, 4.6, ALARM),
    (LOWER, None, CPI_TH, 3.0, None, 3.5, WARNING),  # missed a stricter target
    (LOWER, None, CPI_TH, 4.5, 5.0, 4.8, ALARM),  # inside the range ceiling, over alarm
    (LOWER, None, UNEMP_TH, 4.0, None, 3.9, WARNING),  # < 4 % met, 3,8 % warning passed
    (LOWER, None, None, 25.3, None, 26.0, WARNING),  # no thresholds: a miss is amber
    (LOWER, None, None, 25.3, None, 25.0, OK),
    # band, total social investment 33–34 % of GDP (2020)
    (BAND, TSI_BAND, TSI_TH, 33.0, 34.0, 33.5, OK),
    (BAND, TSI_BAND, TSI_TH, 33.0, 34.0, 34.5, WARNING),  # out of the band and target
    (BAND, TSI_BAND, TSI_TH, 33.0, 34.0, 36.0, WARNING),
    (BAND, TSI_BAND, TSI_TH, 33.0, 34.0, 38.0, ALARM),
    (BAND, TSI_BAND, None, None, None, 32.0, WARNING),  # the band alone
    (BAND, TSI_BAND, None, None, None, 33.2, OK),
    (BAND, TSI_BAND, TSI_TH, None, None, 34.5, WARNING),  # no target: the band is one
    (BAND, TSI_BAND, TSI_TH, None, None, 33.5, OK),
    (BAND, TSI_BAND, TSI_TH, 33.4, 33.6, 33.8, WARNING),  # inside band, outside target
    # neutral: never a colour
    (NEUTRAL, None, None, None, None, 1.0, NONE),
    (NEUTRAL, None, None, 10.0, None, 1.0, NONE),
]


@pytest.mark.parametrize(
    ("direction", "band", "thresholds", "low", "high", "value", "expected"),
    CASES,
    ids=[f"{c[0].value}-{c[3]}-{c[4]}-{c[5]}-{c[6].value}" for c in CASES],
)
def test_status_from_thresholds_and_target(
    direction: Direction,
    band: Bounds | None,
    thresholds: Thresholds | None,
    low: float | None,
    high: float | None,
    value: float,
    expected: Status,
) -> None:
    met = meets_target(value, direction, low, high) if low is not None else None
    status = judged_status(value, direction, band, thresholds, met)
    assert status is expected
    # The invariant the rule exists for: the wrong side of a target is never green.
    if met is False:
        assert status in (WARNING, ALARM)


def test_worse_orders_the_colours() -> None:
    assert worse(OK, WARNING) is WARNING
    assert worse(ALARM, WARNING) is ALARM
    assert worse(NONE, OK) is OK


# --- through the tiles' data ------------------------------------------------------------------


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TIME_ZONE)  # type: ignore[misc]


def obs(code: str, period: str, value: float, area: Area = NATIONAL) -> Observation:
    at = vn(2026, 1, 10).timestamp() * 1000
    return Observation(
        indicator=code, area=area, period=period, value=value, agency="x", received_at=at
    )


def test_gdp_below_its_target_is_not_green_on_any_tile(judging_catalogue: Catalogue) -> None:
    gdp = judging_catalogue.get("test_growth")  # 2025: ≥ 8; warning below 6.5
    series = [obs(gdp.code, "2025-Q3", 8.25), obs(gdp.code, "2025-Q4", 6.5)]
    now = vn(2026, 1, 10)
    d = indicator_data(gdp, NATIONAL, series, now)
    assert (d["value"], d["target"]["value"], d["target_met"]) == (6.5, 8.0, False)
    assert d["status"] == "warning"
    t = trend_data(gdp, NATIONAL, series, now, periods=4)
    by_period = {p["period"]: p for p in t["points"]}
    assert t["status"] == "warning"
    assert (by_period["2025-Q3"]["status"], by_period["2025-Q3"]["target_met"]) == ("ok", True)
    assert (by_period["2025-Q4"]["status"], by_period["2025-Q4"]["target_met"]) == (
        "warning",
        False,
    )


def test_a_year_to_date_rate_is_judged_only_when_the_year_closes(
    judging_catalogue: Catalogue,
) -> None:
    rate = judging_catalogue.get("test_ytd_rate")  # 100 % by December
    assert rate.year_to_date
    hanoi = Area(code="01", code_list="gso-34")
    # March: 20 % of the year's 100 % is progress, not a miss.
    d = indicator_data(rate, hanoi, [obs(rate.code, "2026-03", 20.0, hanoi)], vn(2026, 3, 20))
    assert (d["attainment_pct"], d["target_met"], d["status"]) == (20.0, None, "neutral")
    # December closes the year: 94,8 % of 100 % is a miss.
    d = indicator_data(rate, hanoi, [obs(rate.code, "2026-12", 94.8, hanoi)], vn(2026, 12, 20))
    assert (d["target_met"], d["status"]) == (False, "warning")
    ranking = ranking_data(rate, [obs(rate.code, "2026-12", 94.8, hanoi)], vn(2026, 12, 20))
    assert ranking["best"][0]["status"] == "warning"


def test_budget_revenue_to_date_is_progress_until_december(
    judging_catalogue: Catalogue,
) -> None:
    revenue = judging_catalogue.get("test_ytd_sum")  # year to date, against 2530 for 2026
    d = indicator_data(revenue, NATIONAL, [obs(revenue.code, "2026-06", 1300.0)], vn(2026, 6, 26))
    assert (d["target_met"], d["status"]) == (None, "neutral")
    assert d["attainment_pct"] == pytest.approx(51.4, abs=0.05)
    d = indicator_data(revenue, NATIONAL, [obs(revenue.code, "2026-12", 2600.0)], vn(2026, 12, 26))
    assert (d["target_met"], d["status"]) == (True, "ok")
