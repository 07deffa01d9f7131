"""One contract, two observation stores: SQLite in a temp dir and Redis under a fresh prefix."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from observationsupport import observation
from storesupport import contract_fixtures

from feeds.observation_store import (
    ObservationConflict,
    ObservationStore,
    open_observation_store,
)
from feeds.observations import NATIONAL, Area, Observation

OpenStore = Callable[[], AbstractAsyncContextManager[ObservationStore]]
HANOI = Area(code="01", code_list="gso-34")
HUE = Area(code="46", code_list="gso-34")

open_same_store, store = contract_fixtures(open_observation_store)


def obs(
    value: float,
    period: str = "2025-10",
    revision: int = 0,
    indicator: str = "public_investment_disbursement",
    area: Area = HANOI,
    at: float = 1000.0,
) -> Observation:
    """``ubnd_01``'s report of ``value`` (for Hà Nội unless ``area``; ``at``: epoch ms)."""
    return observation(indicator, period, value, at, area, revision, agency="ubnd_01")


async def test_append_then_read_back(store: ObservationStore) -> None:
    batch = [obs(40.5, "2025-09"), obs(55.25, "2025-10"), obs(30.0, "2025-10", area=HUE)]
    result = await store.append(batch)
    assert result.accepted == batch and result.duplicates == 0
    latest = await store.latest("public_investment_disbursement")
    assert [(o.area.key, o.period, o.value) for o in latest] == [
        ("gso-34:01", "2025-10", 55.25),
        ("gso-34:46", "2025-10", 30.0),
    ]
    assert await store.latest(area="gso-34:46") == [batch[2]]
    assert await store.latest("cpi_yoy") == []


async def test_same_report_twice_is_stored_once(store: ObservationStore) -> None:
    batch = [obs(1.0, "2025-08"), obs(2.0, "2025-09")]
    await store.append(batch)
    again = await store.append([obs(1.0, "2025-08", at=2000.0), obs(2.0, "2025-09")])
    assert again.accepted == [] and again.duplicates == 2
    assert await store.history(batch[0].key) == [batch[0]]  # the first arrival kept


async def test_higher_revision_replaces_and_keeps_history(store: ObservationStore) -> None:
    first, second = obs(10.0), obs(12.5, revision=1, at=2000.0)
    await store.append([first])
    result = await store.append([second])
    assert result.accepted == [second]
    assert await store.latest() == [second]
    assert await store.series("public_investment_disbursement", "gso-34:01") == [second]
    assert await store.history(first.key) == [first, second]


@pytest.mark.parametrize(
    "late",
    [obs(11.0, revision=1), obs(99.0, revision=0)],
    ids=["equal-revision-other-value", "lower-revision"],
)
async def test_stale_revision_with_other_value_is_a_conflict_and_changes_nothing(
    store: ObservationStore, late: Observation
) -> None:
    await store.append([obs(10.0), obs(12.0, revision=1)])
    fresh = obs(5.0, "2025-11")
    with pytest.raises(ObservationConflict, match=r"public_investment_disbursement, gso-34:01"):
        await store.append([fresh, late])
    assert [o.value for o in await store.history(late.key)] == [10.0, 12.0]
    assert await store.series("public_investment_disbursement", "gso-34:01") == [
        obs(12.0, revision=1)
    ]  # the good row of the refused batch was not stored either


async def test_conflict_details_name_every_key(store: ObservationStore) -> None:
    await store.append([obs(1.0, "2025-01"), obs(1.0, "2025-02")])
    with pytest.raises(ObservationConflict) as caught:
        await store.append([obs(2.0, "2025-01"), obs(2.0, "2025-02")])
    assert [d["period"] for d in caught.value.details] == ["2025-01", "2025-02"]
    assert caught.value.status == 409


async def test_revisions_of_one_key_in_one_batch(store: ObservationStore) -> None:
    result = await store.append([obs(1.0), obs(2.0, revision=1)])
    assert len(result.accepted) == 2
    assert [o.value for o in await store.latest()] == [2.0]


