"""One contract, two buses: in memory, and Redis pub/sub on a channel of this test's own."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
import redis.exceptions
from wallprocess import RedisServer
from wallsupport import wait_until

from command_center.bus import Bus, BusResumed, MemoryBus, RedisBus, create_bus
from command_center.messages import AnyBusMessage, LayoutSwitched, ScreenSwapped, TileDataChanged


async def next_message(
    messages: AsyncIterator[AnyBusMessage], within_s: float = 2.0
) -> AnyBusMessage:
    async with asyncio.timeout(within_s):
        return await anext(messages)


def tile(n: int) -> TileDataChanged:
    return TileDataChanged(tile="gdp", data={"value": n}, ts=1000.0 + n)


BUS_KEY = b"k" * 32  # every process of one wall signs with the key file's bus key


def signed(body: bytes, key: bytes = BUS_KEY, sent_at: float | None = None) -> bytes:
    """A payload as a RedisBus holding ``key`` sends it (at ``sent_at``, default now)."""
    stamped = b"%d.%s.%s" % ((sent_at or time.time()) * 1000, secrets.token_hex(8).encode(), body)
    sig = base64.urlsafe_b64encode(hmac.digest(key, stamped, hashlib.sha256)).rstrip(b"=")
    return sig + b"." + stamped


@pytest.fixture
def redis_channel(redis_prefix: str) -> str:
    return f"{redis_prefix}bus"


@pytest.fixture
async def redis_bus(redis_url: str, redis_channel: str) -> AsyncIterator[RedisBus]:
    """A Redis bus on this test's channel, signing with ``BUS_KEY``; closed after."""
    bus = RedisBus(redis_url, redis_channel, key=BUS_KEY)
    try:
        yield bus
    finally:
        await bus.close()


@pytest.fixture
async def raw_redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A plain client of the test Redis: what a forger, or Redis's admin, holds."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    opened: Bus
    if request.param == "memory":
        opened = MemoryBus()
    else:
        opened = RedisBus(
            request.getfixturevalue("redis_url"),
            request.getfixturevalue("redis_channel"),
            key=BUS_KEY,
        )
    try:
        yield opened
    finally:
        await opened.close()


async def test_subscriber_gets_typed_messages_in_order(bus: Bus) -> None:
    sent: list[AnyBusMessage] = [
        tile(1),
        LayoutSwitched(preset="p", version=2, switch_id="w1", swap_at=5.0, actor="admin"),
        ScreenSwapped(screen="s1", switch_id="w1", at=5.01),
        tile(2),
    ]
    async with bus.subscribe() as messages:
        for message in sent:
            await bus.publish(message)
        received = [await next_message(messages) for _ in sent]
    assert received == sent
    assert [type(m) for m in received] == [type(m) for m in sent]


async def test_two_subscribers_both_get_every_message(bus: Bus) -> None:
    async with bus.subscribe() as first, bus.subscribe() as second:
        await bus.publish(tile(1))
        await bus.publish(tile(2))
        assert [await next_message(first) for _ in range(2)] == [tile(1), tile(2)]
        assert [await next_message(second) for _ in range(2)] == [tile(1), tile(2)]


async def test_message_published_before_subscribing_is_not_delivered(bus: Bus) -> None:
    await bus.publish(tile(1))
    async with bus.subscribe() as messages:
        await bus.publish(tile(2))
        assert await next_message(messages) == tile(2)


async def test_close_ends_live_subscriptions(bus: Bus) -> None:
    async with bus.subscribe() as messages:
        await bus.publish(tile(1))
        assert await next_message(messages) == tile(1)
        await bus.close()
        async with asyncio.timeout(2):
            assert [m async for m in messages] == []


async def test_memory_bus_slow_subscriber_drops_oldest_and_publisher_never_blocks() -> None:
    bus = MemoryBus(queue_size=3)
    async with bus.subscribe() as slow:
        async with asyncio.timeout(1):  # would time out if publish waited for the reader
            for n in range(10):
                await bus.publish(tile(n))
        assert [await next_message(slow) for _ in range(3)] == [tile(7), tile(8), tile(9)]
        assert slow.dropped == 7
    await bus.close()


