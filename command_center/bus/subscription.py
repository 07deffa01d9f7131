"""One subscriber's queue: bounded, drop-oldest, read as an async iterator.

A slow subscriber loses old news instead of slowing the publisher (or, with Redis, growing
the server's output buffer until Redis cuts the connection). Both buses hand these out.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from command_center.bus.contract import BusItem
from command_center.tasks import stop_if_cancelled

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10_000


@dataclass(frozen=True)
class _End:
    """Queue marker: the subscription is over, with ``error`` if the transport failed."""

    error: BaseException | None = None


class Subscription:
    """One subscriber's bounded, drop-oldest queue; an async iterator of bus messages."""

    def __init__(self, maxsize: int = DEFAULT_QUEUE_SIZE) -> None:
        if maxsize < 1:
            raise ValueError(f"queue size must be at least 1 (got {maxsize})")
        self._maxsize = maxsize
        # Unbounded underneath: we enforce ``maxsize`` ourselves so the end marker always fits.
        self._queue: asyncio.Queue[BusItem | _End] = asyncio.Queue()
        self._ending = False
        self._done = False
        self.dropped = 0
        """How many messages this subscriber lost because it read too slowly."""

    def put(self, message: BusItem) -> None:
        """Enqueue without blocking; when full, the oldest message makes room."""
        if self._ending:
            return
        if self._queue.qsize() >= self._maxsize:
            self._queue.get_nowait()
            self.dropped += 1
            if self.dropped == 1:
                log.warning("slow bus subscriber: queue of %d full, dropping oldest", self._maxsize)
        self._queue.put_nowait(message)

    def end(self, error: BaseException | None = None) -> None:
        """Stop after the queued messages; re-raise ``error`` to the reader if given."""
        if not self._ending:
            self._ending = True
            self._queue.put_nowait(_End(error))

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> BusItem:
        if self._done:
            raise StopAsyncIteration
        # A cancel that a library swallowed while the reader handled the last message
        # (redis-py can) ends the reading here, not in a wait for a message that never comes.
        stop_if_cancelled()
        item = await self._queue.get()
        if isinstance(item, _End):
            self._done = True
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item
