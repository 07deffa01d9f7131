"""One SQLite connection owned by one thread: the embedded stores' way off the event loop.

sqlite3 connections must stay on the thread that made them, and one writer at a time is
what SQLite wants anyway, so every job for a file queues on a single worker thread.

A full disk is the centre's fault and passes: SQLite rolls the transaction back itself, and
the job's error becomes ``StoreFull`` (503 with Retry-After), never a 500.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from command_center.errors import StoreFull

T = TypeVar("T")


class SqliteWorker:
    """``await SqliteWorker.open(connect, "name")``, then ``await worker.run(job)``."""

    def __init__(self, name: str, conn: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        self._name = name
        self._conn = conn
        self._thread = thread
        self._closed = False

    @classmethod
    async def open(cls, connect: Callable[[], sqlite3.Connection], name: str) -> SqliteWorker:
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-sqlite")
        try:
            conn = await asyncio.get_running_loop().run_in_executor(thread, connect)
        except sqlite3.OperationalError as exc:
            thread.shutdown(wait=False)
            if _full(exc):
                raise StoreFull(name) from exc
            raise
        except BaseException:
            thread.shutdown(wait=False)
            raise
        return cls(name, conn, thread)

    async def run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise RuntimeError(f"{self._name} is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._thread, job, self._conn)
        except sqlite3.OperationalError as exc:
            if _full(exc):
                raise StoreFull(self._name) from exc
            raise

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True  # first, so no job can queue behind the close
        await asyncio.get_running_loop().run_in_executor(self._thread, self._conn.close)
        await asyncio.to_thread(self._thread.shutdown, wait=True)


def rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already: on a full disk it rolls back
    by itself, and a second ROLLBACK would raise and hide the real error."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _full(exc: sqlite3.OperationalError) -> bool:
    return exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_FULL
