"""One SQLite connection owned by one thread: the embedded stores' way off the event loop.

sqlite3 connections must stay on the thread that made them, and one writer at a time is
what SQLite wants anyway, so every job for a file queues on a single worker thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

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
        except BaseException:
            thread.shutdown(wait=False)
            raise
        return cls(name, conn, thread)

    async def run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise RuntimeError(f"{self._name} is closed")
        return await asyncio.get_running_loop().run_in_executor(self._thread, job, self._conn)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True  # first, so no job can queue behind the close
        await asyncio.get_running_loop().run_in_executor(self._thread, self._conn.close)
        await asyncio.to_thread(self._thread.shutdown, wait=True)
