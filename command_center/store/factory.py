"""Choose and own the store: the one place that opens it and the one that closes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from command_center.store.base import Store
from command_center.store.embedded import EmbeddedStore
from command_center.store.redis_store import RedisStore
from command_center.store_choice import open_chosen_store


@asynccontextmanager
async def open_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = "cc:"
) -> AsyncIterator[Store]:
    """Redis when a URL is configured (shared by several processes), else SQLite in
    ``data_dir``. Closed on exit, whatever happened inside."""
    async with open_chosen_store(
        redis_url,
        lambda url: RedisStore(url, redis_prefix),
        lambda: EmbeddedStore.open(data_dir),
    ) as store:
        yield store
