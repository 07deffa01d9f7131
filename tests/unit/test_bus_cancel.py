"""A bus reader whose cancellation was swallowed while it handled a message (redis-py can
turn one into a normal return or an ordinary error) stops at its next read: a closing
runtime used to wait for ever on the video room's follower."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from command_center.bus import MemoryBus
from command_center.messages import TileDataChanged


async def test_a_reader_whose_cancel_was_swallowed_stops_at_its_next_read() -> None:
    bus = MemoryBus()
    handling = asyncio.Event()

    async def reader() -> None:
        async with bus.subscribe() as messages:
            async for _ in messages:
                handling.set()
                with contextlib.suppress(asyncio.CancelledError):  # as a library might
                    await asyncio.sleep(30)

    task = asyncio.create_task(reader())
    await asyncio.sleep(0)
    await bus.publish(TileDataChanged(tile="t", data={}, ts=0.0))
    await asyncio.wait_for(handling.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)  # before the fix: a TimeoutError after 5 s
