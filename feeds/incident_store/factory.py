"""Choose and own the incident store: Redis when configured, else SQLite in data_dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from command_center.store_choice import open_chosen_store
from feeds.incident_store.base import IncidentStore
from feeds.incident_store.embedded import EmbeddedIncidentStore
from feeds.incident_store.redis_store import DEFAULT_PREFIX, RedisIncidentStore


@asynccontextmanager
async def open_incident_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[IncidentStore]:
    """Closed on exit, whatever happened inside."""
    async with open_chosen_store(
        redis_url,
        lambda url: RedisIncidentStore(url, redis_prefix),
        lambda: EmbeddedIncidentStore.open(data_dir),
    ) as store:
        yield store
