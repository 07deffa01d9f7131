"""One way to open a Redis client, so every store and the bus ride through a Redis restart
(and, with sentinels, a failover) the same way.

    --redis redis://[user:pass@]host:6379/0[?replicas=N&wait_ms=M]
    --redis redis+sentinel://[user:pass@]host:26379,host2:26379/<master>/<db>[?replicas=N&wait_ms=M]

redis-py's ``from_url`` gives connections that never retry: after Redis restarts, every
connection still in the pool fails once ("Connection closed by server"), and each failure
became a 500 for whoever drew it. Here a connection idle for a moment is checked (PING) before
use and reconnected if dead, and a command that hits a dead connection is retried twice on a
fresh one: it never reached a server, the old one is gone. A Redis that stays down still
fails fast (connect timeout), and the caller reports it.

With ``redis+sentinel://`` the client asks the sentinels (redis-py's ``Sentinel``) which
server is the primary at every new connection, so a reconnect after a failover lands on the
promoted replica; a connection still open to a demoted primary fails its next write
(READONLY) and reconnects the same way.

**Acknowledged means replicated.** ``replicas`` (default 1 with sentinels, 0 with plain
Redis) is how many replicas must hold a write before the stores acknowledge it:
``Replication.confirm`` runs ``WAIT replicas wait_ms`` after the write and raises
``NotReplicated`` (a Redis timeout, so the caller answers 503 + Retry-After) when fewer
confirm in time. A ticket written with the data makes sure the WAIT is about the server
that holds the write. ``WAITAOF`` (Redis 7.2) would also wait for the AOF fsync; Redis 7.0 has
no such command, so the fsync is the servers' ``appendfsync always``.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

CONNECT_TIMEOUT_S = 2.0  # a Redis host that does not answer is down, not slow
COMMAND_TIMEOUT_S = 5.0
HEALTH_CHECK_S = 1.0  # a pooled connection idle longer is PINGed before use
SENTINEL_PORT = 26379
DEFAULT_WAIT_MS = 1000  # a replica on the same LAN answers WAIT in well under a millisecond
MAX_WAIT_MS = 4000  # below the command timeout: a WAIT must time out before its socket does
MAX_REPLICAS = 16
# A ticket left behind (the process died between the write and its confirmation) expires.
TICKET_TTL_MS = 60_000
SENTINEL_SCHEME = "redis+sentinel"
PLAIN_SCHEMES = ("redis", "rediss", "unix")
OUR_OPTIONS = ("replicas", "wait_ms")
_MASTER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
EXAMPLE = "redis+sentinel://host:26379,host2:26379/mymaster/0"


class RedisUrlError(ValueError):
    """A ``--redis`` URL that cannot be used; the message names what is wrong."""


class NotReplicated(RedisTimeoutError):
    """Fewer replicas than required confirmed a write within ``wait_ms``: it is on the
    primary only and would be lost if the primary died now, so it is not acknowledged
    (503, retry: every store write is idempotent)."""


@dataclass(frozen=True)
class Replication:
    """How many replicas must hold a write before it is acknowledged, waiting how long.

    A store's write also sets a *ticket* (``ticket()``: a fresh key, or None when no
    replica is awaited) in the same atomic step (its Lua script or MULTI), and ``confirm``
    then takes the ticket back on the primary and waits for the replicas. ``WAIT`` alone
    would not do: it counts the writes of its own connection only; a pool may give the
    confirmation another connection, even another server (the new primary of a
    switchover, which may never have had the write); and a retried batch may write
    nothing at all (all duplicates).
    """

    replicas: int = 0
    wait_ms: int = DEFAULT_WAIT_MS

    def ticket(self, prefix: str) -> str | None:
        if self.replicas <= 0:
            return None
        return f"{prefix}ack:{secrets.token_hex(12)}"

    async def confirm(self, client: aioredis.Redis, ticket: str | None) -> None:
        """Return once ``replicas`` replicas hold the write that set ``ticket``; else
        raise ``NotReplicated`` (the write may be on the primary only: not acknowledged).

        ``DEL ticket`` finds the ticket only on a server that has the write, and is itself
        a write on this connection: the replication stream is ordered, so ``WAIT`` right
        after it returns how many replicas have the ticket's deletion, and with it the
        write. A pipeline retried on a new connection re-sends both: the ticket is gone
        then and the answer is a cautious 503, never a 201 on the strength of another
        connection's WAIT.
        """
        if ticket is None:
            return
        async with client.pipeline(transaction=False) as pipe:
            pipe.delete(ticket)
            pipe.wait(self.replicas, self.wait_ms)
            held, acked = await pipe.execute()
        if not held:
            await follow_primary(client)
            raise NotReplicated(
                "the write is not on the server that is primary now (a failover or a "
                "retried confirmation); not acknowledged, retry"
            )
        if int(acked) < self.replicas:
            await follow_primary(client)
            raise NotReplicated(
                f"{acked} of {self.replicas} replica(s) confirmed the write within "
                f"{self.wait_ms} ms; not acknowledged, retry"
            )

    async def check_connected(self, client: aioredis.Redis) -> None:
        """``/health``: raise ``NotReplicated`` while the primary has fewer replicas in
        sync than a write must wait for (every write would be refused)."""
        if self.replicas <= 0:
            return
        info = await client.info("replication")
        if info.get("role") != "master":
            # A connection made to the old primary while it came back, before the sentinels
            # made it a replica: it counts that server's replicas (none). Start afresh.
            pool = client.connection_pool
            if isinstance(pool, SentinelConnectionPool):
                await pool.disconnect(inuse_connections=True)
            raise NotReplicated("connected to a replica, not the primary: reconnecting")
        online = sum(
            1
            for name, replica in info.items()
            if name.startswith("slave") and isinstance(replica, dict)
            if replica.get("state") == "online"
        )
        if online < self.replicas:
            raise NotReplicated(
                f"{online} of {self.replicas} replica(s) connected to the primary: "
                "writes are refused (503) until one is back"
            )


async def follow_primary(client: aioredis.Redis) -> None:
    """After a write no replica confirmed: if the sentinels now name another primary (a
    switchover leaves the old one up, taking writes no replica will ever get), drop every
    connection of ``client`` so that the next command connects to the new one; a command
    in flight is retried there (every store write is idempotent). Plain Redis: nothing."""
    pool = client.connection_pool
    if not isinstance(pool, SentinelConnectionPool):
        return
    before = pool.master_address
    with contextlib.suppress(RedisError):
        if await pool.get_master_address() != before:
            await pool.disconnect(inuse_connections=True)


@dataclass(frozen=True)
class RedisTarget:
    """A parsed ``--redis`` URL: where Redis is and what an acknowledgement waits for."""

    replication: Replication
    url: str = ""  # plain Redis: the URL for redis-py, without our own options
    sentinels: tuple[tuple[str, int], ...] = ()
    master: str = ""
    db: int = 0
    username: str | None = None
    password: str | None = None

    @property
    def sentinel(self) -> bool:
        return bool(self.sentinels)


def _number(text: str, what: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise RedisUrlError(f"{what} must be a whole number {low}–{high} (got '{text}')")
    return int(text)


def _host_port(item: str) -> tuple[str, int]:
    if item.startswith("["):  # [IPv6]:port
        host, _, rest = item[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _, port = item.partition(":")
    if not host:
        raise RedisUrlError(f"a sentinel needs a host, as in {EXAMPLE} (got '{item}')")
    return host, _number(port, f"sentinel port in '{item}'", 1, 65535) if port else SENTINEL_PORT


def _options(query: str, defaults: Replication) -> tuple[Replication, list[tuple[str, str]]]:
    """Our options out of the query; the rest is redis-py's (``ssl_ca_certs`` …)."""
    replicas, wait_ms = defaults.replicas, defaults.wait_ms
    rest = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "replicas":
            replicas = _number(value, "replicas", 0, MAX_REPLICAS)
        elif name == "wait_ms":
            wait_ms = _number(value, "wait_ms", 1, MAX_WAIT_MS)
        else:
            rest.append((name, value))
    return Replication(replicas, wait_ms), rest


