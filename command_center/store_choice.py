"""Choosing and owning a store: Redis when a URL is configured, else the embedded SQLite one.

The wall's three stores (the wall's own, observations, incidents) are chosen the same way,
from the same settings, and each is closed on exit whatever happened inside; this is that
one rule. A Redis store is pinged before it is handed out, so a wrong URL fails at startup,
not at the first report.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar


class _Closes(Protocol):
    async def close(self) -> None: ...


class _Pings(_Closes, Protocol):
    async def ping(self) -> Any: ...


E = TypeVar("E", bound=_Closes)
R = TypeVar("R", bound=_Pings)


@asynccontextmanager
async def open_chosen_store(
    redis_url: str | None,
    redis: Callable[[str], R],
    embedded: Callable[[], Awaitable[E]],
) -> AsyncIterator[E | R]:
    """``redis(url)`` when ``redis_url`` is set, else ``await embedded()``; closed on exit."""
    store: E | R
    if redis_url:
        redis_store = redis(redis_url)
        try:
            await redis_store.ping()
        except BaseException:
            await redis_store.close()
            raise
        store = redis_store
    else:
        store = await embedded()
    try:
        yield store
    finally:
        await store.close()
