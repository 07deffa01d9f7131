"""Observations in one SQLite file beside the wall's store: ``observations.sqlite3``.

WAL with ``synchronous=FULL`` and one transaction per batch, so "accepted" means on disk.
sqlite3 blocks, so one dedicated thread owns the connection (the wall store's pattern):
batches are serialised by construction and the event loop never waits on the disk. A
separate file keeps this schema's versions apart from the wall store's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from command_center.sqlite_file import open_sqlite
from command_center.sqlite_worker import SqliteWorker, rollback
from feeds.observation_store.base import (
    AppendResult,
    ObservationKey,
    Reported,
    area_from_key,
    classify,
    raise_conflicts,
)
from feeds.observations import Observation, checked_observation

FILENAME = "observations.sqlite3"
SCHEMA_VERSION = 1
_COLUMNS = "indicator, area, period, revision, value, note, agency, received_at"
# The columns of one stored observation: every revision of it is a row of ``observations``,
# the revision shown a row of ``latest``.
_ROW = """
    indicator TEXT NOT NULL,
    area TEXT NOT NULL,
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    value REAL NOT NULL,
    note TEXT,
    agency TEXT NOT NULL,
    received_at REAL NOT NULL,"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS observations ({_ROW}
    PRIMARY KEY (indicator, area, period, revision)
) WITHOUT ROWID;
-- The revision shown for each key, and who reported it first (for reporting status).
CREATE TABLE IF NOT EXISTS latest ({_ROW}
    first_agency TEXT NOT NULL,
    first_received_at REAL NOT NULL,
    PRIMARY KEY (indicator, area, period)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS latest_by_period ON latest (period);
"""

T = TypeVar("T")


def _connect(data_dir: Path) -> sqlite3.Connection:
    # Autocommit: append() opens its own transaction; reads need none.
    conn = open_sqlite(data_dir / FILENAME, SCHEMA_VERSION, temp_in_memory=True)
    try:
        conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        # The batch's keys go here so one join finds what is stored, however big the batch.
        conn.execute(
            "CREATE TEMP TABLE incoming (indicator TEXT, area TEXT, period TEXT, revision INT)"
        )
    except BaseException:
        conn.close()
        raise
    return conn


def _observation(row: tuple[Any, ...]) -> Observation:
    # Rows this store wrote from validated observations; the columns' types are declared.
    indicator, area, period, revision, value, note, agency, received_at = row
    return checked_observation(
        indicator, area_from_key(area), period, float(value), revision, note, agency, received_at
    )


def _row(o: Observation) -> tuple[Any, ...]:
    return (o.indicator, o.area.key, o.period, o.revision, o.value, o.note, o.agency, o.received_at)


class EmbeddedObservationStore:
    """``await EmbeddedObservationStore.open(data_dir)``."""

    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

    @classmethod
    async def open(cls, data_dir: Path) -> EmbeddedObservationStore:
        return cls(await SqliteWorker.open(partial(_connect, data_dir), "observation store"))

    async def _run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        return await self._worker.run(job)

    async def append(self, batch: list[Observation]) -> AppendResult:
        if not batch:
            return AppendResult([], 0)
        return await self._run(lambda conn: _append(conn, batch))

    async def latest(
        self, indicator: str | None = None, area: str | None = None
    ) -> list[Observation]:
        # SQLite returns the other columns from the row holding MAX(period).
        sql = (
            "SELECT indicator, area, MAX(period), revision, value, note, agency, received_at "
            "FROM latest WHERE (?1 IS NULL OR indicator = ?1) AND (?2 IS NULL OR area = ?2) "
            "GROUP BY indicator, area ORDER BY indicator, area"
        )
        return await self._select(sql, (indicator, area))

    async def series(
        self,
        indicator: str,
        area: str,
        from_period: str | None = None,
        to_period: str | None = None,
    ) -> list[Observation]:
        sql = (
            f"SELECT {_COLUMNS} FROM latest WHERE indicator = ? AND area = ? "
            "AND (?3 IS NULL OR period >= ?3) AND (?4 IS NULL OR period <= ?4) ORDER BY period"
        )
        return await self._select(sql, (indicator, area, from_period, to_period))

    async def history(self, key: ObservationKey) -> list[Observation]:
        sql = (
            f"SELECT {_COLUMNS} FROM observations "
            "WHERE indicator = ? AND area = ? AND period = ? ORDER BY revision"
        )
        return await self._select(sql, key)

    async def reported(self, *periods: str) -> list[Reported]:
        if not periods:
            return []
        marks = ", ".join("?" * len(periods))
        sql = (
            "SELECT indicator, area, period, first_agency, first_received_at, revision "
            f"FROM latest WHERE period IN ({marks}) ORDER BY indicator, area, period"
        )

        def job(conn: sqlite3.Connection) -> list[Reported]:
            return [Reported(*row) for row in conn.execute(sql, periods)]

        return await self._run(job)

    async def _select(self, sql: str, args: Iterable[Any]) -> list[Observation]:
        params = tuple(args)

        def job(conn: sqlite3.Connection) -> list[Observation]:
            return [_observation(row) for row in conn.execute(sql, params)]

        return await self._run(job)

    async def close(self) -> None:
        await self._worker.close()


def _append(conn: sqlite3.Connection, batch: list[Observation]) -> AppendResult:
    rows = [_row(o) for o in batch]  # once: the keys for the lookup and the rows to insert
    # IMMEDIATE takes the write lock first, so what we read cannot change before we write.
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("INSERT INTO incoming VALUES (?, ?, ?, ?)", [r[:4] for r in rows])
        latest: dict[ObservationKey, int] = {
            (i, a, p): r
            for i, a, p, r in conn.execute(
                "SELECT l.indicator, l.area, l.period, l.revision FROM latest l "
                "JOIN incoming USING (indicator, area, period)"
            )
        }
        stored: dict[tuple[ObservationKey, int], float] = {}
        if latest:  # every stored revision's key is in latest: new keys have no history
            stored = {
                ((i, a, p), r): v
                for i, a, p, r, v in conn.execute(
                    "SELECT o.indicator, o.area, o.period, o.revision, o.value "
                    "FROM observations o JOIN incoming USING (indicator, area, period, revision)"
                )
            }
        conn.execute("DELETE FROM incoming")
        accepted, duplicates, conflicts = classify(batch, latest, stored)
        raise_conflicts(conflicts)
        if len(accepted) != len(batch):
            rows = [_row(o) for o in accepted]
        conn.executemany(f"INSERT INTO observations ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", rows)
        conn.executemany(
            f"INSERT INTO latest ({_COLUMNS}, first_agency, first_received_at) "
            "VALUES (?,?,?,?,?,?,?,?,?7,?8) ON CONFLICT (indicator, area, period) DO UPDATE SET "
            "revision = excluded.revision, value = excluded.value, note = excluded.note, "
            "agency = excluded.agency, received_at = excluded.received_at",
            rows,
        )
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return AppendResult(accepted, duplicates)
