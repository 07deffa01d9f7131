"""Password guessing: failed sign-ins back off, per username and per client address.

``/login`` and ``POST /api/v1/sessions`` ask ``LoginLimiter.retry_after`` before checking a
password, and report the outcome after. The rule (``retry_after_s``, pure):

* failures count for 15 minutes (``window_s``);
* the first 5 in a window cost nothing;
* from the 5th on, each failure locks the key for 1 minute, doubling with every further
  failure (1, 2, 4, 8 min, at most the window): a person who mistyped recovers within a
  minute, a guesser gets about ten tries per 15 minutes instead of thousands;
* a success clears the username's and the address's failures.

Two keys are checked, so neither spreading guesses over many accounts from one address nor
over many addresses at one account escapes. A locked key is refused before any password is
checked, so a refusal says nothing about whether the guess was right.

Where the failures live (``limiter_for``): with ``--redis`` in Redis, beside the store's
keys, so every server process sees the same count; with the embedded store in this
process's memory. That is enough there because the embedded store is a single process's
SQLite file: there is no second process to guess through. A restart forgets the
failures; it also costs the guesser the restart.

Known limits: per-username locking lets someone who knows a username delay that person's
sign-in (by about the lock, since they must keep failing); the check and the count are
two steps, so a burst sent at once may get a few more tries than the rule says before the
count catches up (each still pays an argon2id verification). The client address is the
connection's (``request.remote_ip``); behind a reverse proxy, serve with X-Forwarded-For
trusted, or every client shares the proxy's address.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from command_center.store import Store
from command_center.store.redis_store import RedisStore


@dataclass(frozen=True)
class LoginPolicy:
    """The numbers of the rule in the module doc."""

    free_failures: int = 5
    window_s: float = 15 * 60
    first_lock_s: float = 60.0
    # Failures kept per key: enough to reach the longest lock.
    kept: int = 32


def retry_after_s(failures: Sequence[float], now: float, policy: LoginPolicy) -> float:
    """Seconds until ``failures`` (times, seconds since the epoch) allow another try; 0 now.

    Failures older than the window are ignored. With ``free_failures`` or more left, the
    last one locks for ``first_lock_s × 2^(extra)``, ``extra`` counting failures beyond
    the free ones, capped at the window.
    """
    recent = sorted(t for t in failures if now - policy.window_s < t <= now)
    extra = len(recent) - policy.free_failures
    if extra < 0:
        return 0.0
    lock = min(policy.window_s, policy.first_lock_s * 2.0 ** min(extra, 32))
    return max(0.0, recent[-1] + lock - now)


def wait_text(seconds: float) -> tuple[str, str]:
    """(Vietnamese, English) for how long to wait: "2 phút", "45 giây"; from 50 s on in
    whole minutes, rounded up, so a lock just started reads "1 phút", not "60 giây"."""
    if seconds > 50:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} phút", f"{minutes} min"
    s = max(1, math.ceil(seconds))
    return f"{s} giây", f"{s} s"


class Attempts(Protocol):
    """Failed sign-in times by key; each method is one round trip at most."""

    async def failures(self, keys: Sequence[str], now: float) -> list[list[float]]: ...

    async def add_failure(self, keys: Sequence[str], now: float) -> None: ...

    async def clear(self, keys: Sequence[str]) -> None: ...


class MemoryAttempts:
    """One process's failures (see the module doc for when that is enough). Bounded: at
    most ``max_keys`` keys, the least recently failed forgotten first."""

    def __init__(self, policy: LoginPolicy, max_keys: int = 10_000) -> None:
        self._policy = policy
        self._max_keys = max_keys
        self._times: OrderedDict[str, list[float]] = OrderedDict()

    async def failures(self, keys: Sequence[str], now: float) -> list[list[float]]:
        horizon = now - self._policy.window_s
        return [[t for t in self._times.get(k, ()) if t > horizon] for k in keys]

    async def add_failure(self, keys: Sequence[str], now: float) -> None:
        horizon = now - self._policy.window_s
        for key in keys:
            times = [t for t in self._times.pop(key, []) if t > horizon]
            self._times[key] = [*times, now][-self._policy.kept :]
        while len(self._times) > self._max_keys:
            self._times.popitem(last=False)

    async def clear(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._times.pop(key, None)


class RedisAttempts:
    """Failures in Redis, shared by every server process: one sorted set per key (member
    unique per failure, score its time), trimmed to the window and to ``kept``, expiring
    with the window."""

    def __init__(self, redis: Any, prefix: str, policy: LoginPolicy) -> None:
        self._redis = redis
        self._prefix = f"{prefix}login-failures:"
        self._policy = policy

    async def failures(self, keys: Sequence[str], now: float) -> list[list[float]]:
        horizon = now - self._policy.window_s
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zrangebyscore(self._prefix + key, f"({horizon}", "+inf", withscores=True)
            rows = await pipe.execute()
        return [[float(score) for _member, score in row] for row in rows]

    async def add_failure(self, keys: Sequence[str], now: float) -> None:
        horizon = now - self._policy.window_s
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                name = self._prefix + key
                pipe.zadd(name, {f"{now}:{uuid.uuid4().hex[:8]}": now})
                pipe.zremrangebyscore(name, "-inf", horizon)
                pipe.zremrangebyrank(name, 0, -(self._policy.kept + 1))
                pipe.expire(name, math.ceil(self._policy.window_s))
            await pipe.execute()

    async def clear(self, keys: Sequence[str]) -> None:
        if keys:
            await self._redis.delete(*(self._prefix + k for k in keys))


def limit_keys(username: str, address: str | None) -> list[str]:
    """The keys one attempt counts against: the username (case-folded, bounded) and the
    client address."""
    keys = [f"user:{username.strip().casefold()[:128]}"]
    if address:
        keys.append(f"addr:{address[:64]}")
    return keys


class LoginLimiter:
    """The check before a password is verified and the bookkeeping after."""

    def __init__(
        self,
        attempts: Attempts,
        policy: LoginPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.attempts = attempts
        self.policy = policy or LoginPolicy()
        self._clock = clock

    async def retry_after(self, username: str, address: str | None) -> float:
        """0 when this attempt may go ahead, else seconds to wait (the longest of the keys)."""
        now = self._clock()
        rows = await self.attempts.failures(limit_keys(username, address), now)
        return max((retry_after_s(row, now, self.policy) for row in rows), default=0.0)

    async def failed(self, username: str, address: str | None) -> None:
        await self.attempts.add_failure(limit_keys(username, address), self._clock())

    async def succeeded(self, username: str, address: str | None) -> None:
        await self.attempts.clear(limit_keys(username, address))

    async def clear_user(self, username: str) -> None:
        """Unlock the name (a password reset): its addresses keep their own counts."""
        await self.attempts.clear(limit_keys(username, None))


def limiter_for(store: Store, policy: LoginPolicy | None = None) -> LoginLimiter:
    """Failures beside the store: in Redis when the store is Redis, else in memory."""
    policy = policy or LoginPolicy()
    if isinstance(store, RedisStore):
        return LoginLimiter(RedisAttempts(store.client, store.prefix, policy), policy)
    return LoginLimiter(MemoryAttempts(policy), policy)
