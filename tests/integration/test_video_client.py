"""The headless bridge point as a separate process, and bridge-point state on the Redis bus."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from bussupport import listening
from relaysupport import (
    LOOPBACK,
    ROOT,
    base,
    client_process,
    cred,
    publisher,
    subscriber,
    video_runtime,
)
from wallprocess import private_redis
from wallsupport import settings_for, wait_until

from command_center.messages import BridgePointState
from command_center.server.runtime import open_runtime
from video.config import VideoConfig
from video.media import encode_clip
from video.tokens import point_token


async def test_headless_client_publishes_watches_and_reconnects(tmp_path: Path) -> None:
    async with video_runtime(tmp_path) as rt:
        assert rt.video is not None
        room = rt.video
        proc = await client_process(
            base(rt), "csb-8003", point_token(rt.keys.devices, "csb-8003"), "--watch", "program"
        )
        try:
            async with subscriber(rt, "csb-8003", cred(rt, "hue")) as (_, got):
                await wait_until(lambda: got.count() >= 20, within=30, what="the ship's frames")
                await wait_until(lambda: got.count("audio") >= 20, within=30, what="its tone")
            first = room.publishers["csb-8003"].id
            # The ship watches the program: the room, once the room publishes.
            async with publisher(rt, "room", encode_clip(30, 320, 180)):
                await wait_until(
                    lambda: any(
                        w.viewer == "point:csb-8003" and w.tracks["video"].frames_sent > 10
                        for w in room.watchers.values()
                    ),
                    within=30,
                    what="the ship to receive the room",
                )
            await room.end_publisher("csb-8003", "ended_by_console")  # the link drops
            await wait_until(
                lambda: (
                    "csb-8003" in room.publishers
                    and room.publishers["csb-8003"].id != first
                    and room.status("csb-8003").in_call
                ),
                within=30,
                what="the client to reconnect",
            )
        finally:
            proc.terminate()
            output = (await proc.communicate())[0].decode()
        assert "reconnecting" in output, output
        await wait_until(lambda: not room.status("csb-8003").online, within=15, what="hang-up")


async def test_headless_client_stops_on_a_refusal(tmp_path: Path) -> None:
    async with video_runtime(tmp_path) as rt:
        proc = await client_process(base(rt), "hue", "wrong-token")
        output = (await asyncio.wait_for(proc.communicate(), 60))[0].decode()
        assert proc.returncode == 2
        assert "wrong token for bridge point 'hue'" in output


@pytest.mark.redis
async def test_bridge_point_state_reaches_another_process_over_redis(
    tmp_path: Path, redis_url: str
) -> None:
    from command_center.bus import create_bus
    from command_center.credentials import secret_bytes
    from command_center.server.keys import KeyFile

    config = VideoConfig(host_addresses=LOOPBACK)
    with private_redis() as url:  # the server's keys and channels are fixed names
        # As another server process (the map's) would: the same key file, so the same bus key.
        bus_key = secret_bytes(KeyFile.open(tmp_path / "keys.json").current().bus)
        listener = create_bus(url, bus_key)
        try:
            async with listening(
                listener, BridgePointState, lambda m: m.point == "quang-ninh"
            ) as seen:
                settings = settings_for(tmp_path, redis_url=url)
                async with open_runtime(settings, video_config=config) as rt:
                    async with publisher(rt, "quang-ninh", encode_clip(30, 320, 180)):
                        await wait_until(
                            lambda: any(m.in_call for m in seen), within=20, what="in call"
                        )
                    await wait_until(lambda: seen and not seen[-1].online, within=20, what="left")
            first = seen[0]
            assert (first.online, first.in_call, first.kind) == (True, False, "province")
            assert first.name_vi == "UBND tỉnh Quảng Ninh" and first.lat == pytest.approx(20.9517)
        finally:
            await listener.close()


async def test_bridge_tokens_command_prints_tokens_the_server_accepts(tmp_path: Path) -> None:
    from video.tokens import check_point_token

    def tokens(*args: str) -> tuple[int, str]:
        import subprocess

        done = subprocess.run(
            [sys.executable, "run_wall.py", "bridge-tokens", "--data-dir", str(tmp_path), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.returncode, done.stdout + done.stderr

    code, out = await asyncio.to_thread(tokens, "--point", "hue")
    assert code == 0 and out.startswith("hue\t"), out
    code, bad = await asyncio.to_thread(tokens, "--point", "hu")
    assert code == 2 and "unknown bridge point id(s): hu" in bad
    async with open_runtime(settings_for(tmp_path)) as rt:
        assert await check_point_token(rt.keys.devices, "hue", out.split("\t")[1].split()[0])
