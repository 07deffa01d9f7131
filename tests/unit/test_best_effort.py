"""Best-effort bookkeeping (issue 11): a failing store or bus write never reaches the
screen link that caused it, a hung one never piles tasks up, and failures are logged at a
bounded rate. (The same with a real Redis killed under real screens:
tests/faults/test_redis_outage_links.py.)"""

from __future__ import annotations

import asyncio
import logging

import pytest
from wallsupport import wait_until

from command_center.server.best_effort import Bookkeeping, Job, RateLimitedLog


def test_failures_are_logged_once_per_kind_per_period_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    errors = RateLimitedLog(logging.getLogger("test.best_effort"), 30.0, lambda: now[0])
    with caplog.at_level(logging.WARNING, "test.best_effort"):
        for _ in range(100):
            errors.failed("presence renewal", ConnectionError("down"))
            now[0] += 0.1  # 10 s in all
        errors.failed("screen record", OSError("full"))
        now[0] = 31.0
        errors.failed("presence renewal", ConnectionError("down"))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert lines[0].startswith("presence renewal failed 1 time(s)")
    assert lines[1].startswith("screen record failed 1 time(s)")
    assert lines[2].startswith("presence renewal failed 100 time(s)")  # 99 held back + 1


async def test_one_job_per_key_in_flight_and_only_the_newest_waits() -> None:
    release = asyncio.Event()
    ran: list[int] = []

    def job(n: int) -> Job:
        async def run() -> None:
            ran.append(n)
            await release.wait()

        return run

    book = Bookkeeping()
    for n in range(50):  # a hung store: 50 reports arrive while the first write hangs
        book.run("record:s1", "screen record", job(n))
    await asyncio.sleep(0)
    assert ran == [0] and book.in_flight == 1
    release.set()
    await wait_until(lambda: book.in_flight == 0, what="the jobs done")
    assert ran == [0, 49]  # the newest, never the 48 in between


async def test_a_failing_job_is_counted_not_raised() -> None:
    async def fails() -> None:
        raise ConnectionError("Redis down")

    book = Bookkeeping()
    book.run("presence:s1", "presence renewal", fails)
    await wait_until(lambda: book.in_flight == 0, what="the job done")
    assert book.failed_at is not None and book.succeeded_at is None