def parse_redis_url(url: str) -> RedisTarget:
    """``url`` as a ``RedisTarget``; ``RedisUrlError`` names what is wrong."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in PLAIN_SCHEMES:
        replication, rest = _options(parts.query, Replication(0))
        if len(rest) < len(parse_qsl(parts.query, keep_blank_values=True)):
            url = urlunsplit(parts._replace(query=urlencode(rest)))
        return RedisTarget(replication, url=url)
    if scheme != SENTINEL_SCHEME:
        allowed = ", ".join(f"{s}://" for s in (*PLAIN_SCHEMES, SENTINEL_SCHEME))
        raise RedisUrlError(f"--redis must start with {allowed} (got '{parts.scheme}://')")
    replication, rest = _options(parts.query, Replication(1))
    if rest:
        names = ", ".join(sorted({name for name, _ in rest}))
        raise RedisUrlError(
            f"unknown option(s) {names} in a {SENTINEL_SCHEME}:// URL "
            f"(allowed: {', '.join(OUR_OPTIONS)})"
        )
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if not at:
        userinfo, hosts = "", parts.netloc
    user, colon, password = userinfo.partition(":")
    sentinels = tuple(_host_port(item) for item in hosts.split(",")) if hosts else ()
    if not sentinels:
        raise RedisUrlError(f"{SENTINEL_SCHEME}:// needs at least one sentinel, as in {EXAMPLE}")
    segments = parts.path.strip("/").split("/") if parts.path.strip("/") else []
    if not segments:
        raise RedisUrlError(f"{SENTINEL_SCHEME}:// needs the master's name, as in {EXAMPLE}")
    if len(segments) > 2:
        raise RedisUrlError(
            f"{SENTINEL_SCHEME}:// has /<master>/<db> after the sentinels, as in {EXAMPLE} "
            f"(got '{parts.path}')"
        )
    if not _MASTER_NAME.fullmatch(segments[0]):
        raise RedisUrlError(
            f"the master's name is 1–64 letters, digits, '_', '.' or '-' (got '{segments[0]}')"
        )
    db = _number(segments[1], "the database", 0, 10_000) if len(segments) == 2 else 0
    return RedisTarget(
        replication,
        sentinels=sentinels,
        master=segments[0],
        db=db,
        username=unquote(user) if user else None,
        password=unquote(password) if colon else None,
    )


class SentinelRedis(aioredis.Redis):
    """A client of the current primary that also closes the sentinel connections it asked."""

    sentinels: Sentinel | None = None

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        if self.sentinels is not None:
            await self.sentinels.aclose()


def redis_client(url: str, **options: Any) -> aioredis.Redis:
    """A client for ``url`` (``redis://``, ``rediss://``, ``redis+sentinel://``, with user
    and password) that retries a command on a dead connection. ``options`` override the
    defaults."""
    target = parse_redis_url(url)
    settings: dict[str, Any] = {
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "socket_timeout": COMMAND_TIMEOUT_S,
        "health_check_interval": HEALTH_CHECK_S,
        "socket_keepalive": True,
    }
    if not target.sentinel:
        return aioredis.Redis.from_url(target.url, **(settings | options))
    auth: dict[str, Any] = {"username": target.username, "password": target.password}
    # A sentinel that does not answer is skipped for the next one, never retried.
    sentinel = Sentinel(
        list(target.sentinels),
        sentinel_kwargs={
            "socket_connect_timeout": CONNECT_TIMEOUT_S,
            "socket_timeout": CONNECT_TIMEOUT_S,
            "retry": Retry(NoBackoff(), 0),
            **auth,
        },
    )
    client = sentinel.master_for(
        target.master, redis_class=SentinelRedis, **({"db": target.db} | auth | settings | options)
    )
    assert isinstance(client, SentinelRedis)
    client.sentinels = sentinel
    return client
