"""The bus of a single process: subscribers are queues in this event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from command_center.bus.subscription import DEFAULT_QUEUE_SIZE, Subscription
from command_center.messages import AnyBusMessage


class MemoryBus:
    """The bus of a single process: publish puts the message on every subscriber's queue."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._subscriptions: set[Subscription] = set()
        self._closed = False

    @property
    def rejected(self) -> int:
        return 0  # nothing crosses a wire, nothing to forge

    @property
    def down_since(self) -> float | None:
        return None  # no link to break

    @property
    def reconnects(self) -> int:
        return 0

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
