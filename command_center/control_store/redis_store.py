"""The control store shared by several server processes: plain Redis keys under a prefix.

    {prefix}records:<kind>    hash: key -> JSON body
    {prefix}lease:<name>      the holder's id, with a TTL (PX)

Writes wait for the replicas the URL asks for (``Replication``), like every store's.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline

from command_center.control_store.base import Body
from command_center.redis_client import TICKET_TTL_MS, parse_redis_url, redis_client

DEFAULT_PREFIX = "cc:control:"

# Take the lease when it is free or already ours; atomically, so two processes never both win.
_LEASE = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then
    return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('DEL', KEYS[1])
end
return 1
"""


class RedisControlStore:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis: aioredis.Redis = redis_client(url)
        self._replication = parse_redis_url(url).replication
        self._prefix = prefix
        self._lease = self._redis.register_script(_LEASE)
        self._release = self._redis.register_script(_RELEASE)

    def _key(self, name: str) -> str:
        return f"{self._prefix}{name}"

    async def put(self, kind: str, key: str, body: Body) -> None:
        await self._write(
            lambda pipe: pipe.hset(
                self._key(f"records:{kind}"),
                key,
                json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            )
        )

    async def get(self, kind: str, key: str) -> Body | None:
        text = await self._redis.hget(self._key(f"records:{kind}"), key)
        return None if text is None else dict(json.loads(text))

    async def items(self, kind: str) -> dict[str, Body]:
        found = await self._redis.hgetall(self._key(f"records:{kind}"))
        return {_text(key): dict(json.loads(body)) for key, body in sorted(found.items())}

    async def delete(self, kind: str, key: str) -> None:
        await self._write(lambda pipe: pipe.hdel(self._key(f"records:{kind}"), key))

    async def lease(self, name: str, holder: str, ttl_ms: int) -> bool:
        won = await self._lease(keys=[self._key(f"lease:{name}")], args=[holder, ttl_ms])
        return bool(won)

    async def release(self, name: str, holder: str) -> None:
        await self._release(keys=[self._key(f"lease:{name}")], args=[holder])

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()

    async def _write(self, command: Callable[[Pipeline], object]) -> None:
        """One write and its replication ticket in one MULTI, then wait for the replicas."""
        ticket = self._replication.ticket(self._prefix)
        async with self._redis.pipeline(transaction=True) as pipe:
            command(pipe)
            if ticket is not None:
                pipe.set(ticket, "1", px=TICKET_TTL_MS)
            await pipe.execute()
        await self._replication.confirm(self._redis, ticket)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
