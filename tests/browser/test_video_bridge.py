"""The video bridge in real Chromium, inside a private network namespace (tests/netns.py):
a bridge point publishes its fake camera from the ``/bridge/<id>`` page over WHIP; a wall
screen's ``video`` tile watches it over WHEP and plays frames with the point's name; the
point drops (its page closes) and the tile says "no signal" instead of freezing; the point
comes back and the picture returns. Screenshots land in ``test-artifacts/``."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import BrowserContext
from videosupport import (
    bridge_url,
    frames_advance,
    open_point,
    open_screen,
    tile,
    tile_state_in,
)
from wallprocess import WallProcess
from wallsupport import wait_until

POINT = "hue"
POINT_NAME_VI = "UBND thành phố Huế"


async def test_point_to_wall_tile_drop_and_return(
    netns_browser: BrowserContext, video_wall: WallProcess, artifacts: Path
) -> None:
    screen = await open_screen(netns_browser, video_wall, "left-top")
    await wait_until(
        lambda: tile_state_in(screen, {"connecting", "no-signal"}),
        within=30,
        what="the video tile is up, with no picture yet",
    )
    # No publisher yet: the tile says so instead of showing a black box.
    assert await screen.locator(".video-nosignal").is_visible()

    point = await open_point(netns_browser, await bridge_url(video_wall, POINT))
    await frames_advance(screen)
    shown = await tile(screen)
    assert shown["point"] == POINT and shown["name_vi"] == POINT_NAME_VI
    assert await screen.locator(".video-name .n-vi").inner_text() == POINT_NAME_VI
    assert not await screen.locator(".video-nosignal").is_visible()
    # The point's page shows its own picture and its link quality.
    assert await point.evaluate("() => document.querySelector('.self-video').videoWidth > 0")
    await wait_until(
        lambda: point.evaluate("() => window.bridgePoint.stats().quality !== null"),
        within=15,
        what="a link-quality sample on the point's page",
    )
    await screen.screenshot(path=artifacts / "tile-playing.png")
    await point.screenshot(path=artifacts / "bridge-page.png")

    # The point drops: the tile turns to "no signal", not a frozen frame.
    await point.close()
    await wait_until(
        lambda: tile_state_in(screen, {"no-signal"}), within=15, what="the tile shows no signal"
    )
    assert await screen.locator(".video-nosignal").is_visible()
    assert "KHÔNG CÓ TÍN HIỆU" in await screen.locator(".video-nosignal").inner_text()
    await screen.screenshot(path=artifacts / "tile-no-signal.png")

    # It comes back: the picture returns by itself.
    point = await open_point(netns_browser, await bridge_url(video_wall, POINT))
    await frames_advance(screen)
    assert not await screen.locator(".video-nosignal").is_visible()
    await screen.screenshot(path=artifacts / "tile-back.png")
    await point.close()
