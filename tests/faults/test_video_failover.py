"""Fault: ``kill -9`` of the wall process a bridge point publishes to (issue 11 pt 6, 8).

Two wall processes on one Redis, both listed with ``--server``; a headless bridge point
(``video.client``, its own process) knows both and publishes to A; a viewer on B watches
the point (B pulls it from A). A is killed: the client finds its link silent, publishes
again to B, and the viewer on B gets frames again on the same WHEP session. The time from
the kill to the first frame is printed, not asserted (a shared machine's timing is no
test).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from relaysupport import LOOPBACK, Collector
from wallprocess import ROOT, WallProcess, video_pair
from wallsupport import wait_until

from video.whip_client import watch

pytestmark = pytest.mark.redis
POINT = "quang-ninh"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    # One key file for both (keys never go into Redis); media on loopback only.
    with video_pair(tmp_path) as walls:
        yield walls


async def bridge_client(a: WallProcess, token: str) -> asyncio.subprocess.Process:
    """The headless point, told only A's URL: it reads the server list from A."""
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "video.client", "--url", a.url, "--point", POINT),
        *(f"--token={token}", "--size", "320x180", "--no-audio", "--ice-address", "127.0.0.1"),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def roster_of(
    wall: WallProcess, client: httpx.AsyncClient, users: WallProcess
) -> dict[str, object]:
    """``POINT`` in ``wall``'s roster (the accounts were printed by ``users``, the first)."""
    name, password = users.users["duty_officer"]
    r = await client.post(
        f"{wall.url}/api/v1/sessions", json={"username": name, "password": password}
    )
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    got = await client.get(f"{wall.url}/api/v1/video/roster", headers=auth)
    return next(p for p in got.json()["points"] if p["id"] == POINT)


async def test_video_is_back_on_b_after_kill_9_of_a(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    proc = await bridge_client(a, a.token("bridge", POINT))
    output: list[str] = []

    async def read() -> None:
        assert proc.stdout is not None
        async for line in proc.stdout:
            output.append(line.decode(errors="replace"))

    reader = asyncio.ensure_future(read())
    frames = Collector()
    viewer = None
    try:
        async with httpx.AsyncClient() as client:

            async def on_a() -> bool:
                return bool((await roster_of(a, client, a))["in_call"])

            await wait_until(on_a, within=60, what="the point in call on A")
            viewer = await watch(
                b.url,
                POINT,
                f"point:hue:{b.token('bridge', 'hue')}",
                frames,
                host_addresses=LOOPBACK,
            )
            await wait_until(lambda: frames.count() >= 30, within=30, what="frames via A")
            killed_at = time.time()
            a.stop(kill=True)
            await wait_until(
                lambda: len(frames.back_after(killed_at)) >= 30,
                within=60,
                what="frames again on B after A was killed",
            )
            back = frames.back_after(killed_at)[0]
            print(f"\nkill -9 of A -> video back on B: {back.received_at - killed_at:.2f} s")
            # B holds the point now (the client published again to B, its second server).
            status = await roster_of(b, client, a)
            assert status["in_call"] and status["subscribers"] == 1, status
            assert any(f"publishing as {POINT} to {b.url}" in line for line in output), output
    finally:
        if viewer is not None:
            await viewer.close()
        proc.terminate()
        await proc.wait()
        reader.cancel()
