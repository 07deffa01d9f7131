"""Password guessing: failed sign-ins lock the guesser, never the person guessed at.

Every attempt is counted before its password is checked (``LoginLimiter.begin``): one
atomic step (a Redis transaction, or one SQLite transaction) records the attempt against
three keys and returns what each held before it, so a burst sent at once is counted
exactly: the sixth of fifty simultaneous guesses sees five before it and is refused,
whatever the timing. A refused attempt is taken back (it checked nothing); a checked
one that failed stays; a success clears its (username, address) pair.

The keys and what they may do (``LoginPolicy``):

* ``(username, address)``: the hard lock. From the 5th failure in 15 minutes, 1 minute,
  doubling with each further failure, at most 15 minutes (``retry_after_s``). Someone
  guessing the duty officer's password from another machine locks only themselves;
* the address alone: locked the same way after 20 failures across usernames, so spraying
  one password over many accounts from one machine stops too;
* the username alone: never locked; past 5 failures each attempt waits a little longer
  before its check (0.25 s more per failure, at most 3 s), which slows a distributed
  guesser without ever refusing the real owner.

Addresses are the client's (``client_address``: X-Forwarded-For only from a trusted
proxy), IPv6 grouped by /64 (``rate_key``).

Where the failures live (``open_login_limiter``): with ``--redis`` in Redis beside the
store's keys, shared by every server process; otherwise in a small SQLite file in the
data folder (``login-attempts.sqlite3``), so a restart does not forget them. The admin
unlock (``run_wall.py unlock``) and a password reset call ``LoginLimiter.clear``.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from command_center.server.client_address import rate_key
from command_center.sqlite_worker import SqliteWorker, rollback
from command_center.store import Store
from command_center.store.redis_store import RedisStore

ATTEMPTS_FILE = "login-attempts.sqlite3"


@dataclass(frozen=True)
class LoginPolicy:
    """The numbers of the rule in the module doc."""

    window_s: float = 15 * 60
    pair_free: int = 5
    address_free: int = 20
    first_lock_s: float = 60.0
    user_free: int = 5
    user_delay_step_s: float = 0.25
    user_delay_max_s: float = 3.0
    # Failures kept per key: enough to reach the longest lock.
    kept: int = 64


def retry_after_s(
    failures: Sequence[float], now: float, policy: LoginPolicy, free: int | None = None
) -> float:
    """Seconds until ``failures`` (times, seconds since the epoch) allow another try; 0 now.

    Failures older than the window are ignored. With ``free`` (default: the pair's) or
    more left, the last one locks for ``first_lock_s × 2^(extra)``, ``extra`` counting
    failures beyond the free ones, capped at the window.
    """
    free = policy.pair_free if free is None else free
    recent = sorted(t for t in failures if now - policy.window_s < t <= now)
    extra = len(recent) - free
    if extra < 0:
        return 0.0
    lock = min(policy.window_s, policy.first_lock_s * 2.0 ** min(extra, 32))
    return max(0.0, recent[-1] + lock - now)


def user_delay_s(failures: Sequence[float], now: float, policy: LoginPolicy) -> float:
    """The username's slow-down: 0 up to ``user_free`` recent failures, then a step more
    per failure, never more than ``user_delay_max_s``."""
    recent = sum(1 for t in failures if now - policy.window_s < t <= now)
    extra = recent - policy.user_free + 1
    return min(policy.user_delay_max_s, max(0, extra) * policy.user_delay_step_s)


def wait_text(seconds: float) -> tuple[str, str]:
    """(Vietnamese, English) for how long to wait: "2 phút", "45 giây"; from 50 s on in
    whole minutes, rounded up, so a lock just started reads "1 phút", not "60 giây"."""
    if seconds > 50:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} phút", f"{minutes} min"
    s = max(1, math.ceil(seconds))
    return f"{s} giây", f"{s} s"


def user_part(username: str) -> str:
    return username.strip().casefold()[:128]


@dataclass(frozen=True)
class AttemptKeys:
    """The three keys one attempt counts against (see the module doc)."""

    pair: str
    address: str
    user: str

    @classmethod
    def of(cls, username: str, address: str | None) -> AttemptKeys:
        user = user_part(username)
        addr = rate_key(address) if address else "unknown"
        return cls(pair=f"pair:{user}|{addr}", address=f"addr:{addr}", user=f"user:{user}")

    def all(self) -> list[str]:
        return [self.pair, self.address, self.user]


class Attempts(Protocol):
    """Attempt records by key; each method is one atomic step."""

    async def reserve(self, keys: Sequence[str], attempt: str, now: float) -> list[list[float]]:
        """Record ``attempt`` at ``now`` under every key; return each key's earlier times."""
        ...

    async def release(self, keys: Sequence[str], attempt: str) -> None: ...

    async def clear(self, keys: Sequence[str]) -> None: ...

    async def clear_prefix(self, prefix: str) -> int:
        """Delete every key starting with ``prefix``; how many were deleted."""
        ...

    async def times(self, key: str, now: float) -> list[float]: ...


class SqliteAttempts:
    """Attempts in a SQLite file of the data folder, one worker thread for it."""

    def __init__(self, worker: SqliteWorker, policy: LoginPolicy) -> None:
        self._worker = worker
        self._policy = policy

    @classmethod
    async def open(cls, path: Path, policy: LoginPolicy) -> SqliteAttempts:
        def connect() -> sqlite3.Connection:
            if not path.exists():  # the file holds who tried from where: not for others
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(path, isolation_level=None, timeout=10)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, id TEXT NOT NULL,"
                " at REAL NOT NULL, PRIMARY KEY (key, id))"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS attempts_at ON attempts (at)")
            return conn

        return cls(await SqliteWorker.open(connect, "login-attempts"), policy)

    async def close(self) -> None:
        await self._worker.close()

    async def reserve(self, keys: Sequence[str], attempt: str, now: float) -> list[list[float]]:
        horizon = now - self._policy.window_s
        kept = self._policy.kept

        def job(conn: sqlite3.Connection) -> list[list[float]]:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM attempts WHERE at <= ?", (horizon,))
                rows = []
                for key in keys:
                    found = conn.execute(
                        "SELECT at FROM attempts WHERE key = ? ORDER BY at", (key,)
                    ).fetchall()
                    rows.append([float(at) for (at,) in found])
                    conn.execute("INSERT INTO attempts VALUES (?, ?, ?)", (key, attempt, now))
                    conn.execute(
                        "DELETE FROM attempts WHERE key = ? AND id NOT IN (SELECT id FROM"
                        " attempts WHERE key = ? ORDER BY at DESC LIMIT ?)",
                        (key, key, kept),
                    )
                conn.execute("COMMIT")
            except BaseException:
                rollback(conn)
                raise
            return rows

        return await self._worker.run(job)

    async def release(self, keys: Sequence[str], attempt: str) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "DELETE FROM attempts WHERE key = ? AND id = ?", [(k, attempt) for k in keys]
            )

        await self._worker.run(job)

    async def clear(self, keys: Sequence[str]) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.executemany("DELETE FROM attempts WHERE key = ?", [(k,) for k in keys])

        await self._worker.run(job)

    async def clear_prefix(self, prefix: str) -> int:
        def job(conn: sqlite3.Connection) -> int:
            # A range, not LIKE: a username may hold '%' or '_'.
            end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            found = conn.execute(
                "SELECT COUNT(DISTINCT key) FROM attempts WHERE key >= ? AND key < ?",
                (prefix, end),
            ).fetchone()[0]
            conn.execute("DELETE FROM attempts WHERE key >= ? AND key < ?", (prefix, end))
            return int(found)

        return await self._worker.run(job)

    async def times(self, key: str, now: float) -> list[float]:
        horizon = now - self._policy.window_s

        def job(conn: sqlite3.Connection) -> list[float]:
            rows = conn.execute(
                "SELECT at FROM attempts WHERE key = ? AND at > ? ORDER BY at", (key, horizon)
            ).fetchall()
            return [float(at) for (at,) in rows]

        return await self._worker.run(job)


