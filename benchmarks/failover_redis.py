"""failover_redis: a wall on a primary, two replicas and three sentinels, an agency posting
batches all along; the primary is ``kill -9``ed N times. Per kill: the time from the kill
to the sentinels' promotion, and to the first batch acknowledged (201) by the new primary
(posts meanwhile get 503); at the end, the batches answered 201 that are not on the last
primary (observations lost: must be 0).

Two replicas and the URL's default ``replicas=1``, so the new primary still has one to
confirm each write (``WAIT``); a ``kill -9`` loses nothing even so, as the sentinels promote
the replica with the most data (a planned switchover would need ``replicas=2``: see the
README). The killed server comes back as a replica before the next kill. ``measure`` is for
``benchmarks/failover`` (issue 11 point 9) too.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

# isort: off
from benchmarks.rig import percentile, wall_server  # puts tests/ on the path for these two
from agency_load import AGENCY, Post, lost, post_batches
from sentinels import SentinelCluster
from wallsupport import wait_until

# isort: on

WARM_201S = 10  # acknowledged batches before each kill: the load is flowing


@dataclass(frozen=True)
class RedisFailover:
    kills: int
    promoted_s: list[float]  # kill -> the sentinels name a new primary
    failover_s: list[float]  # kill -> first 201 answered by the new primary
    acknowledged: int
    refused: int  # 503s
    other: int  # answers neither 201 nor 503 (500s, no answer): must be 0
    lost: int

    def lines(self) -> list[str]:
        f50, f95 = percentile(self.failover_s, 0.5), percentile(self.failover_s, 0.95)
        p50, p95 = percentile(self.promoted_s, 0.5), percentile(self.promoted_s, 0.95)
        return [
            f"failover_redis: {self.kills} kill -9 of the primary (2 replicas, WAIT for 1, "
            "3 sentinels, down-after 1000 ms)",
            f"  kill→first 201: p50 {f50:.1f} s, p95 {f95:.1f} s "
            f"(kill→promoted: p50 {p50:.1f} s, p95 {p95:.1f} s)",
            f"  batches: {self.acknowledged} answered 201, {self.refused} answered 503, "
            f"{self.other} other; observations lost: {self.lost} "
            f"({'none, as required' if self.lost == 0 else 'MUST BE 0'})",
        ]


async def one_kill(cluster: SentinelCluster, posts: list[Post]) -> tuple[float, float]:
    """Kill the primary under load; (kill→promoted, kill→first 201) in seconds. Returns
    once the killed server is back as a replica in sync, ready for the next kill."""
    since = len(posts)
    await wait_until(
        lambda: sum(p.status == 201 for p in posts[since:]) >= WARM_201S,
        within=120,
        what="201s before the kill",
    )
    old, killed_at = await asyncio.to_thread(cluster.kill_primary)
    await asyncio.to_thread(cluster.wait_promoted, old)
    promoted_at = time.monotonic()

    def first_back() -> Post | None:
        return next((p for p in posts if p.sent > killed_at and p.status == 201), None)

    back = await wait_until(first_back, within=120, what="a 201 after the kill")
    await asyncio.to_thread(cluster.restart, old)
    return promoted_at - killed_at, back.answered - killed_at


async def measure(kills: int) -> RedisFailover:
    promoted: list[float] = []
    failover: list[float] = []
    posts: list[Post] = []
    with (
        tempfile.TemporaryDirectory(prefix="sentinel-bench-") as tmp,
        SentinelCluster(Path(tmp), replicas=2) as cluster,
        wall_server(1, 4, cluster.url) as wall,
    ):
        async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
            load = asyncio.create_task(post_batches(client, wall.token("agency", AGENCY), posts))
            try:
                for _ in range(kills):
                    to_promotion, to_201 = await one_kill(cluster, posts)
                    promoted.append(to_promotion)
                    failover.append(to_201)
            finally:
                load.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await load
        with cluster.primary.client() as redis:
            stored = {k.decode() for k in redis.hkeys("cc:obs:latest")}
    return RedisFailover(
        kills=kills,
        promoted_s=promoted,
        failover_s=failover,
        acknowledged=sum(p.status == 201 for p in posts),
        refused=sum(p.status == 503 for p in posts),
        other=sum(p.status not in (201, 503) for p in posts),
        lost=len(lost(posts, stored)),
    )


def run(kills: int) -> RedisFailover:
    return asyncio.run(measure(kills))
