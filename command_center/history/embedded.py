"""The history of a single server process: one SQLite file, written off the event loop.

Chunks and snapshots are indexed by (screen, time), so an instant costs two index lookups
per screen whatever the length of the history, and ``screen=`` reads that screen's rows only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from command_center.history.model import MAX_CHUNK_SPAN_MS, Chunk, Mark, Snapshot
from command_center.sqlite_file import open_sqlite, schema_version
from command_center.sqlite_worker import SqliteWorker, rollback

FILENAME = "history.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    screen TEXT NOT NULL, t0 REAL NOT NULL, t1 REAL NOT NULL, blob BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_screen ON chunks (screen, t0);
CREATE TABLE IF NOT EXISTS snapshots (
    screen TEXT NOT NULL, t REAL NOT NULL, blob BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_by_screen ON snapshots (screen, t);
CREATE INDEX IF NOT EXISTS snapshots_by_time ON snapshots (t);
CREATE TABLE IF NOT EXISTS marks (
    t REAL NOT NULL, kind TEXT NOT NULL, label_vi TEXT NOT NULL, label_en TEXT NOT NULL,
    screen TEXT
);
CREATE INDEX IF NOT EXISTS marks_by_time ON marks (t);
"""


def _connect(data_dir: Path) -> sqlite3.Connection:
    conn = open_sqlite(data_dir / FILENAME, SCHEMA_VERSION)
    try:
        # History is best effort: a power cut may lose the last second, never the file.
        conn.execute("PRAGMA synchronous=NORMAL")
        if schema_version(conn) < 1:
            conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version=1; COMMIT;")
    except BaseException:
        conn.close()
        raise
    return conn


class EmbeddedHistoryStore:
    """``await EmbeddedHistoryStore.open(data_dir)``; the file is ``history.sqlite3``."""

    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

    @classmethod
    async def open(cls, data_dir: Path) -> EmbeddedHistoryStore:
        return cls(await SqliteWorker.open(partial(_connect, data_dir), "history"))

    async def append(
        self, chunks: Sequence[Chunk], snapshots: Sequence[Snapshot], marks: Sequence[Mark]
    ) -> int:
        def job(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN")
            try:
                conn.executemany(
                    "INSERT INTO chunks (screen, t0, t1, blob) VALUES (?, ?, ?, ?)",
                    [(c.screen, c.t0, c.t1, c.blob) for c in chunks],
                )
                conn.executemany(
                    "INSERT INTO snapshots (screen, t, blob) VALUES (?, ?, ?)",
                    [(s.screen, s.t, s.blob) for s in snapshots],
                )
                conn.executemany(
                    "INSERT INTO marks (t, kind, label_vi, label_en, screen) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(m.t, m.kind, m.label_vi, m.label_en, m.screen) for m in marks],
                )
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            return sum(len(c.blob) for c in chunks) + sum(len(s.blob) for s in snapshots)

        return await self._worker.run(job)

    async def state_parts(
        self, screens: Sequence[str], at: float
    ) -> dict[str, tuple[Snapshot | None, list[Chunk]]]:
        def job(conn: sqlite3.Connection) -> dict[str, tuple[Snapshot | None, list[Chunk]]]:
            found: dict[str, tuple[Snapshot | None, list[Chunk]]] = {}
            for screen in screens:
                row = conn.execute(
                    "SELECT t, blob FROM snapshots WHERE screen = ? AND t <= ? "
                    "ORDER BY t DESC LIMIT 1",
                    (screen, at),
                ).fetchone()
                snapshot = None if row is None else Snapshot(screen, row[0], row[1])
                after = float("-inf") if snapshot is None else snapshot.t
                rows = conn.execute(
                    "SELECT t0, t1, blob FROM chunks WHERE screen = ? AND t0 > ? AND t0 <= ? "
                    "ORDER BY t0",
                    (screen, after, at),
                ).fetchall()
                found[screen] = (snapshot, [Chunk(screen, *r) for r in rows])
            return found

        return await self._worker.run(job)

    async def chunks(self, screens: Sequence[str], start: float, end: float) -> list[Chunk]:
        def job(conn: sqlite3.Connection) -> list[Chunk]:
            found: list[Chunk] = []
            for screen in screens:
                rows = conn.execute(
                    "SELECT t0, t1, blob FROM chunks WHERE screen = ? AND t0 >= ? "
                    "AND t0 <= ? AND t1 > ? ORDER BY t0",
                    (screen, start - MAX_CHUNK_SPAN_MS, end, start),
                ).fetchall()
                found += [Chunk(screen, *r) for r in rows]
            return sorted(found, key=lambda c: (c.t0, c.screen))

        return await self._worker.run(job)

    async def marks(self, start: float, end: float, limit: int) -> list[Mark]:
        def job(conn: sqlite3.Connection) -> list[Mark]:
            rows = conn.execute(
                "SELECT t, kind, label_vi, label_en, screen FROM marks "
                "WHERE t >= ? AND t <= ? ORDER BY t, rowid LIMIT ?",
                (start, end, limit),
            ).fetchall()
            return [Mark(*row) for row in rows]

        return await self._worker.run(job)

    async def oldest(self) -> float | None:
        def job(conn: sqlite3.Connection) -> float | None:
            (found,) = conn.execute("SELECT MIN(t) FROM snapshots").fetchone()
            return None if found is None else float(found)

        return await self._worker.run(job)

    async def delete_before(self, cutoff: float) -> int:
        def job(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN")
            try:
                gone = conn.execute("DELETE FROM chunks WHERE t1 < ?", (cutoff,)).rowcount
                gone += conn.execute("DELETE FROM snapshots WHERE t < ?", (cutoff,)).rowcount
                gone += conn.execute("DELETE FROM marks WHERE t < ?", (cutoff,)).rowcount
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            return int(gone)

        return await self._worker.run(job)

    async def ping(self) -> None:
        await self._worker.run(lambda conn: conn.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        await self._worker.close()
