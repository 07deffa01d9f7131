"""Incidents in one SQLite file in the data folder: ``incidents.sqlite3``.

WAL with ``synchronous=FULL`` and one transaction per batch, on the embedded stores' one
worker thread (``command_center.sqlite_worker``), so "accepted" means on disk. The columns
beside the JSON body serve the pages, the quota and the purge through indexes.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

from command_center.sqlite_file import open_sqlite, schema_version
from command_center.sqlite_worker import SqliteWorker, rollback
from feeds.incident_store.base import PAGE, check_quota, news
from feeds.incidents import Incident, IncidentStatus

FILENAME = "incidents.sqlite3"
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    received_at REAL NOT NULL
) WITHOUT ROWID;
"""
# Version 2: the agency, occurrence and whether it is resolved, each indexed.
_MIGRATE_2 = """
ALTER TABLE incidents ADD COLUMN agency TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN occurred_at REAL NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS incidents_agency ON incidents (agency);
CREATE INDEX IF NOT EXISTS incidents_order ON incidents (occurred_at DESC, key);
CREATE INDEX IF NOT EXISTS incidents_resolved ON incidents (resolved, received_at);
"""
_RESOLVED = IncidentStatus.RESOLVED.value


def _connect(data_dir: Path) -> sqlite3.Connection:
    conn = open_sqlite(data_dir / FILENAME, SCHEMA_VERSION)
    try:
        found = schema_version(conn)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(_SCHEMA)
        if found < 2:
            _migrate_2(conn)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        conn.close()
        raise
    return conn


def _migrate_2(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(incidents)")}
    if "agency" not in columns:
        for statement in _MIGRATE_2.strip().split(";"):
            if statement.strip():
                conn.execute(statement)
    rows = conn.execute("SELECT key, body FROM incidents").fetchall()
    for key, body in rows:
        data = json.loads(body)
        conn.execute(
            "UPDATE incidents SET agency = ?, occurred_at = ?, resolved = ? WHERE key = ?",
            (data["agency"], data["occurred_at"], data["status"] == _RESOLVED, key),
        )


def _bodies(rows: list[tuple[str]]) -> list[Incident]:
    return [Incident.model_validate_json(body) for (body,) in rows]


class EmbeddedIncidentStore:
    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

    @classmethod
    async def open(cls, data_dir: Path) -> EmbeddedIncidentStore:
        return cls(await SqliteWorker.open(lambda: _connect(data_dir), "incidents"))

    async def upsert(self, batch: list[Incident], quota: int | None = None) -> list[Incident]:
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
                fresh = Counter(
                    i.agency for i in {i.key: i for i in batch}.values() if i.key not in stored
                )
                held = {
                    agency: conn.execute(
                        "SELECT count(*) FROM incidents WHERE agency = ?", (agency,)
                    ).fetchone()[0]
                    for agency in fresh
                }
                check_quota(dict(fresh), held, quota)
                changed = news(batch, stored)
                conn.executemany(
                    "INSERT OR REPLACE INTO incidents "
                    "(key, body, received_at, agency, occurred_at, resolved) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            i.key,
                            i.model_dump_json(),
                            i.received_at,
                            i.agency,
                            i.occurred_at,
                            i.status is IncidentStatus.RESOLVED,
                        )
                        for i in changed
                    ],
                )
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            return changed

        return await self._worker.run(job)

    async def incidents(
        self, since_ms: float | None = None, limit: int = PAGE, before_ms: float | None = None
    ) -> list[Incident]:
        def job(conn: sqlite3.Connection) -> list[Incident]:
            rows = conn.execute(
                "SELECT body FROM incidents WHERE received_at >= ? AND occurred_at < ? "
                "ORDER BY occurred_at DESC, key LIMIT ?",
                (
                    float("-inf") if since_ms is None else since_ms,
                    float("inf") if before_ms is None else before_ms,
                    limit,
                ),
            ).fetchall()
            return _bodies(rows)

        return await self._worker.run(job)

    async def active(self, resolved_since_ms: float) -> list[Incident]:
        def job(conn: sqlite3.Connection) -> list[Incident]:
            rows = conn.execute(
                "SELECT body FROM incidents WHERE resolved = 0 "
                "UNION ALL SELECT body FROM incidents WHERE resolved = 1 AND received_at >= ?",
                (resolved_since_ms,),
            ).fetchall()
            return sorted(_bodies(rows), key=lambda i: (-i.occurred_at, i.key))

        return await self._worker.run(job)

    async def purge(self, resolved_before_ms: float) -> int:
        def job(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "DELETE FROM incidents WHERE resolved = 1 AND received_at < ?",
                (resolved_before_ms,),
            )
            return cursor.rowcount

        return await self._worker.run(job)

    async def close(self) -> None:
        await self._worker.close()
