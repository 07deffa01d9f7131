"""Choose and own the observation store: Redis when configured, else SQLite in data_dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from command_center.store_choice import open_chosen_store
from feeds.observation_store.base import ObservationStore
from feeds.observation_store.embedded import EmbeddedObservationStore
from feeds.observation_store.redis_store import DEFAULT_PREFIX, RedisObservationStore


@asynccontextmanager
async def open_observation_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[ObservationStore]:
    """Closed on exit, whatever happened inside."""
    async with open_chosen_store(
        redis_url,
        lambda url: RedisObservationStore(url, redis_prefix),
        lambda: EmbeddedObservationStore.open(data_dir),
    ) as store:
        yield store
