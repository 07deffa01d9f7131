"""The bus: every part of the centre publishes typed messages, every subscriber sees them.

    Bus (Protocol)         publish / subscribe / close                       contract.py
    ├── MemoryBus          one process: subscribers are queues in this loop  memory.py
    └── RedisBus           many processes: Redis pub/sub, messages as JSON   redis_bus.py
                           (``BUS_MESSAGE``), each signed with the bus key:
                           forged or unsigned payloads are dropped, counted  signing.py
    Subscription           one subscriber's bounded, drop-oldest queue       subscription.py
    create_bus(url, key)   picks one from settings                           factory.py

Delivery is at-most-once and live only: a subscriber sees what is published after its
``subscribe()`` has been entered, nothing earlier. State that must not be lost lives in the
store; the bus only says that it changed.

A Redis bus whose link breaks (Redis restarted, a network fault) reconnects by itself, for
as long as it takes, and then hands every subscriber a ``BusResumed``: what was published
meanwhile is gone (pub/sub keeps nothing), so each subscriber re-reads what it shows from
the stores. Subscriptions never end because of a fault, only when the bus closes.

Every subscriber reads from its own bounded queue that drops its *oldest* message when full,
so a slow subscriber loses old news instead of slowing the publisher (or, with Redis,
growing the server's output buffer until Redis cuts the connection).
"""

from command_center.bus.contract import Bus, BusItem, BusResumed
from command_center.bus.factory import create_bus
from command_center.bus.memory import MemoryBus
from command_center.bus.redis_bus import DEFAULT_CHANNEL, RedisBus
from command_center.bus.signing import REPLAY_WINDOW_S, seal, unseal_unchecked
from command_center.bus.subscription import DEFAULT_QUEUE_SIZE, Subscription

__all__ = [
    "DEFAULT_CHANNEL",
    "DEFAULT_QUEUE_SIZE",
    "REPLAY_WINDOW_S",
    "Bus",
    "BusItem",
    "BusResumed",
    "MemoryBus",
    "RedisBus",
    "Subscription",
    "create_bus",
    "seal",
    "unseal_unchecked",
]
