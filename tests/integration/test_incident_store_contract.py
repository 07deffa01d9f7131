"""One contract, two incident stores: SQLite in a temp dir and Redis under a fresh prefix."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from storesupport import contract_fixtures

from feeds.incident_store import IncidentStore, open_incident_store
from feeds.incident_store.base import QuotaExceeded
from feeds.incidents import Incident, IncidentKind, IncidentStatus

OpenStore = Callable[[], AbstractAsyncContextManager[IncidentStore]]

open_same_store, store = contract_fixtures(open_incident_store)


def incident(
    ident: str = "T-1",
    status: IncidentStatus = IncidentStatus.REPORTED,
    people: int = 10,
    occurred: float = 1_000.0,
    received: float = 2_000.0,
    agency: str = "trung_tam_tkcn",
) -> Incident:
    return Incident(
        id=ident,
        agency=agency,
        kind=IncidentKind.FLOOD,
        status=status,
        occurred_at=occurred,
        province="52",
        lat=14.0,
        lon=108.5,
        people_deployed=people,
        received_at=received,
    )


async def test_upsert_then_read_back(store: IncidentStore) -> None:
    first = incident()
    assert await store.upsert([first]) == [first]
    assert await store.incidents() == [first]


async def test_a_repeat_is_not_news_and_an_update_replaces(store: IncidentStore) -> None:
    await store.upsert([incident()])
    assert await store.upsert([incident(received=3_000.0)]) == []  # same report, later
    update = incident(status=IncidentStatus.RESPONDING, people=120, received=4_000.0)
    assert await store.upsert([update]) == [update]
    assert await store.incidents() == [update]


async def test_two_agencies_may_use_the_same_reference(store: IncidentStore) -> None:
    a = incident(agency="trung_tam_tkcn")
    b = incident(agency="ubnd_52")
    assert await store.upsert([a, b]) == [a, b]
    assert len(await store.incidents()) == 2


async def test_newest_occurrence_first_and_since(store: IncidentStore) -> None:
    old = incident("A", occurred=1_000.0, received=5_000.0)
    new = incident("B", occurred=9_000.0, received=6_000.0)
    await store.upsert([old, new])
    assert [i.id for i in await store.incidents()] == ["B", "A"]
    assert [i.id for i in await store.incidents(since_ms=5_500.0)] == ["B"]


async def test_accepted_incidents_survive_a_reopen(open_same_store: OpenStore) -> None:
    async with open_same_store() as store:
        await store.upsert([incident("A"), incident("B", status=IncidentStatus.RESOLVED)])
    async with open_same_store() as store:
        found = {i.id: i.status for i in await store.incidents()}
    assert found == {"A": IncidentStatus.REPORTED, "B": IncidentStatus.RESOLVED}


async def test_pages_newest_first_with_before(store: IncidentStore) -> None:
    rows = [incident(f"P-{n}", occurred=1_000.0 * n) for n in range(1, 8)]
    await store.upsert(rows)
    first = await store.incidents(limit=3)
    assert [i.id for i in first] == ["P-7", "P-6", "P-5"]
    second = await store.incidents(limit=3, before_ms=first[-1].occurred_at)
    assert [i.id for i in second] == ["P-4", "P-3", "P-2"]
    last = await store.incidents(limit=3, before_ms=second[-1].occurred_at)
    assert [i.id for i in last] == ["P-1"]


async def test_a_page_with_since_is_still_full(store: IncidentStore) -> None:
    old = [incident(f"O-{n}", occurred=10_000.0 + n, received=1_000.0) for n in range(5)]
    new = [incident(f"N-{n}", occurred=float(n), received=9_000.0) for n in range(5)]
    await store.upsert(old + new)
    found = await store.incidents(since_ms=5_000.0, limit=3)
    assert [i.id for i in found] == ["N-4", "N-3", "N-2"]


async def test_quota_refuses_new_incidents_but_not_updates(store: IncidentStore) -> None:
    await store.upsert([incident("Q-1"), incident("Q-2")], quota=2)
    with pytest.raises(QuotaExceeded, match="over its quota of 2") as refused:
        await store.upsert([incident("Q-3"), incident("Q-1", people=50)], quota=2)
    assert refused.value.retry_after_s > 0
    assert {i.id for i in await store.incidents()} == {"Q-1", "Q-2"}  # nothing of it stored
    update = incident("Q-1", people=50, received=3_000.0)
    assert await store.upsert([update], quota=2) == [update]
    other = incident("Q-1", agency="ubnd_52")  # another agency has its own quota
    assert await store.upsert([other], quota=2) == [other]


async def test_active_is_open_ones_and_recently_resolved(store: IncidentStore) -> None:
    await store.upsert(
        [
            incident("A-open", status=IncidentStatus.RESPONDING),
            incident("A-old", status=IncidentStatus.RESOLVED, received=1_000.0),
            incident("A-new", status=IncidentStatus.RESOLVED, received=9_000.0),
        ]
    )
    assert {i.id for i in await store.active(resolved_since_ms=5_000.0)} == {"A-open", "A-new"}
    # resolving the open one moves it to the resolved side
    await store.upsert([incident("A-open", status=IncidentStatus.RESOLVED, received=2_000.0)])
    assert {i.id for i in await store.active(resolved_since_ms=5_000.0)} == {"A-new"}


async def test_purge_removes_only_resolved_before_the_horizon(store: IncidentStore) -> None:
    await store.upsert(
        [
            incident("R-open", received=1_000.0),
            incident("R-old", status=IncidentStatus.RESOLVED, received=1_000.0),
            incident("R-new", status=IncidentStatus.RESOLVED, received=9_000.0),
        ],
        quota=3,
    )
    assert await store.purge(resolved_before_ms=5_000.0) == 1
    assert {i.id for i in await store.incidents()} == {"R-open", "R-new"}
    assert await store.purge(resolved_before_ms=5_000.0) == 0
    # the purged one no longer counts against the quota
    assert await store.upsert([incident("R-next")], quota=3)
