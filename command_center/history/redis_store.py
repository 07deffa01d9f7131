"""The history shared by several server processes: sorted sets under ``cc:history:``.

    {prefix}screens            set: every screen with history
    {prefix}chunks:<screen>    zset: score t0, member = t1 (8 bytes) + packed chunk
    {prefix}snaps:<screen>     zset: score t, member = t (8 bytes) + packed state
    {prefix}marks              zset: score t, member = the mark's JSON

The 8-byte prefixes keep two equal blobs apart (a zset keeps a member once). An instant is
one ZREVRANGEBYSCORE and one ZRANGEBYSCORE per screen, in one round trip.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence

import redis.asyncio as aioredis

from command_center.history.model import MAX_CHUNK_SPAN_MS, Chunk, Mark, Snapshot, dumps
from command_center.redis_client import redis_client

DEFAULT_PREFIX = "cc:history:"
_TIME = struct.Struct(">d")


class RedisHistoryStore:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis: aioredis.Redis = redis_client(url)
        self._prefix = prefix

    def _key(self, name: str) -> str:
        return f"{self._prefix}{name}"

    async def append(
        self, chunks: Sequence[Chunk], snapshots: Sequence[Snapshot], marks: Sequence[Mark]
    ) -> int:
        screens = {c.screen for c in chunks} | {s.screen for s in snapshots}
        async with self._redis.pipeline(transaction=True) as pipe:
            if screens:
                pipe.sadd(self._key("screens"), *sorted(screens))
            for c in chunks:
                pipe.zadd(self._key(f"chunks:{c.screen}"), {_TIME.pack(c.t1) + c.blob: c.t0})
            for s in snapshots:
                pipe.zadd(self._key(f"snaps:{s.screen}"), {_TIME.pack(s.t) + s.blob: s.t})
            if marks:
                pipe.zadd(self._key("marks"), {dumps(m.as_json()): m.t for m in marks})
            await pipe.execute()
        return sum(len(c.blob) + 8 for c in chunks) + sum(len(s.blob) + 8 for s in snapshots)

    async def state_parts(
        self, screens: Sequence[str], at: float
    ) -> dict[str, tuple[Snapshot | None, list[Chunk]]]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for screen in screens:
                pipe.zrevrangebyscore(
                    self._key(f"snaps:{screen}"), at, "-inf", start=0, num=1, withscores=True
                )
            newest = await pipe.execute()
        snaps: dict[str, Snapshot | None] = {}
        for screen, rows in zip(screens, newest, strict=True):
            snaps[screen] = (
                Snapshot(screen, float(rows[0][1]), bytes(rows[0][0])[8:]) if rows else None
            )
        async with self._redis.pipeline(transaction=False) as pipe:
            for screen in screens:
                snap = snaps[screen]
                low = "-inf" if snap is None else f"({snap.t!r}"
                pipe.zrangebyscore(self._key(f"chunks:{screen}"), low, at, withscores=True)
            after = await pipe.execute()
        return {
            screen: (snaps[screen], [_chunk(screen, m, s) for m, s in rows])
            for screen, rows in zip(screens, after, strict=True)
        }

    async def chunks(self, screens: Sequence[str], start: float, end: float) -> list[Chunk]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for screen in screens:
                pipe.zrangebyscore(
                    self._key(f"chunks:{screen}"),
                    start - MAX_CHUNK_SPAN_MS,
                    end,
                    withscores=True,
                )
            found = await pipe.execute()
        chunks = [
            _chunk(screen, member, score)
            for screen, rows in zip(screens, found, strict=True)
            for member, score in rows
        ]
        return sorted((c for c in chunks if c.t1 > start), key=lambda c: (c.t0, c.screen))

    async def marks(self, start: float, end: float, limit: int) -> list[Mark]:
        rows = await self._redis.zrangebyscore(self._key("marks"), start, end, start=0, num=limit)
        return [Mark.from_json(json.loads(_text(row))) for row in rows]

    async def oldest(self) -> float | None:
        screens = await self._redis.smembers(self._key("screens"))
        if not screens:
            return None
        async with self._redis.pipeline(transaction=False) as pipe:
            for screen in screens:
                pipe.zrange(self._key(f"snaps:{_text(screen)}"), 0, 0, withscores=True)
            found = await pipe.execute()
        times = [float(rows[0][1]) for rows in found if rows]
        return min(times) if times else None

    async def delete_before(self, cutoff: float) -> int:
        screens = [_text(s) for s in await self._redis.smembers(self._key("screens"))]
        async with self._redis.pipeline(transaction=True) as pipe:
            for screen in screens:
                # A chunk ends at most MAX_CHUNK_SPAN_MS after it starts: the ones that
                # start that much before the cutoff are wholly before it.
                pipe.zremrangebyscore(
                    self._key(f"chunks:{screen}"), "-inf", f"({cutoff - MAX_CHUNK_SPAN_MS!r}"
                )
                pipe.zremrangebyscore(self._key(f"snaps:{screen}"), "-inf", f"({cutoff!r}")
            pipe.zremrangebyscore(self._key("marks"), "-inf", f"({cutoff!r}")
            counts = await pipe.execute()
        return int(sum(counts))

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def _chunk(screen: str, member: bytes, score: float) -> Chunk:
    raw = bytes(member)
    (t1,) = _TIME.unpack(raw[:8])
    return Chunk(screen, float(score), t1, raw[8:])


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
