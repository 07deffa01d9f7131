"""The sign-in limiter: the back-off rule as a pure function, then the limiter over both
places its attempts live (a SQLite file in the data folder, and the real Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from command_center.server.login_limit import (
    ATTEMPTS_FILE,
    AttemptKeys,
    Attempts,
    LoginLimiter,
    LoginPolicy,
    RedisAttempts,
    SqliteAttempts,
    retry_after_s,
    user_delay_s,
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


def test_keys_fold_case_group_ipv6_and_bound_the_name() -> None:
    keys = AttemptKeys.of(" Admin ", "10.0.0.5")
    assert keys.all() == ["pair:admin|10.0.0.5", "addr:10.0.0.5", "user:admin"]
    # Two addresses of one IPv6 /64 are one client for the limits.
    a = AttemptKeys.of("admin", "2001:db8:1:2::1")
    b = AttemptKeys.of("admin", "2001:db8:1:2:ffff::9")
    assert a == b
    assert a.address == "addr:2001:db8:1:2::/64"
    assert AttemptKeys.of("x" * 500, None).user == "user:" + "x" * 128


@pytest.mark.parametrize(
    ("count", "delay"),
    [(0, 0.0), (4, 0.0), (5, 0.25), (8, 1.0), (40, 3.0)],
    ids=["none", "four", "fifth", "eighth", "capped"],
)
def test_the_username_alone_only_slows(count: int, delay: float) -> None:
    assert user_delay_s([T0 - 1] * count, T0, POLICY) == pytest.approx(delay)


# --- the limiter over both backends ------------------------------------------------------------


class Clock:
    """Time the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
async def attempts(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Attempts, Attempts]]:
    """Two views of the same attempts: two connections, as two server processes."""
    if request.param == "sqlite":
        a = await SqliteAttempts.open(tmp_path / ATTEMPTS_FILE, POLICY)
        b = await SqliteAttempts.open(tmp_path / ATTEMPTS_FILE, POLICY)
        try:
            yield a, b
        finally:
            await a.close()
            await b.close()
        return
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("redis_prefix")
    ra, rb = aioredis.Redis.from_url(url), aioredis.Redis.from_url(url)
    try:
        yield RedisAttempts(ra, prefix, POLICY), RedisAttempts(rb, prefix, POLICY)
    finally:
        await ra.aclose()
        await rb.aclose()


async def fail(limiter: LoginLimiter, username: str, address: str) -> float:
    """One wrong password: counted by ``begin``; returns the lock it met (0: it was checked)."""
    return (await limiter.begin(username, address)).retry_after_s


async def test_five_failures_lock_the_pair_not_the_person(
    attempts: tuple[Attempts, Attempts],
) -> None:
    clock = Clock()
    one, other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for _ in range(5):
        assert await fail(one, "truc-ban", "10.0.0.66") == 0
        clock.now += 1
    # The other process sees the same count: the guesser's pair is locked …
    assert await fail(other, "truc-ban", "10.0.0.66") == pytest.approx(59)
    # … the duty officer at her own desk is not, only slowed a little.
    attempt = await other.begin("truc-ban", "10.0.0.5")
    assert attempt.retry_after_s == 0
    assert attempt.delay_s == pytest.approx(0.25)
    await other.succeeded(attempt)
    clock.now += 60
    assert await fail(one, "truc-ban", "10.0.0.66") == 0
    assert await fail(other, "truc-ban", "10.0.0.66") == pytest.approx(120)  # doubling


async def test_an_address_is_locked_after_twenty_failures_across_names(
    attempts: tuple[Attempts, Attempts],
) -> None:
    clock = Clock()
    one, other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for i in range(20):
        assert await fail(one, f"user{i}", "10.0.0.66") == 0
    assert await fail(other, "someone-else", "10.0.0.66") == pytest.approx(60)
    assert await fail(other, "someone-else", "10.0.0.67") == 0


async def test_a_burst_is_counted_before_any_check(attempts: tuple[Attempts, Attempts]) -> None:
    clock = Clock()
    one, other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    results = await asyncio.gather(
        *((one if i % 2 else other).begin("truc-ban", "10.0.0.66") for i in range(50))
    )
    allowed = [r for r in results if r.retry_after_s == 0]
    assert len(allowed) == POLICY.pair_free  # exactly five reach the password check
    counts = await one.failures("truc-ban", "10.0.0.66")
    assert counts["pair"] == POLICY.pair_free  # refused ones were taken back


async def test_a_success_clears_the_pair(attempts: tuple[Attempts, Attempts]) -> None:
    clock = Clock()
    one, other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for _ in range(4):
        await fail(one, "Admin", "10.0.0.5")
    await other.succeeded(await other.begin("admin", "10.0.0.5"))
    for _ in range(4):
        await fail(one, "admin", "10.0.0.5")
    assert await fail(one, "admin", "10.0.0.5") == 0  # 4 since the success, not 8


async def test_attempts_expire_with_the_window(attempts: tuple[Attempts, Attempts]) -> None:
    clock = Clock()
    one, _other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for _ in range(5):
        await fail(one, "xem", "10.0.0.7")
    assert await fail(one, "xem", "10.0.0.7") > 0
    clock.now += POLICY.window_s + 1
    assert await fail(one, "xem", "10.0.0.7") == 0


async def test_clear_lifts_every_lock_of_a_user(attempts: tuple[Attempts, Attempts]) -> None:
    clock = Clock()
    one, other = (LoginLimiter(a, POLICY, clock) for a in attempts)
    for address in ("10.0.0.5", "10.0.0.6"):
        for _ in range(5):
            await fail(one, "truc_ban%", address)
    await fail(one, "truc_ban", "10.0.0.5")  # a name the range must not touch
    await other.clear("truc_ban%")
    assert await fail(one, "truc_ban%", "10.0.0.5") == 0
    assert await fail(one, "truc_ban%", "10.0.0.6") == 0
    assert (await one.failures("truc_ban", "10.0.0.5"))["pair"] == 1
    # From one address only.
    for _ in range(5):
        await fail(one, "xem", "10.0.0.8")
        await fail(one, "xem", "10.0.0.9")
    await other.clear("xem", "10.0.0.8")
    assert await fail(one, "xem", "10.0.0.8") == 0
    assert await fail(one, "xem", "10.0.0.9") > 0


async def test_sqlite_attempts_survive_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    first = await SqliteAttempts.open(tmp_path / ATTEMPTS_FILE, POLICY)
    for _ in range(5):
        await fail(LoginLimiter(first, POLICY, clock), "admin", "10.0.0.5")
    await first.close()
    again = await SqliteAttempts.open(tmp_path / ATTEMPTS_FILE, POLICY)
    try:
        assert await fail(LoginLimiter(again, POLICY, clock), "admin", "10.0.0.5") > 0
    finally:
        await again.close()
    assert (tmp_path / ATTEMPTS_FILE).stat().st_mode & 0o077 == 0
