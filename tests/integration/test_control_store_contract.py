"""One contract, two control stores: SQLite in a temp dir and Redis under a fresh prefix."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest
from storesupport import BOTH_STORES, same_store

from command_center.control_store import ControlStore, open_control_store

OpenStore = Callable[[], AbstractAsyncContextManager[ControlStore]]


@pytest.fixture(params=BOTH_STORES)
def open_same_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    return same_store(request, tmp_path, open_control_store)


@pytest.fixture
async def store(open_same_store: OpenStore) -> AsyncIterator[ControlStore]:
    async with open_same_store() as opened:
        yield opened


async def test_records_round_trip_by_kind(store: ControlStore) -> None:
    assert await store.get("alert", "a") is None
    await store.put("alert", "b", {"state": "active", "title": "Bão số 3"})
    await store.put("alert", "a", {"state": "cleared"})
    await store.put("lock", "wall", {"by": "truc-ban"})
    assert await store.get("alert", "b") == {"state": "active", "title": "Bão số 3"}
    assert list(await store.items("alert")) == ["a", "b"]
    await store.put("alert", "a", {"state": "active"})
    assert (await store.items("alert"))["a"] == {"state": "active"}
    await store.delete("alert", "a")
    assert list(await store.items("alert")) == ["b"]
    assert await store.items("nothing") == {}


async def test_records_survive_reopen(open_same_store: OpenStore) -> None:
    async with open_same_store() as first:
        await first.put("announcement", "x", {"text_vi": "Họp giao ban 8:00"})
    async with open_same_store() as second:
        assert await second.get("announcement", "x") == {"text_vi": "Họp giao ban 8:00"}


async def test_a_lease_has_one_holder_until_it_expires_or_is_released(
    store: ControlStore,
) -> None:
    assert await store.lease("rules", "p1", 300)
    assert await store.lease("rules", "p1", 300), "the holder renews"
    assert not await store.lease("rules", "p2", 300)
    await store.release("rules", "p2")  # not the holder: nothing happens
    assert not await store.lease("rules", "p2", 300)
    await store.release("rules", "p1")
    assert await store.lease("rules", "p2", 100)

    async def taken_by_p3() -> bool:
        return await store.lease("rules", "p3", 1000)

    for _ in range(100):  # p2 stops renewing: its 100 ms run out
        if await taken_by_p3():
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("an expired lease was never taken over")
    assert not await store.lease("rules", "p2", 100)


async def test_two_processes_racing_for_a_lease_one_wins(open_same_store: OpenStore) -> None:
    async with open_same_store() as a, open_same_store() as b:
        won = await asyncio.gather(
            *(s.lease("rules", name, 5000) for s, name in ((a, "A"), (b, "B")))
        )
        assert sorted(won) == [False, True]
