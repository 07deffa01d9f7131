"""One contract, two incident stores: SQLite in a temp dir and Redis under a fresh prefix."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from feeds.incident_store import IncidentStore, open_incident_store
from feeds.incidents import Incident, IncidentKind, IncidentStatus

OpenStore = Callable[[], AbstractAsyncContextManager[IncidentStore]]


@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.redis)])
def open_same_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """Opens the same store again on every call: the same data dir, or the same prefix."""
    data_dir = tmp_path / "data"
    if request.param == "embedded":
        return lambda: open_incident_store(data_dir, None)
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    return lambda: open_incident_store(data_dir, url, redis_prefix=prefix)


@pytest.fixture
async def store(open_same_store: OpenStore) -> AsyncIterator[IncidentStore]:
    async with open_same_store() as opened:
        yield opened


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
