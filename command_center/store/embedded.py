"""The store of a single server process: one SQLite file, durable on every write.

WAL mode with ``synchronous=FULL``: a committed switch survives a power cut, and readers
never wait for the writer. sqlite3 blocks, so every call runs on one dedicated thread that
owns the connection: calls are serialised by construction, no lock to forget, and the
event loop never waits on the disk.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pydantic_core

from command_center.sqlite_file import open_sqlite, schema_version
from command_center.sqlite_worker import SqliteWorker, rollback
from command_center.store.base import (
    AuditEntry,
    CredentialUse,
    ScreenRecord,
    SessionRecord,
    UserRecord,
    WallState,
    chained,
    check_new_version,
)

FILENAME = "wall.sqlite3"
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    body TEXT NOT NULL
);
INSERT OR IGNORE INTO state (id, version, body) VALUES (1, 0, '{}');
CREATE TABLE IF NOT EXISTS screens (
    id TEXT PRIMARY KEY,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    health TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"""

# Created on first use (not in _SCHEMA): a table of its own, no schema version to bump.
_CREDENTIAL_USES = """
CREATE TABLE IF NOT EXISTS credential_uses (
    kind TEXT NOT NULL,
    ident TEXT NOT NULL,
    at REAL NOT NULL,
    address TEXT,
    PRIMARY KEY (kind, ident)
)
"""

# Version 2 (part "sessions"): disabled accounts, server-side sessions, the audit chain.
_TO_V2 = (
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE audit ADD COLUMN prev TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT ''",
    "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), hash TEXT NOT NULL)",
    "INSERT INTO audit_head (id, hash) VALUES (1, '')",
    "CREATE INDEX audit_by_actor ON audit (actor, seq)",
    "CREATE INDEX audit_by_action ON audit (action, seq)",
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        issued_at REAL NOT NULL,
        last_seen REAL NOT NULL,
        expires_at REAL NOT NULL,
        address TEXT NOT NULL
    )""",
    "CREATE INDEX sessions_by_user ON sessions (username)",
)
_AUDIT_COLUMNS = "at, actor, role, action, target, detail, prev, hash"
_SESSION_COLUMNS = "id, username, role, issued_at, last_seen, expires_at, address"
_USER_COLUMNS = "username, role, password_hash, created_at, disabled"

T = TypeVar("T")


def _connect(data_dir: Path) -> sqlite3.Connection:
    # Autocommit: each statement below is its own atomic transaction.
    conn = open_sqlite(data_dir / FILENAME, SCHEMA_VERSION)
    try:
        found = schema_version(conn)
        if found < 1:
            conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version=1; COMMIT;")
        if found < 2:
            _migrate_to_v2(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate_to_v2(conn: sqlite3.Connection) -> None:
    """Add the version-2 tables and columns, and chain the rows already in the audit (the
    chain protects them from now on), in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        (found,) = conn.execute("PRAGMA user_version").fetchone()
        if found >= 2:  # another process migrated while we waited for the lock
            conn.execute("ROLLBACK")
            return
        for statement in _TO_V2:
            conn.execute(statement)
        prev = ""
        rows = conn.execute(f"SELECT seq, {_AUDIT_COLUMNS} FROM audit ORDER BY seq").fetchall()
        for seq, *row in rows:
            entry = chained(_audit(tuple(row)), prev)
            conn.execute(
                "UPDATE audit SET prev = ?, hash = ? WHERE seq = ?", (entry.prev, entry.hash, seq)
            )
            prev = entry.hash
        conn.execute("UPDATE audit_head SET hash = ? WHERE id = 1", (prev,))
        conn.execute("PRAGMA user_version=2")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def _json(value: object) -> str:
    return pydantic_core.to_json(value).decode()


