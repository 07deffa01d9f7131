"""The sign-in limiter: the back-off rule as a pure function, then the limiter over both
places its failures live (this process's memory, and the real Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from command_center.server.login_limit import (
    Attempts,
    LoginLimiter,
    LoginPolicy,
    MemoryAttempts,
    RedisAttempts,
    limit_keys,
    retry_after_s,
    wait_text,
)

POLICY = LoginPolicy()  # 5 free failures in 15 min, then 1 min doubling, at most 15 min
T0 = 1_800_000_000.0


@pytest.mark.parametrize(
    ("failures", "now", "wait"),
    [
        ([], T0, 0.0),
        ([T0 - 4, T0 - 3, T0 - 2, T0 - 1], T0, 0.0),  # 4 failures: still free
        ([T0 - 4, T0 - 3, T0 - 2, T0 - 1, T0], T0, 60.0),  # the 5th locks for a minute
        ([T0 - 4, T0 - 3, T0 - 2, T0 - 1, T0], T0 + 59, 1.0),
        ([T0 - 4, T0 - 3, T0 - 2, T0 - 1, T0], T0 + 60, 0.0),  # … and only a minute
        ([T0 - 5, T0 - 4, T0 - 3, T0 - 2, T0 - 1, T0], T0, 120.0),  # then doubling
        ([T0 - k for k in range(7)], T0, 240.0),
        ([T0 - k for k in range(30)], T0, 900.0),  # never longer than the window
        # Failures older than 15 minutes no longer count.
        ([T0 - 901, T0 - 902, T0 - 903, T0 - 3, T0], T0, 0.0),
        ([T0 - 899, T0 - 898, T0 - 897, T0 - 3, T0], T0, 60.0),
        # Order does not matter: the lock runs from the latest failure.
        ([T0, T0 - 10, T0 - 20, T0 - 30, T0 - 40], T0 + 30, 30.0),
    ],
    ids=[
        "none",
        "four-free",
        "fifth-locks",
        "almost-over",
        "over",
        "sixth-doubles",
        "seventh",
        "capped",
        "old-ones-expire",
        "inside-window",
        "unordered",
    ],
)
def test_back_off_rule(failures: list[float], now: float, wait: float) -> None:
    assert retry_after_s(failures, now, POLICY) == pytest.approx(wait)


@pytest.mark.parametrize(
    ("seconds", "texts"),
    [
        (0.2, ("1 giây", "1 s")),
        (45, ("45 giây", "45 s")),
        (59.6, ("1 phút", "1 min")),
        (61, ("2 phút", "2 min")),
    ],
)
def test_wait_is_said_in_vietnamese_first(seconds: float, texts: tuple[str, str]) -> None:
    assert wait_text(seconds) == texts


def test_keys_fold_case_and_name_the_address() -> None:
    assert limit_keys(" Admin ", "10.0.0.5") == ["user:admin", "addr:10.0.0.5"]
    assert limit_keys("x" * 500, None) == ["user:" + "x" * 128]


# --- the limiter over both backends ------------------------------------------------------------


class Clock:
    """Time the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def attempts(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[Attempts, Attempts]]:
    """Two views of the same failures: for Redis, two clients, as two server processes."""
    if request.param == "memory":
        memory = MemoryAttempts(POLICY)
        yield memory, memory
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    a, b = aioredis.Redis.from_url(url), aioredis.Redis.from_url(url)
    try:
        yield RedisAttempts(a, prefix, POLICY), RedisAttempts(b, prefix, POLICY)
    finally:
        await a.aclose()
        await b.aclose()


async def test_five_failures_lock_the_username_and_the_address(
    attempts: tuple[Attempts, Attempts],
) -> None:
    clock = Clock()
    one, other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for _ in range(5):
        assert await one.retry_after("admin", "10.0.0.5") == 0
        await one.failed("admin", "10.0.0.5")
        clock.now += 1
    # The other process sees the same count: the username is locked from anywhere …
    assert await other.retry_after("admin", "10.0.0.9") == pytest.approx(59)
    # … and the address for any username.
    assert await other.retry_after("truc-ban", "10.0.0.5") == pytest.approx(59)
    assert await other.retry_after("truc-ban", "10.0.0.9") == 0
    clock.now += 60
    assert await one.retry_after("admin", "10.0.0.5") == 0
    await one.failed("admin", "10.0.0.5")  # the 6th: two minutes
    assert await other.retry_after("admin", None) == pytest.approx(120)


async def test_a_success_clears_the_failures(attempts: tuple[Attempts, Attempts]) -> None:
    clock = Clock()
    one, other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for _ in range(4):
        await one.failed("Admin", "10.0.0.5")
    await other.succeeded("admin", "10.0.0.5")
    for _ in range(4):
        await one.failed("admin", "10.0.0.5")
    assert await one.retry_after("admin", "10.0.0.5") == 0  # 4 since the success, not 8


async def test_failures_expire_with_the_window(attempts: tuple[Attempts, Attempts]) -> None:
    clock = Clock()
    one, _other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for _ in range(5):
        await one.failed("xem", "10.0.0.7")
    assert await one.retry_after("xem", "10.0.0.7") > 0
    clock.now += POLICY.window_s + 1
    assert await one.retry_after("xem", "10.0.0.7") == 0
    await one.failed("xem", "10.0.0.7")  # a fresh window: one failure, no lock
    assert await one.retry_after("xem", "10.0.0.7") == 0


async def test_memory_keeps_a_bounded_number_of_keys() -> None:
    memory = MemoryAttempts(POLICY, max_keys=3)
    for i in range(10):
        await memory.add_failure([f"user:u{i}"], T0)
    assert await memory.failures(["user:u0", "user:u9"], T0) == [[], [T0]]
