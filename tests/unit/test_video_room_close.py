"""A closing room lets the announcements it started finish (the other wall processes learn a
point left), and does not wait on one that never ends."""

from __future__ import annotations

import asyncio

from command_center.bus import MemoryBus
from command_center.messages import BridgePointState
from video.registry import load_bridge_points
from video.room import VideoRoom


async def test_an_announcement_under_way_is_published_before_the_room_closes() -> None:
    bus = MemoryBus()
    room = VideoRoom(load_bridge_points(), bus)
    async with bus.subscribe() as messages:

        async def hang_up_then_announce() -> None:
            await asyncio.sleep(0.2)  # a peer connection closing, then the announcement
            await room.announce("hue")

        room.spawn(hang_up_then_announce())
        await room.close()
        message = await asyncio.wait_for(anext(aiter(messages)), timeout=5)
    assert isinstance(message, BridgePointState) and message.point == "hue"


async def test_a_task_that_never_ends_is_cancelled_and_close_returns() -> None:
    room = VideoRoom(load_bridge_points(), MemoryBus())
    stuck = asyncio.Event()
    cancelled = asyncio.Event()

    async def waits_for_ever() -> None:
        try:
            await stuck.wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    room.spawn(waits_for_ever())
    await asyncio.wait_for(room.close(), timeout=30)
    assert cancelled.is_set()