class EmbeddedStore:
    """``await EmbeddedStore.open(data_dir)``; the file is ``data_dir / "wall.sqlite3"``."""

    def __init__(self, worker: SqliteWorker) -> None:
        self._worker = worker

    @classmethod
    async def open(cls, data_dir: Path) -> EmbeddedStore:
        return cls(await SqliteWorker.open(partial(_connect, data_dir), "store"))

    async def _run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        return await self._worker.run(job)

    async def get_state(self) -> WallState:
        def job(conn: sqlite3.Connection) -> WallState:
            (body,) = conn.execute("SELECT body FROM state WHERE id = 1").fetchone()
            return WallState.model_validate_json(body)

        return await self._run(job)

    async def compare_and_set_state(self, expected_version: int, state: WallState) -> bool:
        check_new_version(expected_version, state)

        def job(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE state SET version = ?, body = ? WHERE id = 1 AND version = ?",
                (state.version, state.model_dump_json(), expected_version),
            )
            return cursor.rowcount == 1

        return await self._run(job)

    async def upsert_screen(self, record: ScreenRecord) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO screens (id, first_seen, last_seen, health) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE "
                "SET last_seen = excluded.last_seen, health = excluded.health",
                (record.id, record.first_seen, record.last_seen, _json(record.health)),
            )

        await self._run(job)

    async def screens(self) -> list[ScreenRecord]:
        def job(conn: sqlite3.Connection) -> list[ScreenRecord]:
            rows = conn.execute(
                "SELECT id, first_seen, last_seen, health FROM screens ORDER BY id"
            ).fetchall()
            return [
                ScreenRecord(
                    id=id_,
                    first_seen=first,
                    last_seen=last,
                    health=pydantic_core.from_json(health),
                )
                for id_, first, last, health in rows
            ]

        return await self._run(job)

    async def append_audit(self, entry: AuditEntry) -> AuditEntry:
        def job(conn: sqlite3.Connection) -> AuditEntry:
            # IMMEDIATE takes the write lock first: no other writer (another process on the
            # same file included) can append between reading the head and moving it.
            conn.execute("BEGIN IMMEDIATE")
            try:
                (head,) = conn.execute("SELECT hash FROM audit_head WHERE id = 1").fetchone()
                stored = chained(entry, head)
                conn.execute(
                    f"INSERT INTO audit ({_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    _audit_row(stored),
                )
                conn.execute("UPDATE audit_head SET hash = ? WHERE id = 1", (stored.hash,))
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            return stored

        return await self._run(job)

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        return await self.audit_entries(limit)

    async def get_user(self, username: str) -> UserRecord | None:
        def job(conn: sqlite3.Connection) -> UserRecord | None:
            row = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", (username,)
            ).fetchone()
            return None if row is None else _user(row)

        return await self._run(job)

    async def put_user(self, user: UserRecord) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT OR REPLACE INTO users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (
                    user.username,
                    user.role,
                    user.password_hash,
                    user.created_at,
                    int(user.disabled),
                ),
            )

        await self._run(job)

    async def users(self) -> list[UserRecord]:
        def job(conn: sqlite3.Connection) -> list[UserRecord]:
            rows = conn.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username").fetchall()
            return [_user(row) for row in rows]

        return await self._run(job)

    async def close(self) -> None:
        await self._worker.close()

    # --- credentials part -----------------------------------------------------------------

    async def record_credential_use(self, use: CredentialUse) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(_CREDENTIAL_USES)
            conn.execute(
                "INSERT OR REPLACE INTO credential_uses (kind, ident, at, address) "
                "VALUES (?, ?, ?, ?)",
                (use.kind, use.ident, use.at, use.address),
            )

        await self._run(job)

    async def credential_uses(self) -> list[CredentialUse]:
        def job(conn: sqlite3.Connection) -> list[CredentialUse]:
            conn.execute(_CREDENTIAL_USES)
            rows = conn.execute(
                "SELECT kind, ident, at, address FROM credential_uses ORDER BY kind, ident"
            ).fetchall()
            return [CredentialUse(kind=k, ident=i, at=at, address=a) for k, i, at, a in rows]

        return await self._run(job)

    async def legacy_secret(self, name: str) -> bytes | None:
        def job(conn: sqlite3.Connection) -> bytes | None:
            row = conn.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
            return None if row is None else bytes(row[0])

        return await self._run(job)

    async def delete_legacy_secret(self, name: str) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM secrets WHERE name = ?", (name,))

        await self._run(job)

    # --- part "sessions": server-side sessions and the audit chain ---------------------

    async def put_session(self, record: SessionRecord) -> None:
        def job(conn: sqlite3.Connection) -> None:
            # Expired sessions are swept here, at sign-in, rather than by a timer.
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (record.issued_at,))
            conn.execute(
                f"INSERT OR REPLACE INTO sessions ({_SESSION_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.username,
                    record.role,
                    record.issued_at,
                    record.last_seen,
                    record.expires_at,
                    record.address,
                ),
            )

        await self._run(job)

    async def get_session(self, session_id: str) -> SessionRecord | None:
        def job(conn: sqlite3.Connection) -> SessionRecord | None:
            row = conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            return (
                None
                if row is None
                else SessionRecord(**dict(zip(_SESSION_FIELDS, row, strict=True)))
            )

        return await self._run(job)

    async def touch_session(self, session_id: str, last_seen: float) -> bool:
        def job(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE sessions SET last_seen = MAX(last_seen, ?) WHERE id = ?",
                (last_seen, session_id),
            )
            return cursor.rowcount == 1

        return await self._run(job)

    async def delete_session(self, session_id: str) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

        await self._run(job)

    async def delete_user_sessions(self, username: str) -> int:
        def job(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount

        return await self._run(job)

    async def audit_entries(
        self, limit: int = 100, actor: str | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        if limit <= 0:
            return []
        where: list[str] = []
        params: list[str] = []
        for column, value in (("actor", actor), ("action", action)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = f"WHERE {' AND '.join(where)} " if where else ""

        def job(conn: sqlite3.Connection) -> list[AuditEntry]:
            rows = conn.execute(
                f"SELECT {_AUDIT_COLUMNS} FROM audit {clause}ORDER BY seq DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            return [_audit(row) for row in rows]

        return await self._run(job)

    async def audit_chain(self) -> tuple[list[AuditEntry], str]:
        def job(conn: sqlite3.Connection) -> tuple[list[AuditEntry], str]:
            # One read transaction: the rows and the head are of the same moment.
            conn.execute("BEGIN")
            try:
                rows = conn.execute(f"SELECT {_AUDIT_COLUMNS} FROM audit ORDER BY seq").fetchall()
                (head,) = conn.execute("SELECT hash FROM audit_head WHERE id = 1").fetchone()
            finally:
                conn.execute("COMMIT")
            return [_audit(row) for row in rows], head

        return await self._run(job)


_SESSION_FIELDS = tuple(_SESSION_COLUMNS.split(", "))


def _user(row: tuple[str, str, str, float, int]) -> UserRecord:
    username, role, password_hash, created_at, disabled = row
    return UserRecord(
        username=username,
        role=role,
        password_hash=password_hash,
        created_at=created_at,
        disabled=bool(disabled),
    )


def _audit(row: tuple[Any, ...]) -> AuditEntry:
    at, actor, role, action, target, detail, prev, hash_ = row
    return AuditEntry(
        at=at,
        actor=actor,
        role=role,
        action=action,
        target=target,
        detail=pydantic_core.from_json(str(detail)),
        prev=prev,
        hash=hash_,
    )


def _audit_row(entry: AuditEntry) -> tuple[object, ...]:
    return (
        entry.at,
        entry.actor,
        entry.role,
        entry.action,
        entry.target,
        _json(entry.detail),
        entry.prev,
        entry.hash,
    )
