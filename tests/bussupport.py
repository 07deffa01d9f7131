"""Reading the bus in a test, from the moment the subscription is live.

The bus's own contract is the signal: once ``bus.subscribe()`` has been entered, every
message published afterwards is delivered (``command_center/bus/contract.py``; a Redis bus
enters only after Redis confirmed the subscription, or after its join token was published
on a live connection). So these helpers return only once the reader's task has entered its
subscription: a test publishes, or makes the server publish, right after, without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from command_center.bus import Bus, BusItem

M = TypeVar("M")


@asynccontextmanager
async def reading(
    bus: Bus, read: Callable[[AsyncIterator[BusItem]], Awaitable[None]]
) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``read(messages)`` in a task on a live subscription; the task is cancelled (and
    awaited) on leaving. Entering raises what the subscribing raised."""
    live = asyncio.Event()

    async def run() -> None:
        async with bus.subscribe() as messages:
            live.set()
            await read(messages)

    task = asyncio.create_task(run(), name="test-bus-reader")
    waiting = asyncio.create_task(live.wait())
    try:
        await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if not live.is_set():
            task.result()  # it ended before subscribing: its error, here
            raise AssertionError("the bus reader ended before it subscribed")
        yield task
    finally:
        waiting.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@asynccontextmanager
async def listening(
    bus: Bus, kind: type[M], keep: Callable[[M], bool] = lambda _: True
) -> AsyncIterator[list[M]]:
    """Collect every ``kind`` message (that ``keep`` accepts) published from now on."""
    seen: list[M] = []

    async def collect(messages: AsyncIterator[BusItem]) -> None:
        async for message in messages:
            if isinstance(message, kind) and keep(message):
                seen.append(message)

    async with reading(bus, collect):
        yield seen
