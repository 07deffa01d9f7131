"""Device credentials: one key per kind of device, one generation per credential.

    kinds        screen (kiosk), bridge (video bridge point), agency (reporting API)
    token        ``<kid>-<generation>-<sig>``, sig = HMAC-SHA256(key of kind, kind, ident,
                 generation): derived, never stored, so the registries hold no secret
    revoke       one credential: its state says "revoked", every generation is refused
    reissue      one credential: generation + 1, the old token dies, the rest keep working
    rotate       one kind: a new key (new kid), every token of that kind dies

The key ring (keys, generations) is a frozen value; ``DeviceCredentials`` reads the current
one from a ``KeyRingSource`` (the key file, ``command_center.server.keys``) on every check,
so a revocation written by the CLI reaches a running server without a restart.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from command_center.store.base import CredentialUse

log = logging.getLogger(__name__)

# A credential's last use is written at most this often: checks stay off the store.
USE_RECORD_INTERVAL_S = 60.0
_TOKEN = re.compile(r"^([0-9a-f]{8})-([1-9][0-9]{0,8})-([A-Za-z0-9_-]{43})$")


class DeviceKind(StrEnum):
    SCREEN = "screen"
    BRIDGE = "bridge"
    AGENCY = "agency"


class CredentialState(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KindKey(_Frozen):
    """The signing key of one device kind. ``legacy``: the single device key of older
    versions, migrated so existing kiosk URLs keep working until the kind is rotated."""

    kid: str
    secret: str  # urlsafe base64 of 32 random bytes
    legacy: bool = False
    created_at: float = 0.0

    def key(self) -> bytes:
        return secret_bytes(self.secret)


class Credential(_Frozen):
    """What differs from the default (generation 1, active) for one credential."""

    generation: int = 1
    state: CredentialState = CredentialState.ACTIVE


class KeyRing(_Frozen):
    """Everything secret the server signs with; kept in the key file, never in Redis."""

    version: int = 1
    session: str  # console and API sessions
    bus: str  # HMAC of every message on the Redis bus
    kinds: dict[DeviceKind, KindKey]
    # "<kind>:<ident>" -> its state; absent means generation 1, active.
    credentials: dict[str, Credential] = {}

    def credential(self, kind: DeviceKind, ident: str) -> Credential:
        return self.credentials.get(_slot(kind, ident), Credential())


def new_key(legacy: bytes | None = None, now: float = 0.0) -> KindKey:
    return KindKey(
        kid=secrets.token_hex(4),
        secret=_b64(legacy if legacy is not None else secrets.token_bytes(32)),
        legacy=legacy is not None,
        created_at=now,
    )


def new_ring(
    legacy_device: bytes | None = None, legacy_session: bytes | None = None, now: float = 0.0
) -> KeyRing:
    """A fresh ring; the legacy keys (from an older store) keep old tokens and sessions valid."""
    return KeyRing(
        session=_b64(legacy_session or secrets.token_bytes(32)),
        bus=_b64(secrets.token_bytes(32)),
        kinds={kind: new_key(legacy_device, now) for kind in DeviceKind},
    )


def issue_token(ring: KeyRing, kind: DeviceKind | str, ident: str) -> str:
    """The current token of credential (kind, ident); ValueError if it is revoked."""
    kind = _kind(kind)
    state = ring.credential(kind, ident)
    if state.state is CredentialState.REVOKED:
        raise ValueError(f"{kind} credential '{ident}' is revoked; reissue it first")
    key = ring.kinds[kind]
    return f"{key.kid}-{state.generation}-{_sign(key.key(), kind, ident, state.generation)}"


def check_token(ring: KeyRing, kind: DeviceKind | str, ident: str, token: str) -> bool:
    """True only for the current generation's token of an active credential of this kind."""
    try:
        kind = DeviceKind(kind)
    except ValueError:
        return False
    state = ring.credential(kind, ident)
    if state.state is CredentialState.REVOKED or "\n" in ident:
        return False
    key = ring.kinds[kind]
    match = _TOKEN.match(token)
    if match is not None:
        kid, generation, sig = match.groups()
        if kid != key.kid or int(generation) != state.generation:
            return False
        expected = _sign(key.key(), kind, ident, state.generation)
        return hmac.compare_digest(expected.encode(), sig.encode())
    if key.legacy and state.generation == 1:
        # Tokens of older versions: HMAC(device key, "kind:ident"), no kid, no generation.
        expected = _b64(hmac.digest(key.key(), f"{kind}:{ident}".encode(), hashlib.sha256))
        return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))
    return False


