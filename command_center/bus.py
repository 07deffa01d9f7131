"""The bus: every part of the centre publishes typed messages, every subscriber sees them.

    Bus (Protocol)         publish / subscribe / close
    ├── MemoryBus          one process: subscribers are queues in this event loop
    └── RedisBus           many processes: Redis pub/sub, messages as JSON (``BUS_MESSAGE``)
    create_bus(url)        picks one from settings (aiortc's ``create_signaling`` pattern)

Delivery is at-most-once and live only: a subscriber sees what is published after its
``subscribe()`` has been entered, nothing earlier. State that must not be lost lives in the
store; the bus only says that it changed.

Every subscriber reads from its own bounded queue that drops its *oldest* message when full,
so a slow subscriber loses old news instead of slowing the publisher (or, with Redis,
growing the server's output buffer until Redis cuts the connection).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
from pydantic import ValidationError

from command_center.messages import BUS_MESSAGE, AnyBusMessage

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10_000
DEFAULT_CHANNEL = "cc:bus"
SUBSCRIBE_TIMEOUT_S = 5.0


class Bus(Protocol):
    async def publish(self, message: AnyBusMessage) -> None:
        """Send ``message`` to every current subscriber; never waits for a slow one."""
        ...

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[AnyBusMessage]]:
        """``async with bus.subscribe() as messages: async for m in messages: ...``

        Once entered, the iterator yields every message published afterwards, in order
        (minus what a full queue dropped). It ends when the bus closes.
        """
        ...

    async def close(self) -> None:
        """End every live subscription and release connections."""
        ...


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
        self._queue: asyncio.Queue[AnyBusMessage | _End] = asyncio.Queue()
        self._ending = False
        self._done = False
        self.dropped = 0
        """How many messages this subscriber lost because it read too slowly."""

    def put(self, message: AnyBusMessage) -> None:
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

    async def __anext__(self) -> AnyBusMessage:
        if self._done:
            raise StopAsyncIteration
        item = await self._queue.get()
        if isinstance(item, _End):
            self._done = True
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item


class MemoryBus:
    """The bus of a single process: publish puts the message on every subscriber's queue."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        self._closed = False

    async def publish(self, message: AnyBusMessage) -> None:
        if self._closed:
            raise RuntimeError("bus is closed")
        # Messages are frozen models, so every subscriber can share the same object.
        for subscription in self._subscriptions:
            subscription.put(message)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        if self._closed:
            raise RuntimeError("bus is closed")
        subscription = Subscription(self._queue_size)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    async def close(self) -> None:
        self._closed = True
        for subscription in self._subscriptions:
            subscription.end()


class RedisBus:
    """The bus across processes: Redis pub/sub on one channel, one connection per subscriber.

    A pump task per subscriber drains Redis into the subscriber's bounded queue at once, so
    Redis never buffers for us. Payloads that are not a valid bus message (another program on
    the channel, an older version of ours) are logged and skipped.
    """

    def __init__(
        self, url: str, channel: str = DEFAULT_CHANNEL, queue_size: int = DEFAULT_QUEUE_SIZE
    ) -> None:
        self._client: aioredis.Redis = aioredis.Redis.from_url(url)
        self._channel = channel
        self._queue_size = queue_size
        self._pumps: dict[Subscription, asyncio.Task[None]] = {}
        self._closed = False

    async def publish(self, message: AnyBusMessage) -> None:
        if self._closed:
            raise RuntimeError("bus is closed")
        await self._client.publish(self._channel, BUS_MESSAGE.dump_json(message))

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        if self._closed:
            raise RuntimeError("bus is closed")
        async with self._client.pubsub() as pubsub:
            await pubsub.subscribe(self._channel)
            await _confirmed(pubsub)
            subscription = Subscription(self._queue_size)
            pump = asyncio.create_task(self._pump(pubsub, subscription))
            self._pumps[subscription] = pump
            try:
                yield subscription
            finally:
                self._pumps.pop(subscription, None)
                pump.cancel()
                # ``wait`` neither raises the pump's outcome nor swallows our own cancellation.
                await asyncio.wait([pump])

    async def _pump(self, pubsub: Any, subscription: Subscription) -> None:
        try:
            async for raw in pubsub.listen():
                if raw["type"] != "message":
                    continue
                try:
                    message = BUS_MESSAGE.validate_json(raw["data"])
                except ValidationError as exc:
                    log.warning(
                        "skipped malformed message on bus channel %r: %r (%d error(s): %s)",
                        self._channel,
                        raw["data"][:200],
                        exc.error_count(),
                        exc.errors()[0]["msg"],
                    )
                    continue
                subscription.put(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the reader must hear that the link broke, not hang
            log.error("bus subscription on %r failed: %s", self._channel, exc)
            subscription.end(exc)
        else:
            subscription.end()

    async def close(self) -> None:
        self._closed = True
        pumps = list(self._pumps.items())
        for subscription, pump in pumps:
            pump.cancel()
            subscription.end()
        if pumps:
            await asyncio.wait([pump for _, pump in pumps])
        await self._client.aclose()


async def _confirmed(pubsub: Any) -> None:
    """Wait for Redis to acknowledge SUBSCRIBE: from then on no published message is missed."""
    async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
        while True:
            reply = await pubsub.get_message(timeout=None)
            if reply is not None and reply["type"] == "subscribe":
                return


def create_bus(redis_url: str | None) -> Bus:
    """Redis when a URL is configured (several server processes), else in memory."""
    return RedisBus(redis_url) if redis_url else MemoryBus()