class RedisAttempts:
    """Attempts in Redis, shared by every server process: one sorted set per key (member
    the attempt's id, score its time), trimmed to the window and to ``kept``, expiring
    with the window. ``reserve`` is one MULTI/EXEC transaction."""

    def __init__(self, redis: Any, prefix: str, policy: LoginPolicy) -> None:
        self._redis = redis
        self._prefix = f"{prefix}login-attempts:"
        self._policy = policy

    async def reserve(self, keys: Sequence[str], attempt: str, now: float) -> list[list[float]]:
        horizon = now - self._policy.window_s
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                name = self._prefix + key
                pipe.zremrangebyscore(name, "-inf", horizon)
                pipe.zrange(name, 0, -1, withscores=True)
                pipe.zadd(name, {attempt: now})
                pipe.zremrangebyrank(name, 0, -(self._policy.kept + 1))
                pipe.expire(name, math.ceil(self._policy.window_s))
            results = await pipe.execute()
        return [[float(score) for _m, score in results[i * 5 + 1]] for i in range(len(keys))]

    async def release(self, keys: Sequence[str], attempt: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.zrem(self._prefix + key, attempt)
            await pipe.execute()

    async def clear(self, keys: Sequence[str]) -> None:
        if keys:
            await self._redis.delete(*(self._prefix + k for k in keys))

    async def clear_prefix(self, prefix: str) -> int:
        pattern = self._prefix + _glob_escape(prefix) + "*"
        names = [name async for name in self._redis.scan_iter(match=pattern, count=500)]
        if names:
            await self._redis.delete(*names)
        return len(names)

    async def times(self, key: str, now: float) -> list[float]:
        horizon = now - self._policy.window_s
        rows = await self._redis.zrangebyscore(
            self._prefix + key, f"({horizon}", "+inf", withscores=True
        )
        return [float(score) for _m, score in rows]


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt, already counted. ``retry_after_s`` > 0: refused (and already
    taken back); else wait ``delay_s`` (the username's slow-down), then check."""

    keys: AttemptKeys
    id: str
    retry_after_s: float
    delay_s: float


class LoginLimiter:
    """Counts attempts before their check, and the bookkeeping after."""

    def __init__(
        self,
        attempts: Attempts,
        policy: LoginPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.attempts = attempts
        self.policy = policy or LoginPolicy()
        self._clock = clock

    async def begin(self, username: str, address: str | None) -> Attempt:
        keys = AttemptKeys.of(username, address)
        attempt_id = uuid.uuid4().hex
        now = self._clock()
        pair, addr, user = await self.attempts.reserve(keys.all(), attempt_id, now)
        wait = max(
            retry_after_s(pair, now, self.policy, self.policy.pair_free),
            retry_after_s(addr, now, self.policy, self.policy.address_free),
        )
        if wait > 0:
            await self.attempts.release(keys.all(), attempt_id)
            return Attempt(keys, attempt_id, wait, 0.0)
        return Attempt(keys, attempt_id, 0.0, user_delay_s(user, now, self.policy))

    async def not_checked(self, attempt: Attempt) -> None:
        """The attempt never reached its check (the server was busy): take it back."""
        await self.attempts.release(attempt.keys.all(), attempt.id)

    async def succeeded(self, attempt: Attempt) -> None:
        """Right password: the pair starts afresh; the attempt leaves the other keys."""
        await self.attempts.clear([attempt.keys.pair])
        await self.attempts.release([attempt.keys.address, attempt.keys.user], attempt.id)

    async def clear(self, username: str, address: str | None = None) -> int:
        """Lift the locks on ``username``: from ``address`` (and that address's own
        lock) or, without one, from every address. How many keys were cleared."""
        user = user_part(username)
        if address is None:
            cleared = await self.attempts.clear_prefix(f"pair:{user}|")
            await self.attempts.clear([f"user:{user}"])
            return cleared + 1
        keys = AttemptKeys.of(username, address)
        await self.attempts.clear(keys.all())
        return 3

    async def failures(self, username: str, address: str | None) -> dict[str, int]:
        """How many attempts each key holds now (for tests and the admin's view)."""
        keys = AttemptKeys.of(username, address)
        now = self._clock()
        return {
            "pair": len(await self.attempts.times(keys.pair, now)),
            "address": len(await self.attempts.times(keys.address, now)),
            "user": len(await self.attempts.times(keys.user, now)),
        }

    async def clear_user(self, username: str) -> None:
        """Unlock the name from every address (a password reset)."""
        await self.clear(username)


@contextlib.asynccontextmanager
async def open_login_limiter(
    store: Store, data_dir: Path, policy: LoginPolicy | None = None
) -> AsyncIterator[LoginLimiter]:
    """Attempts beside the store: in Redis when the store is Redis, else in SQLite."""
    policy = policy or LoginPolicy()
    if isinstance(store, RedisStore):
        yield LoginLimiter(RedisAttempts(store.client, store.prefix, policy), policy)
        return
    attempts = await SqliteAttempts.open(data_dir / ATTEMPTS_FILE, policy)
    try:
        yield LoginLimiter(attempts, policy)
    finally:
        await attempts.close()