def revoked(ring: KeyRing, kind: DeviceKind | str, ident: str) -> KeyRing:
    kind = _kind(kind)
    state = ring.credential(kind, ident)
    return _with(ring, kind, ident, state.model_copy(update={"state": CredentialState.REVOKED}))


def reissued(ring: KeyRing, kind: DeviceKind | str, ident: str) -> KeyRing:
    kind = _kind(kind)
    state = ring.credential(kind, ident)
    return _with(ring, kind, ident, Credential(generation=state.generation + 1))


def rotated(ring: KeyRing, kind: DeviceKind | str, now: float = 0.0) -> KeyRing:
    """A new key for ``kind``; its credentials start again at generation 1 (revocations kept:
    a stolen token's holder must not get a fresh one by a rotation)."""
    kind = _kind(kind)
    prefix = f"{kind}:"
    credentials = {
        slot: c if not slot.startswith(prefix) else Credential(state=c.state)
        for slot, c in ring.credentials.items()
        if not slot.startswith(prefix) or c.state is CredentialState.REVOKED
    }
    return ring.model_copy(
        update={"kinds": {**ring.kinds, kind: new_key(None, now)}, "credentials": credentials}
    )


class KeyRingSource(Protocol):
    """Where the ring lives (the key file): read it, or change it atomically."""

    def current(self) -> KeyRing: ...

    def update(self, change: Callable[[KeyRing], KeyRing]) -> KeyRing: ...


class UseStore(Protocol):
    """The part of the store that remembers each credential's last use."""

    async def record_credential_use(self, use: CredentialUse) -> None: ...

    async def credential_uses(self) -> list[CredentialUse]: ...


class DeviceCredentials:
    """Issue, check, revoke, reissue and rotate device credentials (``keys.devices``).

    ``check`` is what every route calls; a success records the last use and the client's
    address in the store, at most once a minute per credential, in the background.
    """

    def __init__(self, source: KeyRingSource, uses: UseStore | None = None) -> None:
        self.source = source
        self._uses = uses
        self._recorded: dict[tuple[str, str], float] = {}
        self._writing: set[asyncio.Task[None]] = set()

    def issue(self, kind: DeviceKind | str, ident: str) -> str:
        if "\n" in ident or not ident:
            raise ValueError(f"credential id must be non-empty, one line (got {ident!r})")
        return issue_token(self.source.current(), kind, ident)

    async def check(
        self, kind: DeviceKind | str, ident: str, token: str, address: str | None = None
    ) -> bool:
        """Is ``token`` the current credential (kind, ident)? Records the use if so."""
        return self.check_now(kind, ident, token, address)

    def check_now(
        self, kind: DeviceKind | str, ident: str, token: str, address: str | None = None
    ) -> bool:
        """``check`` for synchronous callers (a Bokeh auth hook): it never waits; the last
        use is recorded when the caller runs on an event loop."""
        if not check_token(self.source.current(), kind, ident, token):
            return False
        self._note_use(str(kind), ident, address)
        return True

    def revoke(self, kind: DeviceKind | str, ident: str) -> None:
        self.source.update(lambda ring: revoked(ring, kind, ident))

    def reissue(self, kind: DeviceKind | str, ident: str) -> str:
        ring = self.source.update(lambda ring: reissued(ring, kind, ident))
        return issue_token(ring, kind, ident)

    def rotate(self, kind: DeviceKind | str) -> None:
        self.source.update(lambda ring: rotated(ring, kind, time.time()))

    def _note_use(self, kind: str, ident: str, address: str | None) -> None:
        if self._uses is None:
            return
        now = time.monotonic()
        last = self._recorded.get((kind, ident))
        if last is not None and now - last < USE_RECORD_INTERVAL_S:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop in this thread: nowhere to write from
            return
        self._recorded[(kind, ident)] = now
        use = CredentialUse(kind=kind, ident=ident, at=time.time() * 1000.0, address=address)
        task = loop.create_task(self._record(use))
        self._writing.add(task)  # held until done: the loop keeps weak references
        task.add_done_callback(self._writing.discard)

    async def _record(self, use: CredentialUse) -> None:
        assert self._uses is not None
        try:
            await self._uses.record_credential_use(use)
        except Exception as exc:  # a lost "last use" must never fail the device's request
            log.warning("could not record the use of %s '%s': %s", use.kind, use.ident, exc)

    async def flush(self) -> None:
        """Wait for the last-use writes in flight (tests, shutdown)."""
        if self._writing:
            await asyncio.wait(set(self._writing))


