"""The bus across processes: Redis pub/sub on one channel, payloads signed (``signing.py``).

A Redis bus whose link breaks (Redis restarted, a network fault) reconnects by itself, for
as long as it takes, and then hands every subscriber a ``BusResumed``: what was published
meanwhile is gone (pub/sub keeps nothing), so each subscriber re-reads what it shows from
the stores. Subscriptions never end because of a fault, only when the bus closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from command_center.bus.contract import BusResumed
from command_center.bus.signing import SIG_LEN, PayloadCheck, seal
from command_center.bus.subscription import DEFAULT_QUEUE_SIZE, Subscription
from command_center.messages import BUS_MESSAGE, AnyBusMessage
from command_center.redis_client import redis_client
from command_center.tasks import end

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "cc:bus"
SUBSCRIBE_TIMEOUT_S = 5.0
MAX_AWAITED_ECHOES = 64  # own payloads awaiting their return from Redis
# Reconnecting after a fault: the first retry at once, then doubling up to the cap.
RECONNECT_FIRST_S = 0.1
RECONNECT_CAP_S = 2.0


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
        self._key = key
        self._check = PayloadCheck(key, channel)
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
        payload = seal(self._key, BUS_MESSAGE.dump_json(message, serialize_as_any=True))
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
        await end(pump)  # a cancellation redis-py lost inside a read is repeated
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
                self._check.remember(data[:SIG_LEN])  # a replay of our own is refused too
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
        return self._check.rejected

    def _decode(self, signed: bytes) -> AnyBusMessage | None:
        data = self._check.verified(signed)
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
