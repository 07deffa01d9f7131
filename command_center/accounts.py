"""People's accounts: add, disable, enable, change role, reset password.

Each change is one audit row, and each change that takes authority away (a new password, a
new role, disabling) ends every session of the user at once, on every server process: what
the person could do a second ago must not outlive the decision. ``run_wall.py users`` calls
these; so may an admin page later.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Protocol

from command_center.audit import audit
from command_center.auth import Principal, Role, hash_password
from command_center.errors import ConflictError, NotFoundError, RequestError
from command_center.store import Store, UserRecord

# People sign in; devices (screens, bridge points, agencies) have credentials of their own.
PERSON_ROLES = (Role.ADMIN, Role.DUTY_OFFICER, Role.VIEWER)
MAX_USERNAME = 64


class SessionEnder(Protocol):
    async def end_user(self, username: str) -> int: ...


class LockClearer(Protocol):
    async def clear_user(self, username: str) -> None: ...


Actor = Principal | str


def check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > MAX_USERNAME or not name.isprintable() or " " in name:
        raise RequestError(
            f"username must be 1 to {MAX_USERNAME} printable characters without spaces "
            f"(got {username!r})"
        )
    return name


def check_role(role: str) -> Role:
    allowed = ", ".join(PERSON_ROLES)
    try:
        parsed = Role(role)
    except ValueError:
        raise RequestError(f"unknown role {role!r} (allowed: {allowed})") from None
    if parsed not in PERSON_ROLES:
        raise RequestError(f"role {role!r} is for devices, not people (allowed: {allowed})")
    return parsed


async def _existing(store: Store, username: str) -> UserRecord:
    user = await store.get_user(username)
    if user is None:
        known = ", ".join(u.username for u in await store.users()) or "none"
        raise NotFoundError(f"no user {username!r} (users: {known})")
    return user


async def add_user(store: Store, actor: Actor, username: str, role: str) -> str:
    """Create the account; returns its random password (shown once, stored as a hash)."""
    name, parsed = check_username(username), check_role(role)
    if await store.get_user(name) is not None:
        raise ConflictError(f"user {name!r} exists; use set-role or reset-password")
    password = secrets.token_urlsafe(12)
    password_hash = await asyncio.to_thread(hash_password, password)
    await store.put_user(
        UserRecord(
            username=name, role=str(parsed), password_hash=password_hash, created_at=time.time()
        )
    )
    await audit(store, actor, "user_added", name, {"role": str(parsed)}, role=_role(actor))
    return password


async def set_disabled(
    store: Store, sessions: SessionEnder, actor: Actor, username: str, disabled: bool
) -> UserRecord:
    user = await _existing(store, username)
    changed = user.model_copy(update={"disabled": disabled})
    await store.put_user(changed)
    ended = await sessions.end_user(username) if disabled else 0
    action = "user_disabled" if disabled else "user_enabled"
    await audit(store, actor, action, username, {"sessions_ended": ended}, role=_role(actor))
    return changed


async def set_role(
    store: Store, sessions: SessionEnder, actor: Actor, username: str, role: str
) -> UserRecord:
    user, parsed = await _existing(store, username), check_role(role)
    changed = user.model_copy(update={"role": str(parsed)})
    await store.put_user(changed)
    ended = await sessions.end_user(username)
    detail = {"from": user.role, "to": str(parsed), "sessions_ended": ended}
    await audit(store, actor, "user_role_set", username, detail, role=_role(actor))
    return changed


async def reset_password(
    store: Store, sessions: SessionEnder, locks: LockClearer, actor: Actor, username: str
) -> str:
    """A new random password (returned, shown once); ends the user's sessions and clears
    the sign-in locks on the name, so the owner can sign in with it at once."""
    user = await _existing(store, username)
    password = secrets.token_urlsafe(12)
    password_hash = await asyncio.to_thread(hash_password, password)
    await store.put_user(user.model_copy(update={"password_hash": password_hash}))
    ended = await sessions.end_user(username)
    await locks.clear_user(username)
    await audit(
        store, actor, "password_reset", username, {"sessions_ended": ended}, role=_role(actor)
    )
    return password


def _role(actor: Actor) -> str:
    return str(actor.role) if isinstance(actor, Principal) else "cli"
