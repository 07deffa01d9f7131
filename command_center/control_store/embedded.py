"""The control store of a single server process: one SQLite file, durable on every write."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from command_center.control_store.base import Body
from command_center.sqlite_file import open_sqlite, schema_version
from command_center.sqlite_worker import SqliteWorker

FILENAME = "control.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_ms REAL NOT NULL
);
"""

T = TypeVar("T")


def _connect(data_dir: Path) -> sqlite3.Connection:
    conn = open_sqlite(data_dir / FILENAME, SCHEMA_VERSION)
    try:
        if schema_version(conn) < 1:
            conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version=1; COMMIT;")
    except BaseException:
        conn.close()
        raise
    return conn


class EmbeddedControlStore:
    """``await EmbeddedControlStore.open(data_dir)``; the file is ``control.sqlite3``."""

    def __init__(self, worker: SqliteWorker, clock: Callable[[], float]) -> None:
        self._worker = worker
        self._clock = clock

    @classmethod
    async def open(
        cls, data_dir: Path, clock: Callable[[], float] = lambda: time.time() * 1000.0
    ) -> EmbeddedControlStore:
        return cls(await SqliteWorker.open(partial(_connect, data_dir), "control"), clock)

    async def _run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        return await self._worker.run(job)

    async def put(self, kind: str, key: str, body: Body) -> None:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        await self._run(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO records (kind, key, body) VALUES (?, ?, ?)",
                (kind, key, text),
            )
        )

    async def get(self, kind: str, key: str) -> Body | None:
        def job(conn: sqlite3.Connection) -> Body | None:
            row = conn.execute(
                "SELECT body FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            return None if row is None else dict(json.loads(row[0]))

        return await self._run(job)

    async def items(self, kind: str) -> dict[str, Body]:
        def job(conn: sqlite3.Connection) -> dict[str, Body]:
            rows = conn.execute(
                "SELECT key, body FROM records WHERE kind = ? ORDER BY key", (kind,)
            ).fetchall()
            return {key: dict(json.loads(body)) for key, body in rows}

        return await self._run(job)

    async def delete(self, kind: str, key: str) -> None:
        await self._run(
            lambda conn: conn.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))
        )

    async def lease(self, name: str, holder: str, ttl_ms: int) -> bool:
        now = self._clock()

        def job(conn: sqlite3.Connection) -> bool:
            # One statement: take it if free, expired or ours; the row count says if we did.
            cursor = conn.execute(
                "INSERT INTO leases (name, holder, until_ms) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "until_ms = excluded.until_ms "
                "WHERE leases.holder = excluded.holder OR leases.until_ms <= ?",
                (name, holder, now + ttl_ms, now),
            )
            return cursor.rowcount > 0

        return await self._run(job)

    async def release(self, name: str, holder: str) -> None:
        await self._run(
            lambda conn: conn.execute(
                "DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder)
            )
        )

    async def ping(self) -> None:
        await self._run(lambda conn: conn.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        await self._worker.close()
