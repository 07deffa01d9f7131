"""Faults: the Redis primary dies under load and the sentinels promote its replica (issue 11
point 4). The wall (``--redis redis+sentinel://…``) must follow the new primary, and never
acknowledge (201) a batch that no replica holds: the code before acknowledged every write
the primary took, and a promoted replica with no replica of its own took them all."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from agency_load import AGENCY, Post, lost, post_batches
from sentinels import SentinelCluster
from wallprocess import WallProcess
from wallsupport import WALL_2X2, ScreenClient, wait_until

pytestmark = pytest.mark.redis


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[SentinelCluster]:
    with SentinelCluster(tmp_path / "redis") as cluster:
        yield cluster


@pytest.fixture
def wall(tmp_path: Path, cluster: SentinelCluster) -> Iterator[WallProcess]:
    extra = ["--redis", cluster.url, "--no-simulator"]
    wall = WallProcess(data_dir=tmp_path / "wall", wall_file=WALL_2X2, extra=extra).start()
    try:
        yield wall
    finally:
        wall.stop()


async def test_the_wall_follows_a_sentinel_failover_and_loses_nothing_it_acknowledged(
    wall: WallProcess, cluster: SentinelCluster
) -> None:
    posts: list[Post] = []
    async with (
        httpx.AsyncClient(base_url=wall.url, timeout=30) as client,
        websockets.connect(
            f"ws://127.0.0.1:{wall.port}/ws/screen", origin=f"http://127.0.0.1:{wall.port}"
        ) as ws,
    ):
        name, password = wall.users["duty_officer"]
        signed_in = await client.post(
            "/api/v1/sessions", json={"username": name, "password": password}
        )
        auth = {"Authorization": f"Bearer {signed_in.json()['token']}"}
        screen = ScreenClient(ws)
        await screen.send(type="hello", screen="left-top", token=wall.token("screen", "left-top"))
        assert (await screen.recv("layout", within=15))["preset"] == "overview"

        loop = asyncio.create_task(post_batches(client, wall.token("agency", AGENCY), posts))
        try:
            await wait_until(
                lambda: sum(p.status == 201 for p in posts) >= 10, within=30, what="201s"
            )
            old, killed_at = await asyncio.to_thread(cluster.kill_primary)
            await asyncio.to_thread(cluster.wait_promoted, old)
            promoted_at = time.monotonic()
            # The promoted replica has no replica of its own: nothing it takes is safe yet.
            await wait_until(
                lambda: any(p.sent > promoted_at and p.status == 503 for p in posts),
                within=30,
                what="a 503 from the new primary while it has no replica",
            )
            restart_at = time.monotonic()
            await asyncio.to_thread(cluster.restart, old)  # back as the new one's replica
            await wait_until(
                lambda: any(p.answered > restart_at and p.status == 201 for p in posts),
                within=60,
                what="a 201 once the new primary has a replica again",
            )
            back_at = next(p.answered for p in posts if p.answered > restart_at and p.status == 201)
        finally:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop

        statuses = {p.status for p in posts}
        assert statuses <= {201, 503}, f"answers other than 201/503: {statuses}"
        assert any(killed_at < p.answered < restart_at and p.status == 503 for p in posts)
        unsafe = [
            p for p in posts if p.sent > promoted_at and p.answered < restart_at and p.status == 201
        ]
        assert not unsafe, f"acknowledged with no replica to hold them: {unsafe}"

        # Every batch acknowledged, before, during and after the failover, is on the new
        # primary (read directly, not through the wall).
        with cluster.primary.client() as redis_client:
            stored = {k.decode() for k in redis_client.hkeys("cc:obs:latest")}
        acknowledged = sum(p.status == 201 for p in posts)
        missing = lost(posts, stored)
        assert not missing, f"{len(missing)} acknowledged batches lost: {missing[:10]}"

        # The wall follows: a switch reaches the screen, /health says the bus is back.
        r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=auth)
        assert r.status_code == 202, r.text
        layout = await screen.recv("layout", within=15)
        assert layout["preset"] == "calibration"
        health = (await client.get("/health")).json()
        assert health["status"] == "ok" and health["bus"]["state"] == "ok"
        assert health["bus"]["reconnects"] >= 1

    refused = sum(p.status == 503 for p in posts)
    print(
        f"\nsentinel failover: kill -> promoted {promoted_at - killed_at:.1f} s; "
        f"kill -> first 201 {back_at - killed_at:.1f} s (old primary restarted as a replica "
        f"{restart_at - killed_at:.1f} s after the kill); {acknowledged} batches "
        f"acknowledged, all stored; {refused} answered 503"
    )
