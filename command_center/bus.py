"""The bus: every part of the centre publishes typed messages, every subscriber sees them.

    Bus (Protocol)         publish / subscribe / close
    ├── MemoryBus          one process: subscribers are queues in this event loop
    └── RedisBus           many processes: Redis pub/sub, messages as JSON (``BUS_MESSAGE``),
                           each signed with the bus key from the key file (Redis never holds
                           it): forged or unsigned payloads are dropped and counted
    create_bus(url, key)   picks one from settings (aiortc's ``create_signaling`` pattern)

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

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import logging
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from command_center.messages import BUS_MESSAGE, AnyBusMessage
from command_center.redis_client import redis_client
from command_center.tasks import stop_if_cancelled

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10_000
DEFAULT_CHANNEL = "cc:bus"
SUBSCRIBE_TIMEOUT_S = 5.0
MAX_AWAITED_ECHOES = 64  # own payloads awaiting their return from Redis
_SIG_LEN = 43  # unpadded urlsafe base64 of an HMAC-SHA256
# A signed message older or newer than this (by its sender's clock) is refused as a replay;
# the servers' clocks must agree within it (NTP). Signatures are remembered twice as long.
REPLAY_WINDOW_S = 60.0
# Reconnecting after a fault: the first retry at once, then doubling up to the cap.
RECONNECT_FIRST_S = 0.1
RECONNECT_CAP_S = 2.0


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


class RedisBus:
    """The bus across processes: Redis pub/sub on one channel.

    One pub/sub connection per process, whatever the number of subscribers: a pump task
    drains Redis at once (so Redis never buffers for us), decodes each payload once and puts
    the same frozen message on every subscriber's bounded queue, as ``MemoryBus`` does. A
    payload this process published comes back byte for byte: its subscribers get the very
    object published, not a decoded copy (a 10,000-observation batch is not parsed again
    by the process that sent it). Payloads that are not a valid bus message (another program
    on the channel, an older version of ours) are logged and skipped.

    Every payload is ``<sig>.<sent at, ms>.<nonce>.<json>``, sig the HMAC-SHA256 (base64)
    of the rest; one with a missing or wrong signature (anyone who can reach Redis may
    PUBLISH), sent outside ``REPLAY_WINDOW_S`` or seen before (a replay) is dropped, counted
    in ``rejected`` and logged. The join tokens below carry no state and are not signed.

    A subscriber joining a live connection must not see what was published before it
    joined: it publishes a token on this process's own join channel and starts receiving
    after the pump reads that token back (Redis delivers in the order it executed the
    publishes, so everything after the token was published after the join).
    """

    def __init__(
        self,
        url: str,
        channel: str = DEFAULT_CHANNEL,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        *,
        key: bytes,
    ) -> None:
        if len(key) < 16:
            raise ValueError(f"the bus key must have at least 16 bytes (got {len(key)})")
        self._key = key
        self._rejected = 0
        self._seen: OrderedDict[bytes, float] = OrderedDict()  # signature -> received (monotonic)
        self._client: aioredis.Redis = redis_client(url)
        # The listening connection never retries inside redis-py: a retry there would
        # resubscribe silently and hide the gap; the pump reconnects and says so instead.
        # It waits for messages as long as it takes (no read timeout, no idle PING).
        self._listener: aioredis.Redis = redis_client(
            url,
            retry=Retry(NoBackoff(), 0),
            retry_on_error=[],
            socket_timeout=None,
            health_check_interval=0,
        )
        self._reconnects = 0
        self._down_since: float | None = None  # wall clock, while the link is broken
        self._channel = channel
        self._join_channel = f"{channel}:join:{uuid.uuid4().hex}"
        self._queue_size = queue_size
        self._live: set[Subscription] = set()
        self._joining: dict[str, Subscription] = {}  # join token -> subscription
        self._tokens = itertools.count()
        self._link: tuple[Any, asyncio.Task[None]] | None = None  # (pubsub, pump)
        self._link_lock = asyncio.Lock()
        # Payloads published while someone listens, until they come back (or too many wait).
        self._sent: OrderedDict[bytes, AnyBusMessage] = OrderedDict()
        self._closed = False

    async def publish(self, message: AnyBusMessage) -> None:
        if self._closed:
            raise RuntimeError("bus is closed")
        # As its own class: a producer's subclass may serialise the same JSON faster.
        payload = self._signed(BUS_MESSAGE.dump_json(message, serialize_as_any=True))
        own = self._link is not None
        if own:  # remembered first: the echo may arrive before PUBLISH returns
            self._sent[payload] = message
            while len(self._sent) > MAX_AWAITED_ECHOES:
                self._sent.popitem(last=False)
        try:
            await self._client.publish(self._channel, payload)
        except BaseException:
            if own:
                self._sent.pop(payload, None)
            raise

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        if self._closed:
            raise RuntimeError("bus is closed")
        subscription = Subscription(self._queue_size)
        await self._join(subscription)
        try:
            yield subscription
        finally:
            await self._leave(subscription)

    async def _join(self, subscription: Subscription) -> None:
        async with self._link_lock:
            if self._link is None:
                # A fresh connection's confirmed SUBSCRIBE is the join: nothing earlier.
                pubsub = await self._listen()
                self._live.add(subscription)
                self._link = (pubsub, asyncio.create_task(self._pump(pubsub)))
                return
            token = str(next(self._tokens))
            self._joining[token] = subscription
        try:
            await self._client.publish(self._join_channel, token)
        except BaseException:
            self._joining.pop(token, None)
            raise

    async def _leave(self, subscription: Subscription) -> None:
        self._live.discard(subscription)
        for token, joining in list(self._joining.items()):
            if joining is subscription:
                del self._joining[token]
        async with self._link_lock:
            if self._live or self._joining or self._link is None:
                return
            await self._unlink()

    async def _unlink(self) -> None:
        """Close the connection (no subscriber left, or the bus closes)."""
        if self._link is None:
            return
        pubsub, pump = self._link
        self._link = None
        self._sent.clear()
        pump.cancel()
        # ``wait`` neither raises the pump's outcome nor swallows our own cancellation.
        await asyncio.wait([pump])
        await pubsub.aclose()

    @property
    def down_since(self) -> float | None:
        return self._down_since

    @property
    def reconnects(self) -> int:
        return self._reconnects

    async def _listen(self) -> Any:
        """A pub/sub connection subscribed (confirmed) to the channel and our join channel."""
        pubsub = self._listener.pubsub()
        try:
            await pubsub.subscribe(self._channel, self._join_channel)
            await _confirmed(pubsub, 2)
        except BaseException:
            await pubsub.aclose()
            raise
        return pubsub

    async def _pump(self, pubsub: Any) -> None:
        while True:
            try:
                await self._drain(pubsub)
                error: Exception | None = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = exc
            pubsub = await self._relink(pubsub, error)

    async def _drain(self, pubsub: Any) -> None:
        async for raw in pubsub.listen():
            if raw["type"] != "message":
                continue
            data = raw["data"]
            if raw["channel"] != self._channel.encode():
                joined = self._joining.pop(data.decode(), None)
                if joined is not None:
                    self._live.add(joined)
                continue
            message = self._sent.pop(data, None)
            if message is not None:
                self._remember(data[:_SIG_LEN])  # a replay of our own is refused too
            else:
                message = self._decode(data)
            if message is not None:
                for subscription in self._live:
                    subscription.put(message)

    async def _relink(self, broken: Any, error: Exception | None) -> Any:
        """Reconnect until Redis answers, then tell every subscriber what the gap was."""
        down = time.monotonic()
        self._down_since = time.time()
        log.error("bus link on %r broke (%s); reconnecting", self._channel, error or "closed")
        with contextlib.suppress(Exception):
            await broken.aclose()
        self._sent.clear()  # echoes of what was published before the break never come
        pause = RECONNECT_FIRST_S
        while True:
            try:
                pubsub = await self._listen()
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("bus reconnect failed: %s", exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RECONNECT_CAP_S)
        assert self._link is not None  # _unlink cancels this task before clearing it
        self._link = (pubsub, self._link[1])
        self._reconnects += 1
        self._down_since = None
        gap = time.monotonic() - down
        log.warning(
            "bus link on %r is back after %.1f s; subscribers resynchronise", self._channel, gap
        )
        # A join token published before the break may never come back: join them now.
        self._live.update(self._joining.values())
        self._joining.clear()
        for subscription in self._live:
            subscription.put(BusResumed(gap))
        return pubsub

    def _end_all(self, error: BaseException | None) -> None:
        for subscription in [*self._live, *self._joining.values()]:
            subscription.end(error)
        self._live.clear()
        self._joining.clear()

    @property
    def rejected(self) -> int:
        return self._rejected

    def _signed(self, body: bytes) -> bytes:
        return seal(self._key, body)

    def _verified(self, data: bytes) -> bytes | None:
        sig, dot, signed = data[:_SIG_LEN], data[_SIG_LEN : _SIG_LEN + 1], data[_SIG_LEN + 1 :]
        if dot != b"." or not hmac.compare_digest(sig, _sig(self._key, signed)):
            self._reject("unsigned or forged", data)
            return None
        sent_ms, _, rest = signed.partition(b".")
        _, _, body = rest.partition(b".")
        if not sent_ms.isdigit() or abs(time.time() - int(sent_ms) / 1000) > REPLAY_WINDOW_S:
            self._reject("stale (replayed?)", data)
            return None
        if sig in self._seen:
            self._reject("replayed", data)
            return None
        self._remember(sig)
        return body

    def _remember(self, sig: bytes) -> None:
        now = time.monotonic()
        self._seen[sig] = now
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= 2 * REPLAY_WINDOW_S:
                break
            del self._seen[oldest]

    def _reject(self, why: str, data: bytes) -> None:
        self._rejected += 1
        if self._rejected == 1 or self._rejected % 1000 == 0:
            log.warning(
                "dropped a %s message on bus channel %r (%d so far; latest: %r)",
                why,
                self._channel,
                self._rejected,
                data[:80],
            )

    def _decode(self, signed: bytes) -> AnyBusMessage | None:
        data = self._verified(signed)
        if data is None:
            return None
        try:
            return BUS_MESSAGE.validate_json(data)
        except ValidationError as exc:
            log.warning(
                "skipped malformed message on bus channel %r: %r (%d error(s): %s)",
                self._channel,
                data[:200],
                exc.error_count(),
                exc.errors()[0]["msg"],
            )
            return None

    async def close(self) -> None:
        self._closed = True
        self._end_all(None)
        async with self._link_lock:
            await self._unlink()
        await self._client.aclose()
        await self._listener.aclose()


async def _confirmed(pubsub: Any, channels: int) -> None:
    """Wait for Redis to acknowledge SUBSCRIBE to every channel: from then on no published
    message is missed."""
    async with asyncio.timeout(SUBSCRIBE_TIMEOUT_S):
        while channels:
            reply = await pubsub.get_message(timeout=None)
            if reply is not None and reply["type"] == "subscribe":
                channels -= 1


def create_bus(redis_url: str | None, key: bytes | None = None) -> Bus:
    """Redis when a URL is configured (several server processes), else in memory.

    The URL may carry a password or an ACL user (``redis://user:password@host:6379/0``) and
    ``rediss://`` for TLS; redis-py reads both. ``key`` signs the messages (the key file's
    bus key, the same in every process); a Redis bus needs it.
    """
    if not redis_url:
        return MemoryBus()
    if key is None:
        raise ValueError("a Redis bus needs the bus key (keys.bus, from the key file)")
    return RedisBus(redis_url, key=key)


def seal(key: bytes, body: bytes) -> bytes:
    """``body`` as it travels on the bus: signature, send time, nonce, body."""
    # The nonce makes every payload unique, so a second arrival is always a replay.
    signed = b"%d.%s.%s" % (time.time_ns() // 1_000_000, secrets.token_hex(8).encode(), body)
    return _sig(key, signed) + b"." + signed


def unseal_unchecked(data: bytes) -> bytes:
    """The body of a bus payload without checking it (for a benchmark reading the bus)."""
    return data.split(b".", 3)[3]


def _sig(key: bytes, body: bytes) -> bytes:
    return base64.urlsafe_b64encode(hmac.digest(key, body, hashlib.sha256)).rstrip(b"=")
