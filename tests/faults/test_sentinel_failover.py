"""Faults: the Redis primary dies under load (or is switched over for maintenance) and the
sentinels promote its replica (issue 11 point 4). The wall (``--redis redis+sentinel://…``) must follow the new primary, and never
acknowledge (201) a batch that no replica holds: the code before acknowledged every write
the primary took, and a promoted replica with no replica of its own took them all."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
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


@dataclass
class Room:
    """What the failover tests drive: the API as the duty officer, one screen, one agency
    posting batches until ``stop_load``."""

    client: httpx.AsyncClient
    officer: dict[str, str]
    screen: ScreenClient
    posts: list[Post]
    load: asyncio.Task[None] | None = None

    def acknowledged(self, after: float = 0.0) -> int:
        return sum(p.status == 201 for p in self.posts if p.sent > after)

    async def stop_load(self) -> None:
        if self.load is not None:
            self.load.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.load

    async def check_the_wall_followed(self, cluster: SentinelCluster) -> None:
        """Only 201 or 503 was ever answered; every batch answered 201 is on the current
        primary (read there, not through the wall); a switch reaches the screen; /health
        is ok."""
        await self.stop_load()
        statuses = {p.status for p in self.posts}
        assert statuses <= {201, 503}, f"answers other than 201/503: {statuses}"
        with cluster.primary.client() as redis_client:
            stored = {k.decode() for k in redis_client.hkeys("cc:obs:latest")}
        missing = lost(self.posts, stored)
        assert not missing, f"{len(missing)} acknowledged batches lost: {missing[:10]}"
        r = await self.client.post(
            "/api/v1/switch", json={"preset": "calibration"}, headers=self.officer
        )
        assert r.status_code == 202, r.text
        assert (await self.screen.recv("layout", within=15))["preset"] == "calibration"
        last: dict[str, object] = {}

        async def healthy() -> bool:
            # /health follows a change within ~2 s (its store probe runs every second).
            last.update((await self.client.get("/health")).json())
            bus = last.get("bus")
            return last.get("status") == "ok" and isinstance(bus, dict) and bus["state"] == "ok"

        try:
            await wait_until(healthy, within=15, what="/health ok after the failover")
        except AssertionError:
            raise AssertionError(f"/health after the failover: {last}") from None


@contextlib.asynccontextmanager
async def room_under_load(wall: WallProcess) -> AsyncIterator[Room]:
    """A signed-in officer, a screen on the current layout and an agency posting (from at
    least ten 201s on)."""
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
        officer = {"Authorization": f"Bearer {signed_in.json()['token']}"}
        screen = ScreenClient(ws)
        await screen.send(type="hello", screen="left-top", token=wall.token("screen", "left-top"))
        assert (await screen.recv("layout", within=15))["preset"] == "overview"
        room = Room(client, officer, screen, [])
        credential = wall.token("agency", AGENCY)
        room.load = asyncio.create_task(post_batches(client, credential, room.posts))
        try:
            await wait_until(lambda: room.acknowledged() >= 10, within=30, what="201s")
            yield room
        finally:
            await room.stop_load()


async def test_the_wall_follows_a_sentinel_failover_and_loses_nothing_it_acknowledged(
    wall: WallProcess, cluster: SentinelCluster
) -> None:
    async with room_under_load(wall) as room:
        posts = room.posts
        old, killed_at = await asyncio.to_thread(cluster.kill_primary)
        await asyncio.to_thread(cluster.wait_promoted, old)
        promoted_at = time.monotonic()
        # The promoted replica has no replica of its own: nothing it takes is safe yet.
        await wait_until(
            lambda: any(p.sent > promoted_at and p.status == 503 for p in posts),
            within=30,
            what="a 503 from the new primary while it has no replica",
        )

        async def store_degraded() -> bool:
            store = (await room.client.get("/health")).json()["dependencies"]["store"]
            return bool(store["status"] == "degraded" and "replica" in store.get("detail", ""))

        await wait_until(store_degraded, within=15, what="/health: store degraded, no replica")
        restart_at = time.monotonic()
        await asyncio.to_thread(cluster.restart, old)  # back as the new one's replica
        await wait_until(
            lambda: room.acknowledged(after=restart_at) >= 10,
            within=60,
            what="201s once the new primary has a replica again",
        )
        await room.check_the_wall_followed(cluster)
        health = (await room.client.get("/health")).json()
        assert health["bus"]["reconnects"] >= 1
    back_at = next(p.answered for p in posts if p.sent > restart_at and p.status == 201)
    assert any(killed_at < p.answered < restart_at and p.status == 503 for p in posts)
    unsafe = [
        p for p in posts if p.sent > promoted_at and p.answered < restart_at and p.status == 201
    ]
    assert not unsafe, f"acknowledged with no replica to hold them: {unsafe}"
    print(
        f"\nsentinel failover: kill -> promoted {promoted_at - killed_at:.1f} s; "
        f"kill -> first 201 {back_at - killed_at:.1f} s (old primary restarted as a replica "
        f"{restart_at - killed_at:.1f} s after the kill); {room.acknowledged()} batches "
        f"acknowledged, all stored; {sum(p.status == 503 for p in posts)} answered 503"
    )


async def test_a_planned_switchover_under_load_loses_nothing(
    wall: WallProcess, cluster: SentinelCluster
) -> None:
    """``SENTINEL FAILOVER``, as for maintenance: the old primary stays up and is made the
    new one's replica; the wall moves over, answering 503 (never 500) meanwhile."""
    async with room_under_load(wall) as room:
        old = cluster.primary
        started_at = time.monotonic()
        with cluster.sentinels[0].client() as sentinel:
            assert sentinel.execute_command("SENTINEL", "FAILOVER", "wall")
        await asyncio.to_thread(cluster.wait_promoted, old)
        promoted_at = time.monotonic()
        await wait_until(
            lambda: room.acknowledged(after=promoted_at) >= 10,
            within=60,
            what="201s from the new primary",
        )
        await room.check_the_wall_followed(cluster)
    back_at = next(p.answered for p in room.posts if p.sent > promoted_at and p.status == 201)
    print(
        f"\nsentinel switchover: promoted {promoted_at - started_at:.1f} s after SENTINEL "
        f"FAILOVER, first 201 after it {back_at - started_at:.1f} s; "
        f"{room.acknowledged()} batches acknowledged, all stored; "
        f"{sum(p.status == 503 for p in room.posts)} answered 503"
    )