async def test_series_bounds_are_inclusive_and_ordered(store: ObservationStore) -> None:
    periods = ["2025-03", "2025-01", "2025-02", "2025-04"]
    await store.append([obs(float(i), p) for i, p in enumerate(periods)])
    found = await store.series("public_investment_disbursement", "gso-34:01", "2025-02", "2025-03")
    assert [o.period for o in found] == ["2025-02", "2025-03"]
    everything = await store.series("public_investment_disbursement", "gso-34:01")
    assert [o.period for o in everything] == sorted(periods)
    assert await store.series("public_investment_disbursement", "gso-34:46") == []


async def test_reported_says_who_reported_first(store: ObservationStore) -> None:
    cpi = obs(3.1, "2025-10", indicator="cpi_yoy", area=NATIONAL, at=500.0)
    await store.append([obs(1.0, "2025-10", at=100.0), cpi, obs(1.0, "2025-09")])
    await store.append([obs(2.0, "2025-10", revision=1, at=900.0)])
    reports = await store.reported("2025-10", "2025-Q4")
    assert [(r.indicator, r.area, r.period, r.first_received_at, r.revision) for r in reports] == [
        ("cpi_yoy", "VN", "2025-10", 500.0, 0),
        ("public_investment_disbursement", "gso-34:01", "2025-10", 100.0, 1),
    ]
    assert await store.reported() == []


async def test_accepted_survives_reopening(open_same_store: OpenStore) -> None:
    batch = [obs(1.5, "2025-01"), obs(2.5, "2025-02", revision=3)]
    async with open_same_store() as store:
        await store.append(batch)
    async with open_same_store() as store:
        assert await store.series("public_investment_disbursement", "gso-34:01") == batch


async def test_batch_of_ten_thousand_is_stored_whole(store: ObservationStore) -> None:
    # Big enough that the Redis script works in several chunks of keys.
    batch = [
        obs(
            float(i % 100),
            f"{2000 + i // 12 % 26}-{i % 12 + 1:02d}",
            area=Area(code=f"{i // 312:02d}", code_list="gso-63"),
        )
        for i in range(10_000)
    ]
    assert len({o.key for o in batch}) == 10_000
    result = await store.append(batch)
    assert len(result.accepted) == 10_000
    again = await store.append(batch)
    assert again.duplicates == 10_000
    assert len(await store.latest()) == 33
    hanoi = await store.series("public_investment_disbursement", "gso-63:01")
    assert hanoi == sorted((o for o in batch if o.area.code == "01"), key=lambda o: o.period)


async def test_newest_period_shown_whatever_the_order_of_batches(store: ObservationStore) -> None:
    await store.append([obs(3.0, "2025-03"), obs(1.0, "2025-01"), obs(4.0, "2025-04", revision=1)])
    await store.append([obs(2.0, "2025-02"), obs(5.0, "2025-04", revision=2)])
    assert [(o.period, o.value) for o in await store.latest()] == [("2025-04", 5.0)]


async def test_first_report_of_a_period_is_the_first_in_its_batch(store: ObservationStore) -> None:
    await store.append([obs(1.0, "2025-10", at=100.0), obs(2.0, "2025-10", revision=1, at=200.0)])
    await store.append([obs(1.0, "2025-11", at=300.0), obs(3.0, "2025-10", revision=2, at=300.0)])
    reports = await store.reported("2025-10", "2025-11")
    assert [(r.period, r.first_received_at, r.revision) for r in reports] == [
        ("2025-10", 100.0, 2),
        ("2025-11", 300.0, 0),
    ]


async def test_notes_keep_newlines_quotes_and_vietnamese(store: ObservationStore) -> None:
    noted = obs(1.0).model_copy(update={"note": 'dòng 1\ndòng 2\r\n\t"trích dẫn" \\ ước tính'})
    await store.append([noted, obs(2.0, "2025-11")])
    assert await store.series("public_investment_disbursement", "gso-34:01") == [
        noted,
        obs(2.0, "2025-11"),
    ]
