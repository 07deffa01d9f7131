"""Real aiortc peers for the relay's tests, over 127.0.0.1: a publisher of a known clip, a
subscriber that keeps every frame it receives, and the headless client as a process."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from wallsupport import settings_for

from command_center.server.runtime import WallRuntime, open_runtime
from video.aiortc_hooks import EncodedFrame
from video.config import VideoConfig
from video.media import EncodedClip, EncodedLoopTrack, ToneTrack, encode_clip
from video.tokens import point_token
from video.whip_client import Link, publish, watch

ROOT = Path(__file__).resolve().parents[1]
# aiortc gathers loopback here only because the tests say so (VideoConfig.host_addresses).
LOOPBACK = ("127.0.0.1",)


def base(rt: WallRuntime) -> str:
    return f"http://127.0.0.1:{rt.port}"


def cred(rt: WallRuntime, point: str) -> str:
    return f"point:{point}:{point_token(rt.keys.devices, point)}"


def small_clip() -> EncodedClip:
    """Two seconds of 320 × 180 video at 30 fps, a keyframe each second."""
    return encode_clip(frames=60, width=320, height=180, gop=30)


@contextlib.asynccontextmanager
async def video_runtime(
    tmp_path: Path, settings: dict[str, Any] | None = None, **video: Any
) -> AsyncIterator[WallRuntime]:
    """A wall in this process whose media stays on 127.0.0.1: ``video`` goes to its
    ``VideoConfig``, ``settings`` to ``settings_for``."""
    config = VideoConfig(host_addresses=LOOPBACK, **video)
    async with open_runtime(settings_for(tmp_path, **(settings or {})), video_config=config) as rt:
        yield rt


class Collector:
    """Every frame a watcher receives, by kind (``watch``'s frame callback)."""

    def __init__(self) -> None:
        self.frames: dict[str, list[EncodedFrame]] = {"video": [], "audio": []}

    def __call__(self, kind: str, frame: EncodedFrame) -> None:
        self.frames[kind].append(frame)

    def count(self, kind: str = "video") -> int:
        return len(self.frames[kind])

    def back_after(self, at: float) -> list[EncodedFrame]:
        """Video frames from the first keyframe received after ``at`` on (after a failover,
        frames still in flight from the dead process come before it)."""
        later = [f for f in self.frames["video"] if f.received_at > at]
        first = next((i for i, f in enumerate(later) if f.keyframe), len(later))
        return later[first:]


@contextlib.asynccontextmanager
async def publisher(
    rt: WallRuntime, point: str, clip: EncodedClip, audio: bool = False
) -> AsyncIterator[tuple[Link, EncodedLoopTrack]]:
    """``clip`` published as ``point`` (in the clip's codec), with a tone if ``audio``."""
    track = EncodedLoopTrack(clip, record=True)
    tracks = [track, ToneTrack()] if audio else [track]
    link = await publish(
        base(rt),
        point,
        point_token(rt.keys.devices, point),
        tracks,  # type: ignore[list-item]
        host_addresses=LOOPBACK,
        on_keyframe=track.request_keyframe,
        video_codec=None if clip.codec == "VP8" else clip.codec,  # VP8: as offered by default
    )
    try:
        yield link, track
    finally:
        await link.close()


@contextlib.asynccontextmanager
async def subscriber(
    rt: WallRuntime, source: str, credential: str
) -> AsyncIterator[tuple[Link, Collector]]:
    collector = Collector()
    link = await watch(base(rt), source, credential, collector, host_addresses=LOOPBACK)
    try:
        yield link, collector
    finally:
        await link.close()


async def client_process(
    url: str, point: str, token: str, *extra: str
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "video.client",
        "--url",
        url,
        "--point",
        point,
        "--token",
        token,
        "--size",
        "320x180",
        "--ice-address",
        "127.0.0.1",
        *extra,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
