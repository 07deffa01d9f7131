"""What the wall must remember across a restart, and the one interface both stores implement.

    Store (Protocol)
    ├── EmbeddedStore   one SQLite file in the data directory (a single server process)
    └── RedisStore      Redis keys under a prefix (several server processes share it)

Records are frozen models: a store hands out values, never live objects to mutate.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WallState(Record):
    """Which preset the wall shows. ``version`` grows by one on every switch: the token of
    optimistic locking (see ``Store.compare_and_set_state``)."""

    preset: str | None = None
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

    async def append_audit(self, entry: AuditEntry) -> None: ...

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


def check_new_version(expected_version: int, state: WallState) -> None:
    """Refuse a CAS write that would not advance the version (shared by both stores)."""
    if state.version <= expected_version:
        raise ValueError(
            f"new state version must be greater than expected_version {expected_version} "
            f"(got {state.version})"
        )
