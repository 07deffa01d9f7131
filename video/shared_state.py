"""What every wall process of one wall must agree on about video, kept in the store.

    program        what the points see: the room or one point (the console chose it)
    pins           wall tile -> the source it shows instead of its preset's own
    muted          points whose sound reaches nobody
    holders        point -> the URL of the process its publisher is connected to, with a
                   TTL the holder renews while the point publishes (``HOLDER_TTL_S``)

    VideoState (Protocol)
    ├── MemoryVideoState   one process (the embedded quick start): nothing to share
    └── RedisVideoState    several processes on one Redis: plain keys under a prefix

Why a key with a TTL for the holder, and not a bus message: a process killed with
``kill -9`` says nothing, and its key then expires by itself within ``HOLDER_TTL_S``; a
process that starts, or resynchronises after a Redis outage, reads who holds what instead
of waiting for the next announcement (pub/sub is at most once). The bus only hints that
program, pins or mutes changed (``VideoControlChanged``); the store is the truth.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

import redis.asyncio as aioredis

from command_center.redis_client import redis_client

HOLDER_TTL_S = 3.0  # a killed holder is forgotten this long after its last renewal
DEFAULT_PREFIX = "cc:video:"


@dataclass(frozen=True)
class ControlState:
    """Program, pins and mutes as one value (what a process applies after a resync)."""

    program: str
    pins: dict[str, str] = field(default_factory=dict)
    muted: frozenset[str] = frozenset()


class VideoState(Protocol):
    async def control(self, default_program: str) -> ControlState: ...

    async def set_program(self, source: str) -> None: ...

    async def set_pin(self, tile: str, source: str | None) -> None:
        """``source`` None removes the pin."""
        ...

    async def set_muted(self, point: str, muted: bool) -> None: ...

    async def hold(self, point: str, node: str) -> None:
        """``node`` holds ``point``'s publisher (again) for the next ``HOLDER_TTL_S``."""
        ...

    async def release(self, point: str, node: str) -> None:
        """``node`` no longer holds ``point`` (only if it still is the holder)."""
        ...

    async def holder(self, point: str) -> str | None: ...

    async def close(self) -> None: ...


class MemoryVideoState:
    """One process: the state lives with the room (no other process to tell)."""

    def __init__(self) -> None:
        self._program: str | None = None
        self._pins: dict[str, str] = {}
        self._muted: set[str] = set()
        self._holders: dict[str, str] = {}

    async def control(self, default_program: str) -> ControlState:
        return ControlState(
            self._program or default_program, dict(self._pins), frozenset(self._muted)
        )

    async def set_program(self, source: str) -> None:
        self._program = source

    async def set_pin(self, tile: str, source: str | None) -> None:
        if source is None:
            self._pins.pop(tile, None)
        else:
            self._pins[tile] = source

    async def set_muted(self, point: str, muted: bool) -> None:
        if muted:
            self._muted.add(point)
        else:
            self._muted.discard(point)

    async def hold(self, point: str, node: str) -> None:
        self._holders[point] = node

    async def release(self, point: str, node: str) -> None:
        if self._holders.get(point) == node:
            del self._holders[point]

    async def holder(self, point: str) -> str | None:
        return self._holders.get(point)

    async def close(self) -> None:
        pass


# Deleted only by the process that holds it: a new holder's key must survive the old one.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisVideoState:
    """{prefix}program (string), {prefix}pins (hash), {prefix}muted (set),
    {prefix}holder:<point> (string, expires)."""

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis: aioredis.Redis = redis_client(url)
        self._prefix = prefix

    async def control(self, default_program: str) -> ControlState:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._prefix + "program")
            pipe.hgetall(self._prefix + "pins")
            pipe.smembers(self._prefix + "muted")
            program, pins, muted = await pipe.execute()
        return ControlState(
            program.decode() if program else default_program,
            {k.decode(): v.decode() for k, v in pins.items()},
            frozenset(m.decode() for m in muted),
        )

    async def set_program(self, source: str) -> None:
        await self._redis.set(self._prefix + "program", source)

    async def set_pin(self, tile: str, source: str | None) -> None:
        if source is None:
            await self._redis.hdel(self._prefix + "pins", tile)
        else:
            await self._redis.hset(self._prefix + "pins", tile, source)

    async def set_muted(self, point: str, muted: bool) -> None:
        key = self._prefix + "muted"
        await (self._redis.sadd(key, point) if muted else self._redis.srem(key, point))

    async def hold(self, point: str, node: str) -> None:
        await self._redis.set(self._prefix + "holder:" + point, node, px=int(HOLDER_TTL_S * 1000))

    async def release(self, point: str, node: str) -> None:
        await self._redis.eval(_RELEASE, 1, self._prefix + "holder:" + point, node)  # type: ignore[misc]

    async def holder(self, point: str) -> str | None:
        value = await self._redis.get(self._prefix + "holder:" + point)
        return _text(value) if value else None

    async def close(self) -> None:
        await self._redis.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@asynccontextmanager
async def open_video_state(
    redis_url: str | None, prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[VideoState]:
    """Redis when the wall runs on one (several processes share it), else in memory;
    closed on exit."""
    state: VideoState = RedisVideoState(redis_url, prefix) if redis_url else MemoryVideoState()
    try:
        yield state
    finally:
        await state.close()


def describe(state: ControlState) -> str:
    """A short line for the log."""
    return json.dumps(
        {"program": state.program, "pins": state.pins, "muted": sorted(state.muted)},
        ensure_ascii=False,
    )