@pytest.mark.redis
async def test_redis_bus_skips_malformed_payloads(
    redis_bus: RedisBus,
    raw_redis: aioredis.Redis,
    redis_channel: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus, raw = redis_bus, raw_redis
    async with bus.subscribe() as messages:
        with caplog.at_level(logging.WARNING, logger="command_center.bus"):
            # Signed with the right key, so only their content is wrong.
            await raw.publish(redis_channel, signed(b"{not json"))
            await raw.publish(redis_channel, signed(b'{"type": "no_such_message"}'))
            await raw.publish(redis_channel, signed(b'{"type": "tile_data", "tile": "gdp"}'))
            await bus.publish(tile(1))
            assert await next_message(messages) == tile(1)
    assert sum("skipped malformed message" in r.message for r in caplog.records) == 3
    assert bus.rejected == 0


@pytest.mark.redis
async def test_redis_bus_drops_and_counts_unsigned_and_forged_messages(
    redis_bus: RedisBus, raw_redis: aioredis.Redis, redis_channel: str
) -> None:
    bus, raw = redis_bus, raw_redis
    forged = LayoutSwitched(preset="p", version=9, switch_id="f", swap_at=1.0, actor="x")
    body = forged.model_dump_json().encode()
    async with bus.subscribe() as messages:
        await raw.publish(redis_channel, body)  # unsigned
        await raw.publish(redis_channel, signed(body, b"w" * 32))  # another key
        await raw.publish(redis_channel, signed(body)[:-2] + b"}}")  # altered after signing
        await raw.publish(redis_channel, signed(body, sent_at=time.time() - 3600))  # stale
        await bus.publish(tile(1))
        assert await next_message(messages) == tile(1)
        good = signed(tile(2).model_dump_json().encode())
        await raw.publish(redis_channel, good)
        assert await next_message(messages) == tile(2)
        await raw.publish(redis_channel, good)  # a replay of a good one
        await bus.publish(tile(3))
        assert await next_message(messages) == tile(3)
    assert bus.rejected == 5


async def test_create_bus_picks_by_url() -> None:
    memory = create_bus(None)
    assert isinstance(memory, MemoryBus)
    await memory.close()
    remote = create_bus(
        "redis://127.0.0.1:6379/0", BUS_KEY
    )  # connects lazily: no server needed here
    assert isinstance(remote, RedisBus)
    await remote.close()


@pytest.mark.redis
async def test_redis_bus_late_subscriber_on_a_live_connection_gets_only_later_messages(
    redis_bus: RedisBus,
) -> None:
    bus = redis_bus
    async with bus.subscribe() as first:
        await bus.publish(tile(1))
        async with bus.subscribe() as second:  # joins the connection `first` opened
            await bus.publish(tile(2))
            assert await next_message(second) == tile(2)
        assert [await next_message(first) for _ in range(2)] == [tile(1), tile(2)]


@pytest.mark.redis
async def test_redis_bus_hands_its_own_messages_back_undecoded_and_others_decoded(
    redis_url: str, redis_channel: str
) -> None:
    mine = RedisBus(redis_url, redis_channel, key=BUS_KEY)
    theirs = RedisBus(redis_url, redis_channel, key=BUS_KEY)
    try:
        async with mine.subscribe() as messages:
            sent = tile(1)
            await mine.publish(sent)
            assert await next_message(messages) is sent  # one process: the object itself
            await theirs.publish(tile(2))
            received = await next_message(messages)
            assert received == tile(2)
    finally:
        await mine.close()
        await theirs.close()


@pytest.mark.redis
async def test_redis_bus_rides_through_a_redis_restart_and_says_what_was_lost() -> None:
    """Issue 11: the subscription outlives the outage (it used to end when redis-py gave
    up), reports the gap once the link is back, and delivers again."""
    server = RedisServer().start()
    bus = RedisBus(server.url, "cc:test-bus", key=BUS_KEY)
    try:
        async with bus.subscribe() as messages:
            await bus.publish(tile(1))
            assert await next_message(messages) == tile(1)
            server.stop(kill=True)
            await wait_until(lambda: bus.down_since is not None, within=10, what="link down")
            with pytest.raises(redis.exceptions.ConnectionError):
                await bus.publish(tile(2))  # the caller hears it: nothing is silently dropped
            await asyncio.sleep(1.0)  # an outage of a second or more
            server.start()
            resumed = await next_message(messages, within_s=15)
            assert isinstance(resumed, BusResumed) and resumed.gap_s >= 1.0
            assert bus.down_since is None and bus.reconnects == 1
            await bus.publish(tile(3))
            assert await next_message(messages) == tile(3)
    finally:
        await bus.close()
        server.stop()


@pytest.mark.redis
async def test_redis_bus_relinks_after_redis_drops_its_connection(
    redis_bus: RedisBus, raw_redis: aioredis.Redis
) -> None:
    """A connection cut by Redis itself (``CLIENT KILL``, an idle timeout, a proxy) is the
    same gap: reported, then live again."""
    async with redis_bus.subscribe() as messages:
        await raw_redis.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        resumed = await next_message(messages, within_s=10)
        assert isinstance(resumed, BusResumed)
        await redis_bus.publish(tile(4))
        assert await next_message(messages) == tile(4)
