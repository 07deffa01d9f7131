"""The room's event listeners (the control channels): each a bounded queue that starts
with a roster. A listener that falls behind is dropped and told so (``None``) rather than
slowing the room: it reconnects and gets a fresh roster."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from video.events import RoomEvent

LISTENER_QUEUE = 256


class Listeners:
    def __init__(self, bound: int = LISTENER_QUEUE) -> None:
        self._bound = bound
        self._queues: set[asyncio.Queue[RoomEvent | None]] = set()

    @contextlib.asynccontextmanager
    async def listen(self, first: RoomEvent) -> AsyncIterator[asyncio.Queue[RoomEvent | None]]:
        """``first`` (the roster), then every event emitted from now on."""
        queue: asyncio.Queue[RoomEvent | None] = asyncio.Queue(self._bound)
        queue.put_nowait(first)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def emit(self, event: RoomEvent) -> None:
        for queue in list(self._queues):
            if queue.qsize() >= self._bound - 1:
                self._queues.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait(event)

    def close(self) -> None:
        """Every listener hears the end (``None``)."""
        for queue in list(self._queues):
            queue.put_nowait(None)
        self._queues.clear()
