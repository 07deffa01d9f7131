"""Faults: one of two wall processes hangs (SIGSTOP: alive, not answering; issue 11, point
8). The other process must not keep counting the hung one's screens as online: after the
presence TTL its ``/health`` shows them gone, and once the hung process runs again
(SIGCONT) they come back. (Moving those screens to the other server is the kiosk's part,
tested with the takeover.)"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from wallprocess import RedisServer, WallProcess, wall_pair
from wallsupport import ScreenClient, wait_until

from command_center.tasks import cancel_all

pytestmark = pytest.mark.redis
SCREENS = ("left-top", "right-top")
HEALTH = {"offset_ms": 0.0, "rtt_ms": 1.0, "width": 1920, "height": 1080}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    redis_server = RedisServer().start()
    try:
        with wall_pair(tmp_path, redis_server.url, list_servers=False) as (a, b):
            try:
                yield a, b
            finally:
                if a.proc is not None:
                    os.kill(a.proc.pid, signal.SIGCONT)  # a stopped process cannot stop
    finally:
        redis_server.stop()


class ReportingScreen:
    """A screen on one process that reports health every second and, like a kiosk,
    connects again when its link closes."""

    def __init__(self, wall: WallProcess, screen: str) -> None:
        self.wall, self.screen = wall, screen
        self.reconnects = 0

    async def run(self) -> None:
        url = f"ws://127.0.0.1:{self.wall.port}/ws/screen"
        token = self.wall.token("screen", self.screen)
        while True:
            with contextlib.suppress(OSError, websockets.ConnectionClosed):
                # No client pings: the server's own pings keep the link (and a hung
                # server must be noticed by the other process, not by this client).
                async with websockets.connect(
                    url, origin=f"http://127.0.0.1:{self.wall.port}", ping_interval=None
                ) as ws:
                    client = ScreenClient(ws)
                    await client.send(type="hello", screen=self.screen, token=token)
                    while True:
                        await client.send(type="health", **HEALTH)
                        await asyncio.sleep(1.0)
            self.reconnects += 1
            await asyncio.sleep(0.5)


async def test_a_hung_process_screens_go_offline_on_the_other_then_come_back(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    assert a.proc is not None
    screens = [ReportingScreen(a, s) for s in SCREENS]
    tasks = [asyncio.create_task(s.run()) for s in screens]

    async def b_health() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=10) as client:
            body: dict[str, Any] = (await client.get(f"{b.url}/health")).json()
            return body

    try:

        async def b_sees(expected: list[str]) -> bool:
            return (await b_health())["screens_elsewhere"] == expected

        await wait_until(lambda: b_sees(sorted(SCREENS)), within=20, what="B seeing A's screens")

        os.kill(a.proc.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        await wait_until(lambda: b_sees([]), within=40, what="A's screens offline on B")
        print(f"B shows A's screens offline {time.monotonic() - stopped:.1f} s after SIGSTOP")
        health = await b_health()
        assert health["screens_on_wall"] == 0 and health["status"] == "ok", health
        # The wall is not dark because of it: B itself is healthy and answers.

        os.kill(a.proc.pid, signal.SIGCONT)
        resumed = time.monotonic()
        await wait_until(lambda: b_sees(sorted(SCREENS)), within=40, what="A's screens back")
        print(
            f"B shows A's screens again {time.monotonic() - resumed:.1f} s after SIGCONT "
            f"(screen reconnects: {[s.reconnects for s in screens]})"
        )
        assert (await b_health())["screens_on_wall"] == len(SCREENS)
    finally:
        await cancel_all(tasks)
