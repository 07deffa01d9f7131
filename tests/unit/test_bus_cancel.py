"""A bus reader whose cancellation was swallowed while it handled a message (redis-py can
turn one into a normal return or an ordinary error) stops at its next read: a closing
runtime used to wait for ever on the video room's follower."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from bussupport import reading

from command_center.bus import BusItem, MemoryBus
from command_center.messages import TileDataChanged


async def test_a_reader_whose_cancel_was_swallowed_stops_at_its_next_read() -> None:
    bus = MemoryBus()
    handling = asyncio.Event()

    async def reader(messages: AsyncIterator[BusItem]) -> None:
        async for _ in messages:
            handling.set()
            with contextlib.suppress(asyncio.CancelledError):  # as a library might
                await asyncio.sleep(30)

    async with reading(bus, reader) as task:
        await bus.publish(TileDataChanged(tile="t", data={}, ts=0.0))
        await asyncio.wait_for(handling.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)  # before the fix: a TimeoutError after 5 s
