"""Server-side sessions: a signed-in person holds a random token, the store holds its record.

    issue(principal, address)  -> "ses.<random>"   the store keeps only its SHA-256
    check(token)               -> Principal        on every request and every console action
    end(token) / end_user(u)                       sign-out; password reset, role change, disable
    scoped_token(...)          -> "scp.<payload>.<mac>"  short-lived, for one purpose (a preview)
    check_scoped(token, scope) -> Principal

A session ends at its absolute lifetime (12 h) or after ``idle_s`` without use, whichever
comes first. ``check`` re-reads the record through a cache of at most ``cache_s`` (1 s), so
a session ended by any process (another server sharing Redis, the ``users`` command) stops
working everywhere within about a second. A use moves ``last_seen`` at most every
``touch_every_s``, to spare the store a write per request.

A scoped token is signed rather than stored (it lives minutes, a page holds it in
JavaScript); it names the session it was made from, so it dies with that session too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from command_center.auth import Principal, Role
from command_center.errors import AuthError
from command_center.store.base import SessionRecord

SESSION_PREFIX = "ses."
SCOPED_PREFIX = "scp."
SCOPED_MAX_TTL_S = 300.0
# The one scope the console hands to its page: watch the wall and the video, change nothing.
SCOPE_VIEW = "view"


@dataclass(frozen=True)
class SessionPolicy:
    absolute_s: float = 12 * 3600
    idle_s: float = 30 * 60
    touch_every_s: float = 30.0
    cache_s: float = 1.0
    cache_entries: int = 10_000


class SessionStore(Protocol):
    """The part of ``command_center.store.Store`` that sessions need."""

    async def put_session(self, record: SessionRecord) -> None: ...

    async def get_session(self, session_id: str) -> SessionRecord | None: ...

    async def touch_session(self, session_id: str, last_seen: float) -> bool: ...

    async def delete_session(self, session_id: str) -> None: ...

    async def delete_user_sessions(self, username: str) -> int: ...


class _Scoped(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: Role
    scope: str
    exp: float
    sid: str = ""  # the session it was made from ("" for none)


def session_id(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex (a random 256-bit token needs no
    salt or slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Issues and checks sessions against ``store``; ``secret`` signs scoped tokens (None:
    no scoped tokens, for a command that only ends sessions)."""

    def __init__(
        self,
        store: SessionStore,
        secret: bytes | None,
        policy: SessionPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._secret = secret
        self.policy = policy or SessionPolicy()
        self._clock = clock
        # session id -> (record or None, when read): what ``check`` may reuse for cache_s.
        self._cache: OrderedDict[str, tuple[SessionRecord | None, float]] = OrderedDict()

    async def issue(self, principal: Principal, address: str | None) -> str:
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        await self._store.put_session(
            SessionRecord(
                id=session_id(token),
                username=principal.name,
                role=str(principal.role),
                issued_at=now,
                last_seen=now,
                expires_at=now + self.policy.absolute_s,
                address=(address or "")[:64],
            )
        )
        return token

    def expires_at(self, issued_at: float) -> float:
        return issued_at + self.policy.absolute_s

    async def check(self, token: str, *, use: bool = True) -> Principal:
        """The principal of a live session; ``AuthError`` (401) saying why otherwise.

        ``use=False`` checks without counting as a use (a page watching whether its session
        still lives must not keep it from going idle)."""
        if not token.startswith(SESSION_PREFIX):
            raise AuthError("not a session token (expected 'ses.…'); sign in again")
        record = await self._live(session_id(token), use)
        return Principal(record.username, Role(record.role))

    # Console callbacks ask this before each action: the same check, named for the use.
    principal_now = check

    async def end(self, token: str) -> None:
        """Sign out: the session stops working at once here, within ``cache_s`` elsewhere."""
        if token.startswith(SESSION_PREFIX):
            sid = session_id(token)
            self._cache.pop(sid, None)
            await self._store.delete_session(sid)

    async def end_user(self, username: str) -> int:
        """End every session of ``username`` (all processes); how many there were."""
        for sid, (record, _) in list(self._cache.items()):
            if record is not None and record.username == username:
                del self._cache[sid]
        return await self._store.delete_user_sessions(username)

    def scoped_token(
        self, principal: Principal, scope: str, ttl_s: float, session: str | None = None
    ) -> str:
        """A token good for ``scope`` only, for ``ttl_s`` (at most 5 min); with ``session``
        (the holder's session token) it also stops working when that session ends."""
        if not 0 < ttl_s <= SCOPED_MAX_TTL_S:
            raise ValueError(
                f"scoped token ttl must be in (0, {SCOPED_MAX_TTL_S:g}] s (got {ttl_s})"
            )
        if not scope:
            raise ValueError("scope must be non-empty")
        claims = _Scoped(
            name=principal.name,
            role=principal.role,
            scope=scope,
            exp=self._clock() + ttl_s,
            sid=session_id(session) if session else "",
        )
        payload = _b64(claims.model_dump_json().encode())
        return f"{SCOPED_PREFIX}{payload}.{_b64(self._mac(payload))}"

    async def check_scoped(self, token: str, scope: str) -> Principal:
        if not token.startswith(SCOPED_PREFIX):
            raise AuthError("not a scoped token (expected 'scp.…')")
        payload, dot, signature = token[len(SCOPED_PREFIX) :].partition(".")
        if not dot or not payload or not signature:
            raise AuthError("malformed scoped token: expected 'scp.<payload>.<signature>'")
        # The signature is checked before the payload is parsed: we read only what we signed.
        if not hmac.compare_digest(_b64(self._mac(payload)).encode(), signature.encode()):
            raise AuthError("scoped token has a bad signature (altered, or from another server)")
        try:
            claims = _Scoped.model_validate_json(_unb64(payload))
        except (ValueError, ValidationError):
            raise AuthError("malformed scoped token: unreadable payload") from None
        if claims.scope != scope:
            raise AuthError(f"token is for '{claims.scope}', not '{scope}'")
        now = self._clock()
        if now >= claims.exp:
            raise AuthError(f"scoped token expired {now - claims.exp:.0f} s ago")
        if claims.sid:
            # A page watching the wall is not a person using the session.
            await self._live(claims.sid, use=False)
        return Principal(claims.name, claims.role)

    async def identify(self, token: str, scope: str = SCOPE_VIEW) -> Principal:
        """A session token or a token scoped to ``scope``, whichever ``token`` is."""
        if token.startswith(SCOPED_PREFIX):
            return await self.check_scoped(token, scope)
        return await self.check(token)

    async def _live(self, sid: str, use: bool) -> SessionRecord:
        now = self._clock()
        record = await self._read(sid, now)
        if record is None:
            raise AuthError(
                "session ended or unknown (signed out, or ended by an admin); sign in again"
            )
        if now >= record.expires_at:
            await self._drop(sid)
            at = datetime.fromtimestamp(record.expires_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            raise AuthError(f"session expired at {at}; sign in again")
        idle = now - record.last_seen
        if idle >= self.policy.idle_s:
            await self._drop(sid)
            raise AuthError(
                f"session unused for {idle / 60:.0f} min (limit {self.policy.idle_s / 60:g} min); "
                "sign in again"
            )
        if use and idle >= self.policy.touch_every_s:
            if not await self._store.touch_session(sid, now):
                self._cache[sid] = (None, now)
                raise AuthError("session ended; sign in again")
            self._remember(sid, record.model_copy(update={"last_seen": now}), now)
        return record

    async def _read(self, sid: str, now: float) -> SessionRecord | None:
        cached = self._cache.get(sid)
        if cached is not None and 0 <= now - cached[1] < self.policy.cache_s:
            return cached[0]
        record = await self._store.get_session(sid)
        self._remember(sid, record, now)
        return record

    def _remember(self, sid: str, record: SessionRecord | None, now: float) -> None:
        self._cache[sid] = (record, now)
        self._cache.move_to_end(sid)
        while len(self._cache) > self.policy.cache_entries:
            self._cache.popitem(last=False)

    async def _drop(self, sid: str) -> None:
        self._cache.pop(sid, None)
        await self._store.delete_session(sid)

    def _mac(self, payload: str) -> bytes:
        if self._secret is None:
            raise RuntimeError("these sessions were made without a secret: no scoped tokens")
        # "scoped." holds no ':', so no device-token text ("kind:ident") can sign one.
        return hmac.digest(self._secret, f"scoped.{payload}".encode(), hashlib.sha256)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
