"""Opening a store's SQLite file the one way every embedded store wants it.

WAL (readers never wait for the writer), ``synchronous=FULL`` (a commit is on disk when it
returns: "accepted" must survive a power cut), and a busy timeout (another process on the same
file waits instead of failing). The schema's version lives in ``PRAGMA user_version``; a file
written by a newer program is refused rather than misread. Each store then creates or
migrates its own tables on the connection it gets back.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 5000


def open_sqlite(
    path: Path, known_version: int, *, temp_in_memory: bool = False
) -> sqlite3.Connection:
    """An autocommit connection to ``path`` (its folder made if missing), or RuntimeError
    when the file's schema is newer than ``known_version``. Read the file's version with
    ``schema_version``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: autocommit; each store opens the transactions it needs itself.
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if temp_in_memory:  # temporary tables of a batch's keys: never worth a file
            conn.execute("PRAGMA temp_store=MEMORY")
        found = schema_version(conn)
        if found > known_version:
            raise RuntimeError(
                f"{path} has schema version {found}, this program knows up to {known_version}"
            )
    except BaseException:
        conn.close()
        raise
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    (found,) = conn.execute("PRAGMA user_version").fetchone()
    return int(found)
