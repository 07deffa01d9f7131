"""One rule for who owes which report (``feeds.expected``): the reporting-status API and the
wall's reporting-status tile list the same (indicator, area, agency) for the same instant,
in the 34-unit era and for periods that key on the 63 old provinces."""

from __future__ import annotations

from datetime import datetime

import pytest

from feeds.catalogue import Level
from feeds.expected import expected_for, national_expected
from feeds.loader import load_feeds
from feeds.periods import TIME_ZONE, last_due_period
from feeds.reporting_status import expected_reports, reporting_status
from feeds.tile_reporting import reporting_status_data

FEEDS = load_feeds()


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 30, 12, tzinfo=TIME_ZONE), datetime(2025, 4, 30, 12, tzinfo=TIME_ZONE)],
    ids=["34-units", "63-provinces"],
)
def test_the_api_and_the_tile_owe_the_same_reports(now: datetime) -> None:
    entries = reporting_status(expected_reports(FEEDS, None, now), [], now)
    api = {(e.indicator, e.area, e.agency) for e in entries if e.status == "overdue"}
    tile = reporting_status_data(FEEDS.catalogue, [], now, FEEDS.agencies, max_rows=10_000)
    shown = {(r["indicator"], m["area"], m["agency"]) for r in tile["rows"] for m in r["missing"]}
    assert api == shown
    provinces = {area.split(":")[0] for _, area, _ in api if area != "VN"}
    assert provinces == ({"gso-63"} if now.year == 2025 else {"gso-34"})


def test_a_province_indicator_without_national_aggregation_owes_a_national_report() -> None:
    indicator = next(i for i in FEEDS.catalogue if i.level is Level.PROVINCE)
    alone = indicator.model_copy(update={"aggregation": None})
    period = last_due_period(alone.frequency, alone.deadline, datetime.now(TIME_ZONE))
    owed = expected_for(alone, period, FEEDS.agencies)
    assert national_expected(alone) and not national_expected(indicator)
    assert owed[0].area == "VN" and owed[0].agency == alone.owner
    assert len(owed) == 1 + len(expected_for(indicator, period, FEEDS.agencies))
