"""The simulator: plausible, complete and repeatable reports for the whole catalogue."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from feeds.catalogue import Level
from feeds.loader import FeedsSpec, load_feeds
from feeds.observations import Observation
from feeds.periods import TIME_ZONE, parse_period_key
from feeds.simulator import SimClock, run_simulator, simulate
from geo import CodeList, codes

NOW = datetime(2026, 4, 27, 10, tzinfo=TIME_ZONE)


@pytest.fixture(scope="module")
def feeds() -> FeedsSpec:
    return load_feeds()


@pytest.fixture(scope="module")
def reports(feeds: FeedsSpec) -> list[Observation]:
    return simulate(feeds.catalogue, feeds.agencies, NOW, random.Random(42))


def test_every_indicator_gets_values_in_its_range(
    feeds: FeedsSpec, reports: list[Observation]
) -> None:
    by_indicator: dict[str, list[Observation]] = defaultdict(list)
    for o in reports:
        by_indicator[o.indicator].append(o)
    assert set(by_indicator) == set(feeds.catalogue.codes)
    for indicator in feeds.catalogue:
        for o in by_indicator[indicator.code]:
            assert indicator.valid_range.contains(o.value), (indicator.code, o.value)
            assert round(o.value, indicator.decimals) == o.value
            parse_period_key(o.period)  # a real period key of some frequency
            assert o.received_at <= NOW.timestamp() * 1000


def test_province_indicators_cover_the_34_provinces(
    feeds: FeedsSpec, reports: list[Observation]
) -> None:
    # The last period whose reports are all in: March 2026 data (Decree 09 cut-off).
    all_34 = set(codes(CodeList.NEW_34))
    for indicator in feeds.catalogue.at_level(Level.PROVINCE):
        provinces = {
            o.area.code
            for o in reports
            if o.indicator == indicator.code and o.area.code_list == "gso-34"
        }
        assert provinces == all_34, indicator.code
    agencies = {o.agency for o in reports if o.area.code_list == "gso-34"}
    assert agencies <= set(feeds.agencies.ids)


def test_periods_before_the_switch_use_the_63_list(reports: list[Observation]) -> None:
    old = {o.area.code_list for o in reports if o.period == "2025-05" and o.area.code}
    new = {o.area.code_list for o in reports if o.period == "2025-08" and o.area.code}
    assert (old, new) == ({"gso-63"}, {"gso-34"})


def test_the_same_seed_gives_the_same_reports(feeds: FeedsSpec) -> None:
    a = simulate(feeds.catalogue, feeds.agencies, NOW, random.Random(7))
    b = simulate(feeds.catalogue, feeds.agencies, NOW, random.Random(7))
    c = simulate(feeds.catalogue, feeds.agencies, NOW, random.Random(8))
    assert a == b
    assert a != c


def test_some_reports_are_still_missing_at_now(
    feeds: FeedsSpec, reports: list[Observation]
) -> None:
    # April 2026 (Decree 09) was due by 25 April: most provinces are in, not all.
    april = [o for o in reports if o.indicator == "new_enterprises" and o.period == "2026-04"]
    assert 20 < len(april) < 35


async def test_the_loop_sends_history_then_what_arrives_on_the_fast_clock(
    feeds: FeedsSpec,
) -> None:
    # A fake clock that moves one real hour per call: at speed 24 a day passes per call.
    ticks = iter(NOW + timedelta(hours=h) for h in range(10_000))
    batches: list[list[Observation]] = []
    done = asyncio.Event()

    async def sink(batch: list[Observation]) -> None:
        batches.append(batch)
        if len(batches) >= 3:
            done.set()

    task = asyncio.create_task(
        run_simulator(
            sink, feeds.catalogue, feeds.agencies, 24.0, lambda: next(ticks), seed=1, interval_s=0
        )
    )
    await asyncio.wait_for(done.wait(), 10)
    task.cancel()
    history, *later = batches
    assert len(history) > 1000
    seen = {o.key for o in history}
    assert all(o.key not in seen for batch in later for o in batch)  # only new reports
    assert any(o.indicator == "sar_incidents_24h" for batch in later for o in batch)


def test_sim_clock_runs_faster() -> None:
    moments = iter([NOW, NOW + timedelta(seconds=10)])
    clock = SimClock(lambda: next(moments), 60.0)
    assert clock.now() == NOW + timedelta(minutes=10)
    with pytest.raises(ValueError, match="speed"):
        SimClock(lambda: NOW, 0)


def test_a_fixed_origin_gives_the_same_calendar_whatever_the_day() -> None:
    origin = datetime(2026, 11, 19, 9, 30, tzinfo=TIME_ZONE)
    for today in (datetime(2026, 12, 3, tzinfo=TIME_ZONE), datetime(2027, 5, 1, tzinfo=TIME_ZONE)):
        moments = iter([today, today + timedelta(seconds=10)])
        clock = SimClock(lambda m=moments: next(m), 60.0, origin)
        assert clock.start == origin
        assert clock.now() == origin + timedelta(minutes=10)
