"""One way to open a Redis client, so every store and the bus ride through a Redis restart
the same way.

redis-py's ``from_url`` gives connections that never retry: after Redis restarts, every
connection still in the pool fails once ("Connection closed by server"), and each failure
became a 500 for whoever drew it. Here a connection idle for a moment is checked (PING) before
use and reconnected if dead, and a command that hits a dead connection is retried twice on a
fresh one: it never reached a server, the old one is gone. A Redis that stays down still
fails fast (connect timeout), and the caller reports it.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

CONNECT_TIMEOUT_S = 2.0  # a Redis host that does not answer is down, not slow
COMMAND_TIMEOUT_S = 5.0
HEALTH_CHECK_S = 1.0  # a pooled connection idle longer is PINGed before use


def redis_client(url: str, **options: Any) -> aioredis.Redis:
    """A client for ``url`` (``redis://``, ``rediss://``, with user and password) that
    retries a command on a dead connection. ``options`` override the defaults."""
    settings: dict[str, Any] = {
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "socket_timeout": COMMAND_TIMEOUT_S,
        "health_check_interval": HEALTH_CHECK_S,
        "socket_keepalive": True,
    }
    return aioredis.Redis.from_url(url, **(settings | options))
