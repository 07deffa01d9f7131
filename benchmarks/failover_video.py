"""failover_video: "video back" after ``kill -9`` of the wall process a bridge point
publishes to, over N kills.

Two wall processes on one private Redis, both listed with ``--server``; a headless bridge
point (``video.client``, its own process) publishes to one of them; a WHEP viewer on the
other watches the point (pulled across). Each round kills the point's process, times the
kill to the viewer's first frame from the point's new session (its first keyframe after
the kill), then starts the killed process again for the next round, where the roles swap.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.rig import ROOT, WallProcess, free_port, percentile, private_redis
from video.aiortc_hooks import EncodedFrame
from video.whip_client import watch

POINT = "quang-ninh"
VIEWER = "hue"
TARGET_S = 5.0
WALL_2X2 = ROOT / "layouts" / "walls" / "wall-2x2.yaml"


class Frames:
    def __init__(self) -> None:
        self.video: list[EncodedFrame] = []

    def __call__(self, kind: str, frame: EncodedFrame) -> None:
        if kind == "video":
            self.video.append(frame)

    def back_after(self, at: float) -> list[EncodedFrame]:
        later = [f for f in self.video if f.received_at > at]
        first = next((i for i, f in enumerate(later) if f.keyframe), len(later))
        return later[first:]


async def _until(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"failover_video: no {what} within {within:.0f} s")
        await asyncio.sleep(0.02)


async def _rounds(kills: int, folder: Path) -> list[float]:
    ports = [free_port(), free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    with private_redis() as redis_url:
        extra = ["--redis", redis_url, "--keys-file", str(folder / "keys.json")]
        extra += ["--ice-address", "127.0.0.1", "--no-simulator"]
        extra += [arg for url in servers for arg in ("--server", url)]
        walls = [
            WallProcess(data_dir=folder / name, wall_file=WALL_2X2, port=port, extra=extra)
            for name, port in zip("ab", ports, strict=True)
        ]
        for wall in walls:
            wall.start(timeout=90)
        client = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "video.client", "--point", POINT),
            *(f"--token={walls[0].token('bridge', POINT)}", "--size", "640x360", "--no-audio"),
            *("--ice-address", "127.0.0.1", "--server", servers[0], "--server", servers[1]),
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        times: list[float] = []
        holder = 0  # the client starts on the first server
        try:
            for _ in range(kills):
                times.append(await _kill(walls[holder], walls[1 - holder]))
                walls[holder].start(timeout=90)
                holder = 1 - holder
        finally:
            client.terminate()
            await client.wait()
            for wall in walls:
                wall.stop()
    return times


async def _kill(holder: WallProcess, survivor: WallProcess) -> float:
    """Kill ``holder``; seconds until ``survivor``'s viewer has the point's video again."""
    frames = Frames()
    viewer = await watch(
        survivor.url,
        POINT,
        f"point:{VIEWER}:{survivor.token('bridge', VIEWER)}",
        frames,
        host_addresses=("127.0.0.1",),
    )
    try:
        await _until(lambda: len(frames.video) >= 30, 60, "frames before the kill")
        killed_at = time.time()
        holder.stop(kill=True)
        await _until(lambda: len(frames.back_after(killed_at)) >= 10, 60, "video back")
        return frames.back_after(killed_at)[0].received_at - killed_at
    finally:
        await viewer.close()


def run(kills: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="failover-video-") as folder:
        times = asyncio.run(_rounds(kills, Path(folder)))
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    return [
        f"failover_video: {kills} kills (-9) of the process a bridge point publishes to",
        f"  video back on the other process's viewer: p50 {p50:.2f} s, p95 {p95:.2f} s, "
        f"max {max(times):.2f} s (target ≤ {TARGET_S:.0f} s: "
        f"{'met' if p95 <= TARGET_S else 'NOT met'})",
    ]
