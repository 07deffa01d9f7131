"""The loop-lag monitor: what /health reports of how free the event loop is."""

from __future__ import annotations

import asyncio
import time

from command_center.server.loop_lag import LoopLag, watch_loop


def test_p99_and_max_over_the_window_only() -> None:
    now = [1000.0]
    lag = LoopLag(interval_s=0.05, window_s=60.0, clock=lambda: now[0])
    assert lag.snapshot() == {"p99_ms": 0.0, "max_ms": 0.0, "samples": 0}
    lag.record(900.0, 500.0)  # older than the window: not counted
    for i in range(100):
        lag.record(990.0, float(i))
    snap = lag.snapshot()
    assert snap == {"p99_ms": 98.0, "max_ms": 99.0, "samples": 100}


def test_a_shorter_window_sees_only_the_recent_samples() -> None:
    now = [1000.0]
    lag = LoopLag(interval_s=0.05, window_s=60.0, clock=lambda: now[0])
    lag.record(960.0, 400.0)  # in the minute, not in the last 10 s
    lag.record(995.0, 3.0)
    assert lag.snapshot()["max_ms"] == 400.0
    assert lag.snapshot(10.0) == {"p99_ms": 3.0, "max_ms": 3.0, "samples": 1}
    assert lag.snapshot(600.0)["samples"] == 2  # never wider than what is kept


def test_the_ring_is_bounded() -> None:
    lag = LoopLag(interval_s=0.05, window_s=60.0, clock=lambda: 0.0)
    for _ in range(10_000):
        lag.record(0.0, 1.0)
    assert lag.snapshot()["samples"] == 1201


async def test_a_blocked_loop_shows_as_lag() -> None:
    async with watch_loop(LoopLag(interval_s=0.01)) as lag:
        await asyncio.sleep(0.05)
        time.sleep(0.3)  # noqa: ASYNC251 -- on purpose: a handler holding the loop
        await asyncio.sleep(0.05)
    assert lag.snapshot()["max_ms"] >= 250.0
