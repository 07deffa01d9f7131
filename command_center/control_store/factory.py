"""Choose and own the control store: Redis when configured, else SQLite in data_dir."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from command_center.control_store.base import ControlStore
from command_center.control_store.embedded import EmbeddedControlStore
from command_center.control_store.redis_store import DEFAULT_PREFIX, RedisControlStore
from command_center.store_choice import open_chosen_store


@asynccontextmanager
async def open_control_store(
    data_dir: Path, redis_url: str | None, *, redis_prefix: str = DEFAULT_PREFIX
) -> AsyncIterator[ControlStore]:
    """Closed on exit, whatever happened inside."""
    async with open_chosen_store(
        redis_url,
        lambda url: RedisControlStore(url, redis_prefix),
        lambda: EmbeddedControlStore.open(data_dir),
    ) as store:
        yield store
