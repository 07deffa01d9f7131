"""One contract, two history stores: SQLite in a temp dir and Redis under a fresh prefix.
Retention included: rows past it go, the rest stay (an injected "now", no waiting)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from storesupport import contract_fixtures
from wallsupport import wait_until

from command_center.history import HistoryStore, Mark, Snapshot, open_history_store
from command_center.history.model import chunk_of, pack
from command_center.server.history_runtime import DAY_MS, enforce_retention, keep_retention
from command_center.tasks import cancel_all

OpenStore = Callable[[], AbstractAsyncContextManager[HistoryStore]]
open_same_store, store = contract_fixtures(open_history_store)

T = 1_800_000_000_000.0  # a fixed instant (epoch ms)


def data(value: int) -> dict[str, object]:
    return {"type": "data", "tiles": {"a": {"value": value}}, "ts": {"a": 1.0}, "sent": 1.0}


def snap(screen: str, t: float, marker: int) -> Snapshot:
    return Snapshot(screen, t, pack({"marker": marker}))


async def test_an_instant_reads_the_newest_snapshot_and_the_chunks_after_it(
    store: HistoryStore,
) -> None:
    assert await store.oldest() is None
    assert await store.state_parts(["s1"], T) == {"s1": (None, [])}
    first = chunk_of("s1", [(T + 1, data(1)), (T + 2, data(2))])
    second = chunk_of("s1", [(T + 11, data(3))])
    third = chunk_of("s1", [(T + 21, data(4))])
    other = chunk_of("s2", [(T + 12, data(9))])
    written = await store.append([first], [snap("s1", T, 0), snap("s2", T, 5)], [])
    assert written >= len(first.blob)
    await store.append([second, other], [snap("s1", T + 10, 1)], [])
    await store.append([third], [], [])
    assert await store.oldest() == T

    parts = await store.state_parts(["s1", "s2"], T + 15)
    snapshot, chunks = parts["s1"]
    assert snapshot is not None and snapshot.t == T + 10 and snapshot.state() == {"marker": 1}
    assert [c.events() for c in chunks] == [[(T + 11, data(3))]], "after the snapshot, to at"
    s2_snapshot, s2_chunks = parts["s2"]
    assert s2_snapshot is not None and s2_snapshot.state() == {"marker": 5}
    assert [c.t0 for c in s2_chunks] == [T + 12]
    # Between two snapshots: the older one and the chunks up to the instant.
    snapshot, chunks = (await store.state_parts(["s1"], T + 5))["s1"]
    assert snapshot is not None and snapshot.t == T
    assert [c.t0 for c in chunks] == [T + 1]
    # Before every snapshot: none, and only chunks up to the instant.
    snapshot, chunks = (await store.state_parts(["s1"], T - 1))["s1"]
    assert snapshot is None and chunks == []


async def test_a_span_reads_the_chunks_holding_its_messages_of_the_screens_asked(
    store: HistoryStore,
) -> None:
    a = chunk_of("s1", [(T + 1, data(1)), (T + 5, data(2))])
    b = chunk_of("s2", [(T + 3, data(3))])
    c = chunk_of("s1", [(T + 10, data(4))])
    await store.append([a, b, c], [], [])
    assert [(x.screen, x.t0) for x in await store.chunks(["s1", "s2"], T, T + 10)] == [
        ("s1", T + 1),
        ("s2", T + 3),
        ("s1", T + 10),
    ]
    # A chunk that started before the span but ends inside it holds some of its messages.
    assert [x.t0 for x in await store.chunks(["s1"], T + 2, T + 9)] == [T + 1]
    assert [x.t0 for x in await store.chunks(["s1"], T + 5, T + 9)] == [], "(start, end]"
    assert [x.screen for x in await store.chunks(["s2"], T, T + 100)] == ["s2"]
    assert await store.chunks(["nobody"], T, T + 100) == []


async def test_marks_in_a_span_oldest_first_bounded(store: HistoryStore) -> None:
    marks = [
        Mark(T + 3, "alert", "Cảnh báo lũ", "Flood alert"),
        Mark(T + 1, "switch", "Chuyển bố cục: Tổng quan", "Switched to Overview"),
        Mark(T + 2, "call", "Huế vào cuộc gọi", "Huế joined", "left-top"),
    ]
    await store.append([], [], marks)
    found = await store.marks(T, T + 10, 10)
    assert [m.kind for m in found] == ["switch", "call", "alert"]
    assert found[1] == marks[2]
    assert [m.kind for m in await store.marks(T, T + 10, 2)] == ["switch", "call"]
    assert await store.marks(T + 4, T + 10, 10) == []


async def test_history_survives_reopen(open_same_store: OpenStore) -> None:
    async with open_same_store() as first:
        await first.append([chunk_of("s1", [(T + 1, data(1))])], [snap("s1", T, 7)], [])
    async with open_same_store() as second:
        snapshot, chunks = (await second.state_parts(["s1"], T + 1))["s1"]
        assert snapshot is not None and snapshot.state() == {"marker": 7}
        assert [c.events() for c in chunks] == [[(T + 1, data(1))]]


async def test_retention_deletes_what_is_past_it_and_keeps_the_rest(store: HistoryStore) -> None:
    now = T + 100 * DAY_MS
    old, recent = T, now - 10 * DAY_MS
    await store.append(
        [chunk_of("s1", [(old + 1, data(1))]), chunk_of("s1", [(recent + 1, data(2))])],
        [snap("s1", old, 1), snap("s1", recent, 2)],
        [Mark(old, "switch", "cũ", "old"), Mark(recent, "switch", "mới", "new")],
    )
    assert await store.oldest() == old
    gone = await enforce_retention(store, 90, now)
    assert gone == 3
    assert await store.oldest() == recent
    assert [m.label_en for m in await store.marks(0, now, 10)] == ["new"]
    assert [c.t0 for c in await store.chunks(["s1"], 0, now)] == [recent + 1]
    snapshot, _ = (await store.state_parts(["s1"], old + 5))["s1"]
    assert snapshot is None
    assert await enforce_retention(store, 90, now) == 0


async def test_the_retention_loop_deletes_what_ages_past_it_while_running(
    store: HistoryStore,
) -> None:
    """The running loop, not one round: what was recent at its first round is deleted at a
    later one, once the clock has moved past the retention."""
    now = [T + 10 * DAY_MS]
    await store.append([chunk_of("s1", [(T + 1, data(1))])], [snap("s1", T, 1)], [])
    task = asyncio.create_task(keep_retention(store, 90, lambda: now[0], every_s=0.02))
    try:
        await asyncio.sleep(0.1)  # rounds ran: nothing is 90 days old yet
        assert await store.oldest() == T
        now[0] = T + 91 * DAY_MS
        await wait_until(lambda: _empty(store), what="a later round's deletion")
    finally:
        await cancel_all([task])


async def _empty(store: HistoryStore) -> bool:
    return await store.oldest() is None


async def test_the_events_of_a_span_in_order_once_each_and_capped(store: HistoryStore) -> None:
    from command_center.server.history_query import EVENTS_WINDOW_MS, events_between

    # A chunk across the boundary of two read windows, and two screens interleaved.
    edge = T + EVENTS_WINDOW_MS
    a = chunk_of("s1", [(edge - 1000 + i * 500, data(i)) for i in range(5)])
    b = chunk_of("s2", [(edge - 750 + i * 500, data(10 + i)) for i in range(5)])
    await store.append([a, b], [], [])
    found, truncated = await events_between(store, ["s1", "s2"], T, T + 2 * EVENTS_WINDOW_MS)
    assert not truncated
    assert [m["tiles"]["a"]["value"] for _, _, m in found] == [
        0, 10, 1, 11, 2, 12, 3, 13, 4, 14,
    ]  # fmt: skip
    assert [s for _, s, _ in found][:2] == ["s1", "s2"]
    capped, truncated = await events_between(store, ["s1", "s2"], T, edge + 10_000, limit=4)
    assert truncated and [t for t, _, _ in capped] == [t for t, _, _ in found[:4]]
    only, _ = await events_between(store, ["s2"], edge - 750, edge + 10_000)
    assert [m["tiles"]["a"]["value"] for _, _, m in only] == [11, 12, 13, 14], "(from, to]"
