"""The embedded store opens a file of the previous schema (version 1, made by the code
before server-side sessions) and brings it to version 2 without losing anything."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from command_center.audit import verify_chain
from command_center.store import EmbeddedStore, SessionRecord, WallState
from command_center.store.embedded import FILENAME, SCHEMA_VERSION

# Written by EmbeddedStore at commit 0aa22f0 (schema 1): a switch, two users, a screen,
# three audit rows, a secret.
V1_FILE = Path(__file__).parent / "data" / "wall-v1.sqlite3"


@pytest.fixture
def old_data_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(V1_FILE, data_dir / FILENAME)
    return data_dir


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_the_fixture_is_the_old_schema() -> None:
    assert user_version(V1_FILE) == 1
    with sqlite3.connect(V1_FILE) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(audit)")}
    assert "hash" not in columns


async def test_old_file_keeps_everything_and_gains_the_new_parts(old_data_dir: Path) -> None:
    store = await EmbeddedStore.open(old_data_dir)
    try:
        assert await store.get_state() == WallState(
            preset="overview", version=1, switched_at=1764000000000.0, switched_by="truc-ban"
        )
        users = await store.users()
        assert [(u.username, u.role, u.disabled) for u in users] == [
            ("admin", "admin", False),
            ("truc-ban", "duty_officer", False),
        ]
        assert [s.id for s in await store.screens()] == ["s1"]
        assert await store.secret("session", lambda: b"new") == b"k" * 32
        # The old rows are chained in order, and the chain goes on from them.
        entries, head = await store.audit_chain()
        assert [e.action for e in entries] == ["switch_layout", "switch_completed", "focus_map"]
        assert entries[0].prev == "" and all(e.hash for e in entries)
        assert head == entries[-1].hash
        assert verify_chain(entries, head) == []
        added = await store.append_audit(entries[0].model_copy(update={"action": "after"}))
        assert added.prev == head
        # Sessions and disabling work on the migrated file.
        record = SessionRecord(
            id="a" * 64,
            username="admin",
            role="admin",
            issued_at=10.0,
            last_seen=10.0,
            expires_at=10.0**10,
            address="127.0.0.1",
        )
        await store.put_session(record)
        assert await store.get_session("a" * 64) == record
        admin = users[0].model_copy(update={"disabled": True})
        await store.put_user(admin)
        assert await store.get_user("admin") == admin
    finally:
        await store.close()
    assert user_version(old_data_dir / FILENAME) == SCHEMA_VERSION == 2


async def test_reopening_a_migrated_file_changes_nothing(old_data_dir: Path) -> None:
    first = await EmbeddedStore.open(old_data_dir)
    chain = await first.audit_chain()
    await first.close()
    again = await EmbeddedStore.open(old_data_dir)
    try:
        assert await again.audit_chain() == chain
    finally:
        await again.close()


async def test_a_newer_schema_is_refused(old_data_dir: Path) -> None:
    with sqlite3.connect(old_data_dir / FILENAME) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(RuntimeError, match="schema version 99, this program knows up to 2"):
        await EmbeddedStore.open(old_data_dir)
