"""Choose and own the incident store: Redis when configured, else SQLite in data_dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from feeds.incident_store.base import IncidentStore
from feeds.incident_store.embedded import EmbeddedIncidentStore
from feeds.incident_store.redis_store import DEFAULT_PREFIX, RedisIncidentStore


@asynccontextmanager
async def open_incident_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[IncidentStore]:
    """Closed on exit, whatever happened inside."""
    store: IncidentStore
    if redis_url:
        redis_store = RedisIncidentStore(redis_url, redis_prefix)
        try:
            await redis_store.ping()  # fail at startup, not at the first report
        except BaseException:
            await redis_store.close()
            raise
        store = redis_store
    else:
        store = await EmbeddedIncidentStore.open(data_dir)
    try:
        yield store
    finally:
        await store.close()
