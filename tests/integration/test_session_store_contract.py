"""Sessions and the audit chain: one contract, both stores (SQLite, Redis under a prefix)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from storesupport import contract_fixtures

from command_center.audit import verify_chain
from command_center.store import AuditEntry, SessionRecord, Store, open_store

OpenStore = Callable[[], AbstractAsyncContextManager[Store]]
FAR = 4_000_000_000.0  # a session that has not expired yet

open_same_store, store = contract_fixtures(open_store)


def session(sid: str, username: str = "truc-ban", last_seen: float = 100.0) -> SessionRecord:
    return SessionRecord(
        id=sid,
        username=username,
        role="duty_officer",
        issued_at=100.0,
        last_seen=last_seen,
        expires_at=FAR,
        address="10.0.0.7",
    )


def row(i: int, actor: str = "truc-ban", action: str = "switch_layout") -> AuditEntry:
    return AuditEntry(
        at=1764000000000.0 + i,
        actor=actor,
        role="duty_officer",
        action=action,
        target=f"preset-{i}",
        detail={"n": i, "skew_ms": 2.5, "vi": "Tổng quan"},
    )


async def test_session_put_get_delete(store: Store) -> None:
    assert await store.get_session("x" * 64) is None
    await store.put_session(session("a"))
    assert await store.get_session("a") == session("a")
    await store.delete_session("a")
    assert await store.get_session("a") is None
    await store.delete_session("a")  # ending twice is no error


async def test_touch_moves_last_seen_forward_only(store: Store) -> None:
    await store.put_session(session("a"))
    assert await store.touch_session("a", 150.0)
    assert await store.touch_session("a", 120.0)  # a late touch never moves it back
    found = await store.get_session("a")
    assert found is not None and found.last_seen == 150.0


async def test_touch_does_not_bring_an_ended_session_back(store: Store) -> None:
    await store.put_session(session("a"))
    await store.delete_session("a")
    assert not await store.touch_session("a", 150.0)
    assert await store.get_session("a") is None


async def test_delete_user_sessions_ends_only_that_user(store: Store) -> None:
    for sid in ("a", "b", "c"):
        await store.put_session(session(sid))
    await store.put_session(session("d", username="xem"))
    assert await store.delete_user_sessions("truc-ban") == 3
    assert [await store.get_session(s) for s in ("a", "b", "c")] == [None, None, None]
    assert await store.get_session("d") == session("d", username="xem")
    assert await store.delete_user_sessions("truc-ban") == 0


async def test_expired_sessions_disappear(store: Store) -> None:
    expired = session("old").model_copy(update={"expires_at": 1.0})
    await store.put_session(expired)
    await store.put_session(session("new"))  # a sign-in sweeps (SQLite) / Redis expires
    assert await store.get_session("old") is None


async def test_audit_rows_are_chained_in_order(store: Store) -> None:
    stored = [await store.append_audit(row(i)) for i in range(4)]
    assert stored[0].prev == ""
    assert [s.prev for s in stored[1:]] == [s.hash for s in stored[:-1]]
    entries, head = await store.audit_chain()
    assert entries == stored and head == stored[-1].hash
    assert verify_chain(entries, head) == []


async def test_concurrent_appends_from_two_connections_stay_one_chain(
    open_same_store: OpenStore,
) -> None:
    async with open_same_store() as first, open_same_store() as second:
        await asyncio.gather(
            *(first.append_audit(row(i, actor="first")) for i in range(20)),
            *(second.append_audit(row(i, actor="second")) for i in range(20)),
        )
        entries, head = await first.audit_chain()
    assert len(entries) == 40
    assert verify_chain(entries, head) == []


async def test_audit_filters_by_actor_and_action(store: Store) -> None:
    for i in range(6):
        await store.append_audit(row(i, actor="a" if i % 2 else "b", action=f"act{i % 3}"))
    by_actor = await store.audit_entries(actor="a")
    assert [e.target for e in by_actor] == ["preset-5", "preset-3", "preset-1"]
    both = await store.audit_entries(actor="b", action="act1")
    assert [e.target for e in both] == ["preset-4"]
    newest = await store.audit_entries(1, action="act0")
    assert [e.target for e in newest] == ["preset-3"]
    assert await store.audit_entries(0) == []
