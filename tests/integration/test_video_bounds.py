"""Hostile offers stay within bounds: each refusal says why, a credential cannot hold more
than its share of sessions, unconnected sessions are reaped, and the server's file
descriptors come back to where they were."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sdp_offers import many_videos, unbundled, watch_offer
from wallsupport import settings_for, wait_until

from command_center.server.runtime import WallRuntime, open_runtime
from video.config import VideoConfig

LOOPBACK = ("127.0.0.1",)
SCREEN = "left-top"
CONFIG = VideoConfig(
    host_addresses=LOOPBACK,
    connect_timeout_s=2.0,
    watchdog_interval_s=0.2,
    max_watchers_per_holder=4,
)


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with open_runtime(settings_for(tmp_path), video_config=CONFIG) as runtime:
        yield runtime


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_a_thousand_hostile_offers_leave_nothing_behind(rt: WallRuntime) -> None:
    assert rt.video is not None
    offer = await watch_offer()
    headers = {
        "Authorization": f"Bearer screen:{SCREEN}:{rt.keys.devices.issue('screen', SCREEN)}",
        "Content-Type": "application/sdp",
    }
    url = f"http://127.0.0.1:{rt.port}/whep/program"
    hostile = {
        "unbundled": (unbundled(offer), 400, "must bundle them all"),
        "eight-videos": (many_videos(offer, 8), 400, "8 m=video sections; at most 1"),
        "garbage": ("v=0\r\n" + "x" * 2000, 400, "malformed_sdp"),
    }
    async with httpx.AsyncClient(timeout=30) as client:
        # Warm up: the first session loads what aiortc keeps for the process's life.
        first = await client.post(url, content=offer, headers=headers)
        assert first.status_code == 201, first.text
        await wait_until(lambda: not rt.video.watchers, within=15, what="warm-up reaped")
        baseline = open_fds()

        limit = CONFIG.max_watchers_per_holder
        refused_for_bound = 0
        for i in range(1000):
            name = [*hostile, "valid"][i % 4]
            body, status, reason = hostile.get(name, (offer, 0, ""))
            held = len(rt.video.watchers)
            answer = await client.post(url, content=body, headers=headers)
            assert len(rt.video.watchers) <= limit
            if name in hostile:
                assert answer.status_code == status and reason in answer.text, answer.text
            elif held < limit:
                assert answer.status_code == 201, answer.text
            elif answer.status_code == 429:  # (one may have been reaped meanwhile: 201)
                assert answer.headers["Retry-After"] == "2"
                assert answer.json()["error"]["code"] == "too_many_sessions"
                refused_for_bound += 1
        assert refused_for_bound > 0

        # Nobody connects: each is reaped, and the descriptors are back.
        await wait_until(lambda: not rt.video.watchers, within=15, what="sessions reaped")
        await wait_until(lambda: open_fds() <= baseline, within=15, what="fds back to baseline")
        again = await client.post(url, content=offer, headers=headers)
        assert again.status_code == 201, "the credential may watch again once reaped"
