"""Choose and own the store: the one place that opens it and the one that closes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from command_center.store.base import Store
from command_center.store.embedded import EmbeddedStore
from command_center.store.redis_store import RedisStore


@asynccontextmanager
async def open_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = "cc:"
) -> AsyncIterator[Store]:
    """Redis when a URL is configured (shared by several processes), else SQLite in
    ``data_dir``. Closed on exit, whatever happened inside."""
    store: Store
    if redis_url:
        redis_store = RedisStore(redis_url, redis_prefix)
        try:
            await redis_store.ping()
        except BaseException:
            await redis_store.close()
            raise
        store = redis_store
    else:
        store = await EmbeddedStore.open(data_dir)
    try:
        yield store
    finally:
        await store.close()
