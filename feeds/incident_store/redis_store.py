"""Incidents in Redis, shared by every server process: one hash ``{prefix}incidents``,
"agency|id" -> the incident's latest state as JSON.

A batch is read, compared and written inside WATCH/MULTI, so two processes updating the
same incident cannot lose an update (the loser retries with what the winner wrote).
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from feeds.incident_store.base import newest_first, news
from feeds.incidents import Incident

DEFAULT_PREFIX = "cc:inc:"
RETRIES = 20


class RedisIncidentStore:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = aioredis.Redis.from_url(url)
        self._hash = f"{prefix}incidents"

    async def ping(self) -> None:
        await self._redis.ping()

    async def upsert(self, batch: list[Incident]) -> list[Incident]:
        if not batch:
            return []
        keys = [i.key for i in batch]
        for _ in range(RETRIES):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(self._hash)
                    bodies = await pipe.hmget(self._hash, keys)
                    stored = {
                        k: Incident.model_validate_json(b)
                        for k, b in zip(keys, bodies, strict=True)
                        if b is not None
                    }
                    changed = news(batch, stored)
                    pipe.multi()
                    if changed:
                        pipe.hset(self._hash, mapping={i.key: i.model_dump_json() for i in changed})
                    await pipe.execute()
                    return changed
                except WatchError:
                    continue
        raise RuntimeError(f"incidents: gave up after {RETRIES} concurrent updates")

    async def incidents(self, since_ms: float | None = None) -> list[Incident]:
        bodies = await self._redis.hvals(self._hash)
        return newest_first([Incident.model_validate_json(b) for b in bodies], since_ms)

    async def close(self) -> None:
        await self._redis.aclose()
