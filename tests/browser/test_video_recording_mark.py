"""ĐANG GHI · REC in real Chromium, inside a private network namespace: a duty officer
starts recording a bridge point's call from the console's roster; the point's own bridge
page and the wall's video tile showing it both show the mark, and it goes when the officer
stops. The recording the browser's call left is a VP8 + Opus file ``ffprobe`` reads.
Screenshots land in ``test-artifacts/``."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from pagesupport import ROSTER, sign_in
from playwright.async_api import BrowserContext, Page
from videosupport import bridge_url, frames_advance, open_point, open_screen, tile
from wallprocess import WallProcess
from wallsupport import wait_until

POINT = "hue"


async def _bridge_recorded(point: Page) -> bool:
    return bool(await point.evaluate("() => window.bridgePoint.stats().recording"))


async def _tile_recorded(screen: Page) -> bool:
    return bool((await tile(screen))["recording"])


async def test_rec_mark_on_bridge_page_and_wall_tile(
    netns_browser: BrowserContext, video_wall: WallProcess, artifacts: Path
) -> None:
    screen = await open_screen(netns_browser, video_wall, "left-top")
    point = await open_point(netns_browser, await bridge_url(video_wall, POINT))
    await frames_advance(screen)
    assert not await _tile_recorded(screen) and not await _bridge_recorded(point)
    assert not await screen.locator(".video-rec").is_visible()

    console = await sign_in(netns_browser, video_wall, "duty_officer", height=1100, ready=ROSTER)
    row = console.locator(f".video-roster tr[data-point='{POINT}']")
    await row.and_(console.locator("[data-in-call='true']")).wait_for(timeout=20_000)
    await row.get_by_role("button", name="Ghi hình").click()
    await row.and_(console.locator("[data-recording='true']")).wait_for(timeout=10_000)

    await wait_until(lambda: _tile_recorded(screen), within=10, what="REC on the wall tile")
    await wait_until(lambda: _bridge_recorded(point), within=10, what="REC on the bridge page")
    assert "ĐANG GHI · REC" in await screen.locator(".video-rec").inner_text()
    assert await screen.locator(".video-rec").is_visible()
    assert "ĐANG GHI · REC" in await point.locator(".rec").inner_text()
    assert await point.locator(".rec").is_visible()
    await screen.screenshot(path=artifacts / "tile-recording.png")
    await point.screenshot(path=artifacts / "bridge-recording.png")
    # The recorder asked the browser for a keyframe and its first segment is open.
    root = video_wall.data_dir / "recordings" / POINT
    await wait_until(lambda: list(root.glob("*/0.webm")), within=20, what="a segment open")
    await frames_advance(screen, by=60)  # two seconds or so of the call in the file

    await row.get_by_role("button", name="Dừng ghi").click()
    await row.and_(console.locator("[data-recording='false']")).wait_for(timeout=10_000)
    await wait_until(lambda: not_(_tile_recorded(screen)), within=10, what="REC gone (tile)")
    await wait_until(lambda: not_(_bridge_recorded(point)), within=10, what="REC gone (page)")
    assert not await screen.locator(".video-rec").is_visible()
    assert not await point.locator(".rec").is_visible()

    # What Chromium sent, kept as it came: VP8 and Opus.

    def finished() -> list[Path]:
        return [
            p.parent / "0.webm"
            for p in root.glob("*/index.json")
            if json.loads(p.read_text())["ended_at"] is not None
        ]

    [first] = await wait_until(finished, within=10, what="the recording's index closed")
    probe = await asyncio.to_thread(
        subprocess.run,
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(first)],
        capture_output=True,
        text=True,
        check=True,
    )
    codecs = sorted(s["codec_name"] for s in json.loads(probe.stdout)["streams"])
    assert codecs == ["opus", "vp8"]
    await point.close()


async def not_(check: object) -> bool:
    return not await check  # type: ignore[misc]
