"""The one way the embedded stores open SQLite (command_center.sqlite_file)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from command_center.sqlite_file import BUSY_TIMEOUT_MS, open_sqlite, schema_version


def test_a_new_file_is_durable_shared_and_in_a_folder_made_for_it(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.sqlite3"
    conn = open_sqlite(path, known_version=1)
    try:
        assert path.is_file()
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone() == (BUSY_TIMEOUT_MS,)
        assert conn.execute("PRAGMA temp_store").fetchone() == (0,)  # the default
        assert conn.isolation_level is None  # autocommit: each store opens its transactions
        assert schema_version(conn) == 0
    finally:
        conn.close()
    conn = open_sqlite(path, known_version=1, temp_in_memory=True)
    try:
        assert conn.execute("PRAGMA temp_store").fetchone() == (2,)  # MEMORY
    finally:
        conn.close()


def test_a_file_from_a_newer_program_is_refused_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=7")
    conn.close()
    with pytest.raises(RuntimeError, match="schema version 7, this program knows up to 3"):
        open_sqlite(path, known_version=3)
    opened = open_sqlite(path, known_version=7)
    try:
        assert schema_version(opened) == 7
    finally:
        opened.close()
