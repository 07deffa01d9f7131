"""What every bus is: the ``Bus`` interface its users program against, and ``BusResumed``.

Delivery is at-most-once and live only: a subscriber sees what is published after its
``subscribe()`` has been entered, nothing earlier. State that must not be lost lives in the
store; the bus only says that it changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from command_center.messages import AnyBusMessage


@dataclass(frozen=True)
class BusResumed:
    """Not a bus message: this process's link to the bus broke for ``gap_s`` seconds and is
    back. Anything published meanwhile was lost; re-read what you show from the stores."""

    gap_s: float


BusItem = AnyBusMessage | BusResumed


class Bus(Protocol):
    async def publish(self, message: AnyBusMessage) -> None:
        """Send ``message`` to every current subscriber; never waits for a slow one."""
        ...

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[BusItem]]:
        """``async with bus.subscribe() as messages: async for m in messages: ...``

        Once entered, the iterator yields every message published afterwards, in order
        (minus what a full queue dropped), and a ``BusResumed`` after a broken link came
        back. It ends when the bus closes.
        """
        ...

    async def close(self) -> None:
        """End every live subscription and release connections."""
        ...

    @property
    def rejected(self) -> int:
        """Messages dropped because their signature was missing or wrong (``/health``)."""
        ...

    @property
    def down_since(self) -> float | None:
        """While the link to the bus is broken, since when (epoch seconds); else None."""
        ...

    @property
    def reconnects(self) -> int:
        """How many times a broken link came back (each one a ``BusResumed``)."""
        ...
