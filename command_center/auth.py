"""Who may do what: roles, passwords, device tokens, signed sessions.

    people   username + password (argon2id) -> a signed session token (cookie or Bearer)
    devices  a wall screen's kiosk token = HMAC(server secret, "screen:<id>"): the server
             re-derives it on every connection, so no device token is ever stored
    access   authorize(principal, permission) against the fixed ROLE_PERMISSIONS table

Every token is signed with a secret the caller fetches from the store
(``store.secret(...)``); this module keeps no state of its own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, ValidationError

from command_center.errors import AuthError, ForbiddenError
from command_center.store.base import UserRecord


class Role(StrEnum):
    ADMIN = "admin"
    DUTY_OFFICER = "duty_officer"
    VIEWER = "viewer"
    SCREEN = "screen"
    REPORTING_AGENCY = "reporting_agency"
    BRIDGE_POINT = "bridge_point"


class Permission(StrEnum):
    VIEW_WALL = "view_wall"
    SWITCH_LAYOUT = "switch_layout"
    MANAGE_USERS = "manage_users"
    SHOW_SCREEN = "show_screen"
    REPORT_DATA = "report_data"
    JOIN_BRIDGE = "join_bridge"


ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(
            {Permission.VIEW_WALL, Permission.SWITCH_LAYOUT, Permission.MANAGE_USERS}
        ),
        Role.DUTY_OFFICER: frozenset({Permission.VIEW_WALL, Permission.SWITCH_LAYOUT}),
        Role.VIEWER: frozenset({Permission.VIEW_WALL}),
        Role.SCREEN: frozenset({Permission.SHOW_SCREEN}),
        Role.REPORTING_AGENCY: frozenset({Permission.REPORT_DATA}),
        Role.BRIDGE_POINT: frozenset({Permission.JOIN_BRIDGE}),
    }
)

ROLE_LABELS: Mapping[Role, tuple[str, str]] = MappingProxyType(
    {  # (vi, en)
        Role.ADMIN: ("Quản trị", "Administrator"),
        Role.DUTY_OFFICER: ("Trực ban", "Duty officer"),
        Role.VIEWER: ("Người xem", "Viewer"),
        Role.SCREEN: ("Màn hình", "Screen"),
        Role.REPORTING_AGENCY: ("Cơ quan báo cáo", "Reporting agency"),
        Role.BRIDGE_POINT: ("Điểm cầu", "Bridge point"),
    }
)

SESSION_TTL_S = 12 * 3600
BOOTSTRAP_USERS: tuple[tuple[str, Role], ...] = (
    ("admin", Role.ADMIN),
    ("truc-ban", Role.DUTY_OFFICER),
    ("xem", Role.VIEWER),
)

_HASHER = PasswordHasher()  # argon2id with the library's current defaults; holds no state
# Verified against when the username is unknown, so both failures cost the same time and a
# stranger cannot probe which accounts exist. Its password was random and is forgotten.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$coJFUq/JtlMvys5aGEZmEw"
    "$QqSb5q5XKuxy0U1GjL8bZFaCFqwSCWGkRFmOwuwbM9I"
)


@dataclass(frozen=True)
class Principal:
    """Someone (a person or a device) whose identity has been checked."""

    name: str
    role: Role


class UserStore(Protocol):
    """The part of ``command_center.store.Store`` that accounts need."""

    async def get_user(self, username: str) -> UserRecord | None: ...

    async def put_user(self, user: UserRecord) -> None: ...

    async def users(self) -> list[UserRecord]: ...


# --- passwords -------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True only for the right password; a mismatch or a malformed hash is just False."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def authenticate_user(store: UserStore, username: str, password: str) -> Principal:
    """Check a sign-in; one message for an unknown user and a wrong password alike."""
    user = await store.get_user(username)
    stored_hash = user.password_hash if user is not None else _DUMMY_HASH
    # argon2 takes tens of milliseconds on purpose: keep it off the event loop.
    ok = await asyncio.to_thread(verify_password, stored_hash, password)
    if user is None or not ok:
        raise AuthError("wrong username or password")
    if user.disabled:
        # Said only to someone who knows the password: the owner, who should ask an admin.
        raise AuthError(f"account {username!r} is disabled; ask an administrator")
    try:
        role = Role(user.role)
    except ValueError:
        raise AuthError(
            f"account {username!r} has an unknown role {user.role!r} (allowed: {', '.join(Role)})"
        ) from None
    if _HASHER.check_needs_rehash(user.password_hash):  # parameters were raised since
        new_hash = await asyncio.to_thread(hash_password, password)
        await store.put_user(user.model_copy(update={"password_hash": new_hash}))
    return Principal(user.username, role)


async def bootstrap_users(store: UserStore, now: float) -> list[tuple[str, str, Role]]:
    """On an empty store, create the starter accounts with random passwords.

    Returns ``(username, password, role)`` for the caller to show once; the passwords are
    stored only as hashes. Returns ``[]`` when any account exists. Run it from one process
    at startup: two processes bootstrapping the same empty store at once would each
    overwrite the other's passwords.
    """
    if await store.users():
        return []
    created = []
    for username, role in BOOTSTRAP_USERS:
        password = secrets.token_urlsafe(12)
        password_hash = await asyncio.to_thread(hash_password, password)
        await store.put_user(
            UserRecord(
                username=username, role=role.value, password_hash=password_hash, created_at=now
            )
        )
        created.append((username, password, role))
    return created


# --- device tokens ---------------------------------------------------------------------


def device_token(secret: bytes, kind: str, ident: str) -> str:
    """The token of device ``ident`` of ``kind`` (e.g. a screen), derived, never stored."""
    if not kind or ":" in kind:
        # "a:b" + "c" and "a" + "b:c" would sign the same text.
        raise ValueError(f"device kind must be non-empty and without ':' (got {kind!r})")
    return _b64(hmac.digest(secret, f"{kind}:{ident}".encode(), hashlib.sha256))


def check_device_token(secret: bytes, kind: str, ident: str, token: str) -> bool:
    expected = device_token(secret, kind, ident).encode()
    return hmac.compare_digest(expected, token.encode())


# --- sessions --------------------------------------------------------------------------


class _Claims(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: Role
    exp: float


def issue_session(
    secret: bytes, principal: Principal, now: float, ttl_s: float = SESSION_TTL_S
) -> str:
    """``<base64 JSON {name, role, exp}>.<base64 HMAC>``: fits a cookie and a Bearer header."""
    if ttl_s <= 0:
        raise ValueError(f"session ttl must be positive (got {ttl_s})")
    claims = _Claims(name=principal.name, role=principal.role, exp=now + ttl_s)
    payload = _b64(claims.model_dump_json().encode())
    return f"{payload}.{_b64(_session_mac(secret, payload))}"


def read_session(secret: bytes, token: str, now: float) -> Principal:
    """The principal of a valid, unexpired session token; AuthError saying why otherwise."""
    payload, dot, signature = token.partition(".")
    if not dot or not payload or not signature:
        raise AuthError("malformed session token: expected '<payload>.<signature>'")
    # The signature is checked before the payload is parsed: we read only what we signed.
    expected = _b64(_session_mac(secret, payload)).encode()
    if not hmac.compare_digest(expected, signature.encode()):
        raise AuthError(
            "session token has a bad signature (altered, or signed with another secret)"
        )
    try:
        claims = _Claims.model_validate_json(_unb64(payload))
    except (ValueError, ValidationError):
        raise AuthError("malformed session token: unreadable payload") from None
    if now >= claims.exp:
        expired_at = datetime.fromtimestamp(claims.exp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        raise AuthError(
            f"session expired at {expired_at} ({now - claims.exp:.0f} s ago); sign in again"
        )
    return Principal(claims.name, claims.role)


def _session_mac(secret: bytes, payload: str) -> bytes:
    # "session." holds no ':', so no device-token text ("kind:ident") can sign a session.
    return hmac.digest(secret, f"session.{payload}".encode(), hashlib.sha256)


# --- access ----------------------------------------------------------------------------


def authorize(principal: Principal | None, permission: Permission) -> Principal:
    """The principal if its role grants ``permission``; 401 if nobody, 403 if not allowed."""
    if principal is None:
        raise AuthError(f"authentication required: sign in to {permission}")
    if permission not in ROLE_PERMISSIONS[principal.role]:
        allowed = sorted(
            role for role, granted in ROLE_PERMISSIONS.items() if permission in granted
        )
        raise ForbiddenError(
            f"role '{principal.role}' lacks permission '{permission}' "
            f"(roles that have it: {', '.join(allowed)})"
        )
    return principal


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
