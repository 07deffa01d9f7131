"""What the wall must remember across a restart, and the one interface both stores implement.

    Store (Protocol)
    ├── EmbeddedStore   one SQLite file in the data directory (a single server process)
    └── RedisStore      Redis keys under a prefix (several server processes share it)

Records are frozen models: a store hands out values, never live objects to mutate.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WallState(Record):
    """Which preset the wall shows. ``version`` grows by one on every switch: the token of
    optimistic locking (see ``Store.compare_and_set_state``). ``zones`` maps a zone of the
    wall file to the preset shown on its screens instead of ``preset`` (a zone switch); a
    whole-wall switch empties it. Stored as JSON: a state written before zones reads back
    with none."""

    preset: str | None = None
    zones: dict[str, str] = {}
    version: int = 0
    switched_at: float | None = None
    switched_by: str | None = None


class ScreenRecord(Record):
    """A physical screen that has connected at least once, with its last reported health."""

    id: str
    first_seen: float
    last_seen: float
    health: dict[str, Any] = {}


class AuditEntry(Record):
    """Who did what to what, when: kept so an incident review can replay the wall's day."""

    at: float
    actor: str
    role: str
    action: str
    target: str
    detail: dict[str, Any] = {}
    # The chain (part "sessions"): set by the store on append, "" on a row not yet stored.
    # ``hash`` covers this row and ``prev``, the hash of the row before ("" for the first).
    prev: str = ""
    hash: str = ""


class CredentialUse(Record):
    """When and from where a device credential was last accepted (``at`` in epoch ms)."""

    kind: str
    ident: str
    at: float
    address: str | None = None


class UserRecord(Record):
    """A person's account; ``password_hash`` is argon2id (``command_center.auth``)."""

    username: str
    role: str
    password_hash: str
    created_at: float
    # Part "sessions": a disabled account cannot sign in (its sessions were ended).
    disabled: bool = False


class SessionRecord(Record):
    """A signed-in person's server-side session (part "sessions"). ``id`` is the SHA-256 of
    the token (hex): the store never holds a token someone could present. Times are
    seconds since the epoch."""

    id: str
    username: str
    role: str
    issued_at: float
    last_seen: float
    expires_at: float
    address: str = ""


class Store(Protocol):
    async def get_state(self) -> WallState:
        """The current wall state; ``WallState()`` (version 0) on a fresh store."""
        ...

    async def compare_and_set_state(self, expected_version: int, state: WallState) -> bool:
        """Atomically replace the state only if the stored version is ``expected_version``.

        False means someone else switched first: re-read and decide again.
        ``state.version`` must be greater than ``expected_version`` (else ValueError), or the
        next writer holding the old version would also win.
        """
        ...

    async def upsert_screen(self, record: ScreenRecord) -> None:
        """Insert or update a screen; an existing screen keeps its ``first_seen``."""
        ...

    async def screens(self) -> list[ScreenRecord]:
        """Every known screen, sorted by id."""
        ...

    async def append_audit(self, entry: AuditEntry) -> AuditEntry:
        """Append ``entry`` to the chain, atomically with reading the hash before it;
        returns the row as stored (``prev`` and ``hash`` set)."""
        ...

    async def audit(self, limit: int = 100) -> list[AuditEntry]:
        """The ``limit`` newest entries, newest first."""
        ...

    async def get_user(self, username: str) -> UserRecord | None: ...

    async def put_user(self, user: UserRecord) -> None:
        """Create or replace the account ``user.username``."""
        ...

    async def users(self) -> list[UserRecord]:
        """Every account, sorted by username."""
        ...

    async def close(self) -> None: ...

    # --- credentials part: device credentials' last use; keys of older versions -----------

    async def record_credential_use(self, use: CredentialUse) -> None:
        """Remember ``use`` as the last use of credential (kind, ident)."""
        ...

    async def credential_uses(self) -> list[CredentialUse]:
        """The last use of every credential used at least once, sorted by (kind, ident)."""
        ...

    async def legacy_secret(self, name: str) -> bytes | None:
        """A signing key older versions kept in the store (None if absent): read once to
        move it into the key file, then deleted; keys never live in the store."""
        ...

    async def delete_legacy_secret(self, name: str) -> None: ...

    # --- part "sessions": server-side sessions and the audit chain ---------------------

    async def put_session(self, record: SessionRecord) -> None:
        """Store a new session (it disappears by itself at ``expires_at``)."""
        ...

    async def get_session(self, session_id: str) -> SessionRecord | None:
        """The session, or None if it ended or expired."""
        ...

    async def touch_session(self, session_id: str, last_seen: float) -> bool:
        """Move ``last_seen`` forward; False (and nothing written) if the session is gone."""
        ...

    async def delete_session(self, session_id: str) -> None: ...

    async def delete_user_sessions(self, username: str) -> int:
        """End every session of ``username`` at once; how many there were."""
        ...

    async def audit_entries(
        self, limit: int = 100, actor: str | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        """The ``limit`` newest entries with this actor and/or action, newest first."""
        ...

    async def audit_chain(self) -> tuple[list[AuditEntry], str]:
        """Every entry, oldest first, and the hash the store last appended (the head): what
        ``command_center.audit.verify_chain`` checks."""
        ...


def check_new_version(expected_version: int, state: WallState) -> None:
    """Refuse a CAS write that would not advance the version (shared by both stores)."""
    if state.version <= expected_version:
        raise ValueError(
            f"new state version must be greater than expected_version {expected_version} "
            f"(got {state.version})"
        )


def audit_hash(entry: AuditEntry, prev: str) -> str:
    """SHA-256 (hex) over ``prev`` and the canonical JSON of the entry without its chain
    fields: sorted keys, no spaces, UTF-8."""
    body = entry.model_dump(mode="json", exclude={"prev", "hash"})
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def chained(entry: AuditEntry, prev: str) -> AuditEntry:
    """``entry`` linked after ``prev``. It goes through JSON first, so the hash covers
    exactly what a store gives back (a NaN, say, is stored as null)."""
    plain = AuditEntry.model_validate_json(entry.model_dump_json(exclude={"prev", "hash"}))
    return plain.model_copy(update={"prev": prev, "hash": audit_hash(plain, prev)})
