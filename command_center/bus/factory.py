"""Choosing the bus from settings (aiortc's ``create_signaling`` pattern)."""

from __future__ import annotations

from command_center.bus.contract import Bus
from command_center.bus.memory import MemoryBus
from command_center.bus.redis_bus import RedisBus


def create_bus(redis_url: str | None, key: bytes | None = None) -> Bus:
    """Redis when a URL is configured (several server processes), else in memory.

    The URL may carry a password or an ACL user (``redis://user:password@host:6379/0``) and
    ``rediss://`` for TLS; redis-py reads both. ``key`` signs the messages (the key file's
    bus key, the same in every process); a Redis bus needs it.
    """
    if not redis_url:
        return MemoryBus()
    if key is None:
        raise ValueError("a Redis bus needs the bus key (keys.bus, from the key file)")
    return RedisBus(redis_url, key=key)
