"""The server's signing keys, created once and kept in the store so restarts keep sessions
and kiosk URLs valid (and every server process sharing a Redis store agrees on them)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from command_center.store import Store


@dataclass(frozen=True)
class Keys:
    # Derives each screen's kiosk token: rotate it to revoke every screen at once.
    device: bytes
    # Signs console and API sessions.
    session: bytes


async def load_keys(store: Store) -> Keys:
    return Keys(
        device=await store.secret("device", lambda: secrets.token_bytes(32)),
        session=await store.secret("session", lambda: secrets.token_bytes(32)),
    )
