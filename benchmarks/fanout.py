"""fanout: N screens × T tiles, K updates per second injected at the server's bus (as a
feed in another process would), measured from injection to applied in each page."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

from benchmarks.rig import (
    chromium,
    chromium_cpu_seconds,
    cpu_seconds,
    open_screens,
    percentile,
    private_redis,
    wall_server,
)


@dataclass(frozen=True)
class FanoutResult:
    screens: int
    tiles: int
    rate: int
    seconds: float
    injected: int
    p50_ms: float
    p99_ms: float
    worst_screen_p99_ms: float
    samples: int
    cpu_pct: float
    browsers_cpu_pct: float
    bytes_per_screen_s: float

    def lines(self) -> list[str]:
        return [
            f"fanout: N={self.screens} screens, T={self.tiles} tiles, K={self.rate} updates/s, "
            f"{self.seconds:.0f} s ({self.injected} updates injected)",
            f"  latency injection→applied ({self.samples} tile updates on screens): "
            f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"
            f" (target p99 ≤ 100 ms: {'met' if self.p99_ms <= 100 else 'NOT met'});"
            f" worst screen's p99 {self.worst_screen_p99_ms:.1f} ms",
            f"  server CPU: {self.cpu_pct:.1f} % of one core"
            f" (target ≤ 50 %: {'met' if self.cpu_pct <= 50 else 'NOT met'})",
            f"  bytes per screen per second: {self.bytes_per_screen_s:,.0f}",
            # On one machine the screens' browsers share its cores with the server: when
            # they use most of them, the latency above is the browsers' queue, not ours.
            f"  the {self.screens} Chromium screens used {self.browsers_cpu_pct:.0f} % of one core"
            f" ({os.cpu_count()} cores here)",
        ]


async def inject(redis_url: str, tiles: int, rate: int, seconds: float) -> int:
    """Publish ``rate`` tile updates per second for ``seconds``, in 10 ms slices."""
    client = aioredis.Redis.from_url(redis_url)
    sent = 0
    try:
        start = time.monotonic()
        slice_s = 0.01
        while (elapsed := time.monotonic() - start) < seconds:
            due = int(elapsed * rate) + 1 - sent
            if due > 0:
                async with client.pipeline(transaction=False) as pipe:
                    for _ in range(due):
                        now = time.time() * 1000.0
                        i = random.randrange(tiles)
                        message = {
                            "type": "tile_data",
                            "tile": f"t{i}",
                            "data": {"vi": f"{sent:,}".replace(",", "."), "as_of": now},
                            "ts": now,
                        }
                        pipe.publish("cc:bus", json.dumps(message))
                        sent += 1
                    await pipe.execute()
            await asyncio.sleep(slice_s)
    finally:
        await client.aclose()
    return sent


async def run(
    screens: int, tiles: int, rate: int, seconds: float, flush_hz: float = 30.0
) -> FanoutResult:
    with (
        private_redis() as redis_url,
        wall_server(screens, tiles, redis_url, flush_hz=flush_hz) as wall,
    ):
        assert wall.proc is not None
        async with chromium() as context:
            pages, counters = await open_screens(context, wall)
            await inject(redis_url, tiles, rate, min(2.0, seconds))  # warm up
            for page in pages:
                await page.evaluate("() => window.wallScreen.clearLatency()")
            bytes_before = [c.total for c in counters]
            cpu_before, t0 = cpu_seconds(wall.proc.pid), time.monotonic()
            browsers_before = chromium_cpu_seconds()
            injected = await inject(redis_url, tiles, rate, seconds)
            elapsed = time.monotonic() - t0
            cpu = (cpu_seconds(wall.proc.pid) - cpu_before) / elapsed * 100
            browsers = (chromium_cpu_seconds() - browsers_before) / elapsed * 100
            await asyncio.sleep(0.3)  # the last flush lands
            samples = [
                await page.evaluate("() => window.wallScreen.latencySamples()") for page in pages
            ]
            sent = [c.total - b for c, b in zip(counters, bytes_before, strict=True)]
    pooled = [x for page in samples for x in page]
    worst = max((percentile(page, 0.99) for page in samples if page), default=float("nan"))
    return FanoutResult(
        screens=screens,
        tiles=tiles,
        rate=rate,
        seconds=seconds,
        injected=injected,
        # Every update applied on every screen in the measured window, pooled.
        p50_ms=percentile(pooled, 0.5),
        p99_ms=percentile(pooled, 0.99),
        worst_screen_p99_ms=worst,
        samples=len(pooled),
        cpu_pct=cpu,
        browsers_cpu_pct=browsers,
        bytes_per_screen_s=sum(sent) / len(sent) / elapsed,
    )
