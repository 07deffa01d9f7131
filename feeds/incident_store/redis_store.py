"""Incidents in Redis, shared by every server process.

    {prefix}incidents            hash: "agency|id" -> the incident's latest state as JSON
    {prefix}incidents:order      sorted set: key by occurred_at (pages, newest first)
    {prefix}incidents:open       sorted set: the keys not resolved (the map's start)
    {prefix}incidents:resolved   sorted set: the resolved keys by received_at (the purge)
    {prefix}incidents:held       hash: agency -> how many incidents it holds (the quota)

A batch is read, compared and written inside WATCH/MULTI, so two processes updating the
same incident cannot lose an update (the loser retries with what the winner wrote).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from redis.exceptions import WatchError

from command_center.redis_client import TICKET_TTL_MS, parse_redis_url, redis_client
from feeds.incident_store.base import PAGE, check_quota, is_open, news, order_key
from feeds.incidents import Incident

DEFAULT_PREFIX = "cc:inc:"
RETRIES = 20


class RedisIncidentStore:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = redis_client(url)
        self._replication = parse_redis_url(url).replication
        self._prefix = prefix
        self._hash = f"{prefix}incidents"
        self._order = f"{prefix}incidents:order"
        self._open = f"{prefix}incidents:open"
        self._resolved = f"{prefix}incidents:resolved"
        self._held = f"{prefix}incidents:held"

    async def ping(self) -> None:
        """Fail at startup rather than at the first report; build the indexes of a hash
        written before they existed."""
        await self._redis.ping()
        if await self._redis.exists(self._hash) and not await self._redis.exists(self._order):
            await self._rebuild()

    async def _rebuild(self) -> None:
        bodies = await self._redis.hvals(self._hash)
        found = [Incident.model_validate_json(b) for b in bodies]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._open, self._resolved, self._held)
            if found:
                pipe.zadd(self._order, {i.key: i.occurred_at for i in found})
            for i in found:
                if is_open(i):
                    pipe.zadd(self._open, {i.key: i.occurred_at})
                else:
                    pipe.zadd(self._resolved, {i.key: i.received_at})
            for agency, count in Counter(i.agency for i in found).items():
                pipe.hset(self._held, agency, count)
            await pipe.execute()

    async def upsert(self, batch: list[Incident], quota: int | None = None) -> list[Incident]:
        if not batch:
            return []
        keys = list(dict.fromkeys(i.key for i in batch))
        ticket = self._replication.ticket(self._prefix)
        for _ in range(RETRIES):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(self._hash, self._held)
                    bodies = await pipe.hmget(self._hash, keys)
                    stored = {
                        k: Incident.model_validate_json(b)
                        for k, b in zip(keys, bodies, strict=True)
                        if b is not None
                    }
                    latest = {i.key: i for i in batch}
                    fresh = Counter(i.agency for k, i in latest.items() if k not in stored)
                    agencies = sorted(fresh)
                    counts = await pipe.hmget(self._held, agencies) if agencies else []
                    held = {a: int(c or 0) for a, c in zip(agencies, counts, strict=True)}
                    check_quota(dict(fresh), held, quota)
                    changed = news(batch, stored)
                    pipe.multi()
                    if changed:
                        pipe.hset(self._hash, mapping={i.key: i.model_dump_json() for i in changed})
                        pipe.zadd(self._order, {i.key: i.occurred_at for i in changed})
                        for i in changed:
                            if is_open(i):
                                pipe.zadd(self._open, {i.key: i.occurred_at})
                                pipe.zrem(self._resolved, i.key)
                            else:
                                pipe.zrem(self._open, i.key)
                                pipe.zadd(self._resolved, {i.key: i.received_at})
                    for agency, count in fresh.items():
                        pipe.hincrby(self._held, agency, count)
                    if ticket:  # with the batch, for Replication.confirm
                        pipe.set(ticket, 1, px=TICKET_TTL_MS)
                    await pipe.execute()
                except WatchError:
                    continue
            # Acknowledged once the replicas hold it; a retry is idempotent (same state).
            await self._replication.confirm(self._redis, ticket)
            return changed
        raise RuntimeError(f"incidents: gave up after {RETRIES} concurrent updates")

    async def _load(self, keys: list[Any]) -> list[Incident]:
        if not keys:
            return []
        bodies = await self._redis.hmget(self._hash, keys)
        return [Incident.model_validate_json(b) for b in bodies if b is not None]

    async def incidents(
        self, since_ms: float | None = None, limit: int = PAGE, before_ms: float | None = None
    ) -> list[Incident]:
        found: list[Incident] = []
        upper = "+inf" if before_ms is None else f"({before_ms}"
        offset = 0
        while len(found) < limit:
            keys = await self._redis.zrevrangebyscore(
                self._order, upper, "-inf", start=offset, num=limit
            )
            if not keys:
                break
            offset += len(keys)
            page = await self._load(keys)
            found += [i for i in page if since_ms is None or i.received_at >= since_ms]
        return sorted(found, key=order_key)[:limit]

    async def active(self, resolved_since_ms: float) -> list[Incident]:
        open_keys = await self._redis.zrange(self._open, 0, -1)
        recent = await self._redis.zrangebyscore(self._resolved, resolved_since_ms, "+inf")
        return sorted(await self._load([*open_keys, *recent]), key=order_key)

    async def purge(self, resolved_before_ms: float) -> int:
        for _ in range(RETRIES):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(self._hash, self._resolved)
                    keys = await pipe.zrangebyscore(
                        self._resolved, "-inf", f"({resolved_before_ms}"
                    )
                    if not keys:
                        return 0
                    agencies = Counter(_text(k).split("|", 1)[0] for k in keys)
                    pipe.multi()
                    pipe.hdel(self._hash, *keys)
                    pipe.zrem(self._order, *keys)
                    pipe.zrem(self._resolved, *keys)
                    for agency, count in agencies.items():
                        pipe.hincrby(self._held, agency, -count)
                    await pipe.execute()
                    return len(keys)
                except WatchError:
                    continue
        raise RuntimeError(f"incidents: purge gave up after {RETRIES} concurrent updates")

    async def close(self) -> None:
        await self._redis.aclose()


def _text(key: object) -> str:
    return key.decode() if isinstance(key, bytes) else str(key)
