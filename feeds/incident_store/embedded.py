"""Incidents in one SQLite file in the data folder: ``incidents.sqlite3``.

WAL with ``synchronous=FULL`` and one transaction per batch, on the embedded stores' one
worker thread (``command_center.sqlite_worker``), so "accepted" means on disk.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from command_center.sqlite_worker import SqliteWorker
from feeds.incident_store.base import newest_first, news
from feeds.incidents import Incident

FILENAME = "incidents.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    received_at REAL NOT NULL
) WITHOUT ROWID;
"""


def _connect(data_dir: Path) -> sqlite3.Connection:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILENAME
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=5000")
        (found,) = conn.execute("PRAGMA user_version").fetchone()
        if found > SCHEMA_VERSION:
            raise RuntimeError(
                f"{path} has schema version {found}, this program knows up to {SCHEMA_VERSION}"
            )
        conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
    except BaseException:
        conn.close()
        raise
    return conn


class EmbeddedIncidentStore:
    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

    @classmethod
    async def open(cls, data_dir: Path) -> EmbeddedIncidentStore:
        return cls(await SqliteWorker.open(lambda: _connect(data_dir), "incidents"))

    async def upsert(self, batch: list[Incident]) -> list[Incident]:
        def job(conn: sqlite3.Connection) -> list[Incident]:
            conn.execute("BEGIN IMMEDIATE")
            try:
                stored = {}
                for incident in batch:
                    row = conn.execute(
                        "SELECT body FROM incidents WHERE key = ?", (incident.key,)
                    ).fetchone()
                    if row is not None:
                        stored[incident.key] = Incident.model_validate_json(row[0])
                changed = news(batch, stored)
                conn.executemany(
                    "INSERT OR REPLACE INTO incidents (key, body, received_at) VALUES (?, ?, ?)",
                    [(i.key, i.model_dump_json(), i.received_at) for i in changed],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return changed

        return await self._worker.run(job)

    async def incidents(self, since_ms: float | None = None) -> list[Incident]:
        def job(conn: sqlite3.Connection) -> list[Incident]:
            rows = conn.execute("SELECT body FROM incidents").fetchall()
            return [Incident.model_validate_json(body) for (body,) in rows]

        return newest_first(await self._worker.run(job), since_ms)

    async def close(self) -> None:
        await self._worker.close()
