"""Helpers of the video-bridge browser tests: a wall with video tiles inside a network
namespace (tests/netns.py), bridge-point URLs, and what a page's video tiles show."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from netns import NetNamespace
from playwright.async_api import BrowserContext, Page
from wallprocess import ROOT, WallProcess
from wallsupport import WALL_2X2, wait_until

# One video tile filling each top screen of the 2 × 2 wall.
PRESET = """
name: {vi: "Thử cầu truyền hình", en: "Video bridge test"}
description: {vi: "Hai điểm cầu trên hai màn hình trên", en: "Two bridge points on the top screens"}
cells: {cols: 4, rows: 4}
tiles:
  - id: tile-hue
    kind: video
    cell: {col: 1, row: 1, cols: 4, rows: 4}
    params: {point: hue}
  - id: tile-quang-ninh
    kind: video
    cell: {col: 5, row: 1, cols: 4, rows: 4}
    params: {point: quang-ninh}
"""
SCREEN_OF_TILE = {"tile-hue": "left-top", "tile-quang-ninh": "right-top"}
VIEWPORT = {"width": 960, "height": 540}


# tests/browser/conftest.py's ``start_video_wall`` fixture: (preset=PRESET) -> a started wall.
StartVideoWall = Callable[..., WallProcess]


def video_wall_process(netns: NetNamespace, tmp_path: Path, preset: str = PRESET) -> WallProcess:
    """``run_wall.py`` inside ``netns`` showing ``preset`` (not started)."""
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "video-test.yaml").write_text(preset, encoding="utf-8")
    return WallProcess(
        data_dir=tmp_path / "data",
        wall_file=WALL_2X2,
        launcher=netns.wrap([]),
        extra=["--presets", str(presets), "--no-simulator"],
    )


async def point_credential(wall: WallProcess, point: str) -> str:
    """The point's token, derived from the server's bridge key (read from its key file)."""
    return wall.token("bridge", point)


async def bridge_url(wall: WallProcess, point: str) -> str:
    return f"{wall.url}/bridge/{point}?token={await point_credential(wall, point)}"


async def tile(page: Page, tile_id: str | None = None) -> dict[str, Any]:
    """What a video tile of ``page`` shows: {tile, source, point, state, frames, name_vi…}."""
    tiles: list[dict[str, Any]] = await page.evaluate(
        "() => window.wallVideo ? window.wallVideo.stats() : []"
    )
    for t in tiles:
        if tile_id is None or t["tile"] == tile_id:
            return t
    return {}


async def tile_state_in(page: Page, states: set[str]) -> bool:
    return (await tile(page)).get("state") in states


async def frames_advance(page: Page, by: int = 15, point: str | None = None) -> None:
    """The tile's <video> presents new frames (its requestVideoFrameCallback count grows),
    from ``point`` when given."""
    start = (await tile(page)).get("frames", 0)

    async def advanced() -> bool:
        t = await tile(page)
        ok = t.get("state") == "playing" and t.get("frames", 0) >= start + by
        return ok and (point is None or t.get("point") == point)

    await wait_until(advanced, within=30, interval=0.1, what=f"{by} more frames on the tile")


async def open_screen(browser: BrowserContext, wall: WallProcess, screen: str) -> Page:
    page = await browser.new_page()
    await page.set_viewport_size(VIEWPORT)
    await page.goto(wall.screens[screen])
    await wait_until(lambda: tile(page), within=30, what=f"a video tile on {screen}")
    return page


async def open_point(browser: BrowserContext, url: str) -> Page:
    """The bridge page at ``url``, once it says it is connected."""
    page = await browser.new_page()
    await page.set_viewport_size({"width": 1100, "height": 620})
    await page.goto(url)

    async def live() -> bool:
        state = await page.evaluate("() => window.bridgePoint?.stats().state")
        return bool(state == "live")

    await wait_until(live, within=30, interval=0.1, what="the bridge page is live")
    return page


async def video_painted(page: Page, selector: str) -> bool:
    """The ``<video>`` at ``selector`` holds a picture, not black: its current frame,
    drawn on a canvas, is brighter on average than a dark frame (the test pattern's bars
    average well above 60 of 255; black is about 16)."""
    mean: float = await page.evaluate(
        """(selector) => {
            const video = document.querySelector(selector);
            if (!video || !video.videoWidth) return 0;
            const canvas = document.createElement('canvas');
            canvas.width = video.videoWidth;
            canvas.height = video.videoHeight;
            const ctx = canvas.getContext('2d');
            ctx.drawImage(video, 0, 0);
            const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let sum = 0;
            for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
            return sum / (px.length / 4) / 3;
        }""",
        selector,
    )
    return mean > 60


@contextlib.asynccontextmanager
async def headless(
    netns: NetNamespace, wall: WallProcess, point: str, size: str, tone: float, log: Path
) -> AsyncIterator[None]:
    """A headless bridge point inside the namespace, publishing ``size`` and a tone."""
    token = await point_credential(wall, point)
    out = log.open("w")
    proc = await asyncio.create_subprocess_exec(
        *netns.wrap(
            [
                sys.executable,
                *("-m", "video.client", "--url", wall.url, "--point", point),
                *("--token", token, "--size", size, "--tone", str(tone)),
            ]
        ),
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        await stop_process(proc)
        out.close()


async def stop_process(
    proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM, grace_s: float = 10
) -> None:
    """Sends ``proc`` ``sig`` (when it still runs) and waits for it; kills it after
    ``grace_s``."""
    if proc.returncode is not None:
        return
    proc.send_signal(sig)
    try:
        await asyncio.wait_for(proc.wait(), grace_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