async def credential_rows(
    ring: KeyRing, uses: UseStore, known: dict[DeviceKind, list[str]]
) -> list[dict[str, Any]]:
    """One row per credential: the ``known`` ids of each kind (the registries) plus any
    other id the ring or the store remembers. Used by the API and the admin console."""
    last = {(u.kind, u.ident): u for u in await uses.credential_uses()}
    idents: dict[DeviceKind, set[str]] = {kind: set(ids) for kind, ids in known.items()}
    for slot in ring.credentials:
        kind, _, ident = slot.partition(":")
        idents.setdefault(DeviceKind(kind), set()).add(ident)
    for kind_name, ident in last:
        with_kind = _maybe_kind(kind_name)
        if with_kind is not None:
            idents.setdefault(with_kind, set()).add(ident)
    rows = []
    for kind in DeviceKind:
        for ident in sorted(idents.get(kind, ())):
            state = ring.credential(kind, ident)
            use = last.get((str(kind), ident))
            rows.append(
                {
                    "kind": str(kind),
                    "id": ident,
                    "kid": ring.kinds[kind].kid,
                    "generation": state.generation,
                    "state": str(state.state),
                    "last_used_at": use.at if use else None,
                    "last_address": use.address if use else None,
                }
            )
    return rows


def _sign(key: bytes, kind: DeviceKind, ident: str, generation: int) -> str:
    # Newlines separate the fields and are refused in ids, so no two credentials sign alike.
    text = f"device\n{kind}\n{ident}\n{generation}".encode()
    return _b64(hmac.digest(key, text, hashlib.sha256))


def _with(ring: KeyRing, kind: DeviceKind, ident: str, state: Credential) -> KeyRing:
    credentials = dict(ring.credentials)
    if state == Credential():
        credentials.pop(_slot(kind, ident), None)
    else:
        credentials[_slot(kind, ident)] = state
    return ring.model_copy(update={"credentials": credentials})


def _slot(kind: DeviceKind, ident: str) -> str:
    return f"{kind}:{ident}"


def _kind(kind: DeviceKind | str) -> DeviceKind:
    try:
        return DeviceKind(kind)
    except ValueError:
        allowed = ", ".join(DeviceKind)
        raise ValueError(f"device kind must be one of {allowed} (got {kind!r})") from None


def _maybe_kind(kind: str) -> DeviceKind | None:
    try:
        return DeviceKind(kind)
    except ValueError:
        return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def secret_bytes(text: str) -> bytes:
    """The bytes of a key as the ring writes it (urlsafe base64, unpadded)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
