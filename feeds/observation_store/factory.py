"""Choose and own the observation store: Redis when configured, else SQLite in data_dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from feeds.observation_store.base import ObservationStore
from feeds.observation_store.embedded import EmbeddedObservationStore
from feeds.observation_store.redis_store import DEFAULT_PREFIX, RedisObservationStore


@asynccontextmanager
async def open_observation_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[ObservationStore]:
    """Closed on exit, whatever happened inside."""
    store: ObservationStore
    if redis_url:
        redis_store = RedisObservationStore(redis_url, redis_prefix)
        try:
            await redis_store.ping()  # fail at startup, not at the first report
        except BaseException:
            await redis_store.close()
            raise
        store = redis_store
    else:
        store = await EmbeddedObservationStore.open(data_dir)
    try:
        yield store
    finally:
        await store.close()
