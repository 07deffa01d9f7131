"""One contract, two stores: SQLite in a temp dir and Redis under a fresh prefix."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
from storesupport import contract_fixtures

from command_center.store import (
    AuditEntry,
    CredentialUse,
    ScreenRecord,
    Store,
    UserRecord,
    WallState,
    open_store,
)

OpenStore = Callable[[], AbstractAsyncContextManager[Store]]

open_same_store, store = contract_fixtures(open_store)


def switched(preset: str, version: int) -> WallState:
    return WallState(preset=preset, version=version, switched_at=1000.0 + version, switched_by="a")


async def test_fresh_state_is_version_zero(store: Store) -> None:
    assert await store.get_state() == WallState()


async def test_compare_and_set_round_trip(store: Store) -> None:
    assert await store.compare_and_set_state(0, switched("p1", 1))
    assert await store.get_state() == switched("p1", 1)
    assert await store.compare_and_set_state(1, switched("p2", 2))
    assert await store.get_state() == switched("p2", 2)


async def test_compare_and_set_with_stale_version_loses(store: Store) -> None:
    assert await store.compare_and_set_state(0, switched("p1", 1))
    assert not await store.compare_and_set_state(0, switched("late", 1))
    assert await store.get_state() == switched("p1", 1)


async def test_compare_and_set_must_advance_the_version(store: Store) -> None:
    with pytest.raises(ValueError, match="greater than expected_version 0"):
        await store.compare_and_set_state(0, switched("p1", 0))


async def test_concurrent_compare_and_set_exactly_one_wins(open_same_store: OpenStore) -> None:
    # Two separate stores (two connections) race on the same data.
    async with open_same_store() as first, open_same_store() as second:
        results = await asyncio.gather(
            first.compare_and_set_state(0, switched("from-first", 1)),
            second.compare_and_set_state(0, switched("from-second", 1)),
        )
        assert sorted(results) == [False, True]
        winner = "from-first" if results[0] else "from-second"
        assert (await second.get_state()).preset == winner


async def test_everything_survives_reopen(open_same_store: OpenStore) -> None:
    user = UserRecord(username="u", role="viewer", password_hash="h", created_at=1.0)
    async with open_same_store() as store:
        assert await store.compare_and_set_state(0, switched("p1", 1))
        await store.upsert_screen(ScreenRecord(id="s1", first_seen=1.0, last_seen=2.0))
        await store.append_audit(
            AuditEntry(at=1.0, actor="a", role="admin", action="x", target="t")
        )
        await store.put_user(user)
        await store.record_credential_use(USE)
    async with open_same_store() as store:
        assert await store.get_state() == switched("p1", 1)
        assert [s.id for s in await store.screens()] == ["s1"]
        assert [e.action for e in await store.audit()] == ["x"]
        assert await store.get_user("u") == user
        assert await store.credential_uses() == [USE]


async def test_upsert_screen_keeps_first_seen(store: Store) -> None:
    await store.upsert_screen(ScreenRecord(id="s1", first_seen=10.5, last_seen=10.5))
    await store.upsert_screen(
        ScreenRecord(id="s1", first_seen=99.0, last_seen=20.25, health={"fps": 60, "ok": True})
    )
    assert await store.screens() == [
        ScreenRecord(id="s1", first_seen=10.5, last_seen=20.25, health={"fps": 60, "ok": True})
    ]


async def test_screens_sorted_by_id(store: Store) -> None:
    for screen_id in ["c", "a", "b"]:
        await store.upsert_screen(ScreenRecord(id=screen_id, first_seen=1.0, last_seen=1.0))
    assert [s.id for s in await store.screens()] == ["a", "b", "c"]


async def test_audit_newest_first_with_limit(store: Store) -> None:
    entries = [
        AuditEntry(
            at=float(i),
            actor="trực ban",
            role="duty_officer",
            action="switch",
            target=f"preset-{i}",
            detail={"n": i},
        )
        for i in range(5)
    ]
    stored = [await store.append_audit(entry) for entry in entries]
    # The store links each row to the one before; the rest is what was given.
    assert [s.model_copy(update={"prev": "", "hash": ""}) for s in stored] == entries
    assert await store.audit() == stored[::-1]
    assert await store.audit(limit=2) == [stored[4], stored[3]]
    assert await store.audit(limit=0) == []


async def test_users_put_get_replace_and_list(store: Store) -> None:
    assert await store.get_user("nobody") is None
    assert await store.users() == []
    bob = UserRecord(username="bob", role="viewer", password_hash="h1", created_at=1.0)
    alice = UserRecord(username="alice", role="admin", password_hash="h2", created_at=2.0)
    await store.put_user(bob)
    await store.put_user(alice)
    assert await store.get_user("bob") == bob
    assert await store.users() == [alice, bob]
    promoted = bob.model_copy(update={"role": "duty_officer"})
    await store.put_user(promoted)
    assert await store.get_user("bob") == promoted
    assert len(await store.users()) == 2


USE = CredentialUse(kind="agency", ident="bo_y_te", at=1_700_000_000_000.0, address="10.0.0.7")


async def test_credential_uses_keep_the_last_per_credential(store: Store) -> None:
    assert await store.credential_uses() == []
    later = USE.model_copy(update={"at": USE.at + 60_000, "address": None})
    screen = CredentialUse(kind="screen", ident="left-top", at=5.0)
    for use in (USE, screen, later):
        await store.record_credential_use(use)
    assert await store.credential_uses() == [later, screen]


async def test_no_legacy_secret_on_a_fresh_store(store: Store) -> None:
    assert await store.legacy_secret("device") is None
    await store.delete_legacy_secret("device")  # deleting nothing is fine
