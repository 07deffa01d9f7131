"""Choose and own the history store: Redis when configured, else SQLite in data_dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from command_center.history.base import HistoryStore
from command_center.history.embedded import EmbeddedHistoryStore
from command_center.history.redis_store import DEFAULT_PREFIX, RedisHistoryStore
from command_center.store_choice import open_chosen_store


@asynccontextmanager
async def open_history_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[HistoryStore]:
    """Closed on exit, whatever happened inside."""
    async with open_chosen_store(
        redis_url,
        lambda url: RedisHistoryStore(url, redis_prefix),
        lambda: EmbeddedHistoryStore.open(data_dir),
    ) as store:
        yield store
