"""The duty console runs the bridge, in real Chromium inside a network namespace: its video
roster lists the points live (online, in session, muted, link figures); pinning a point to
a wall tile changes what that tile shows; muting reaches the point's page; ending the call
ends it there; a viewer sees the roster read-only."""

from __future__ import annotations

from pathlib import Path

from pagesupport import ROSTER, sign_in
from playwright.async_api import BrowserContext, Page
from videosupport import (
    bridge_url,
    frames_advance,
    open_point,
    open_screen,
    tile,
)
from wallprocess import WallProcess
from wallsupport import wait_until

POINT = "quang-ninh"
POINT_NAME_VI = "UBND tỉnh Quảng Ninh"


async def test_console_pins_mutes_and_ends_a_point(
    netns_browser: BrowserContext, video_wall: WallProcess, artifacts: Path
) -> None:
    screen = await open_screen(netns_browser, video_wall, "left-top")
    assert (await tile(screen))["source"] == "hue"
    point = await open_point(netns_browser, await bridge_url(video_wall, POINT))

    console = await sign_in(netns_browser, video_wall, "duty_officer", height=1100, ready=ROSTER)
    row = console.locator(f".video-roster tr[data-point='{POINT}']")
    await row.and_(console.locator("[data-in-call='true']")).wait_for(timeout=20_000)
    # The link figures arrive every 2 s from the centre's own counters.
    await wait_until(
        lambda: _has_bitrate(console), within=20, what="the roster shows the point's bitrate"
    )

    # Pin Quảng Ninh to the tile that shows Huế: the tile switches to it.
    await row.locator("select[data-pin-tile]").select_option("tile-hue")
    await row.get_by_role("button", name="Ghim vào ô").click()
    await frames_advance(screen, point=POINT)
    assert (await tile(screen))["name_vi"] == POINT_NAME_VI
    await console.locator(".video-roster li[data-pin='tile-hue']").wait_for()
    await screen.screenshot(path=artifacts / "pinned-tile.png")

    # Mute: the roster and the point's own page say so.
    await row.get_by_role("button", name="Tắt tiếng").click()
    await row.and_(console.locator("[data-muted='true']")).wait_for(timeout=10_000)
    await wait_until(
        lambda: point.evaluate("() => window.bridgePoint.stats().muted_by_centre"),
        within=10,
        what="the point's page shows it was muted",
    )
    await console.screenshot(path=artifacts / "console-roster.png", full_page=True)

    # End the call: the point's page shows the call ended and does not reconnect by itself.
    await row.get_by_role("button", name="Kết thúc").click()
    await wait_until(
        lambda: point.evaluate("() => window.bridgePoint.stats().state === 'ended'"),
        within=10,
        what="the point's page shows the call ended",
    )
    await row.and_(console.locator("[data-in-call='false']")).wait_for(timeout=10_000)
    await point.screenshot(path=artifacts / "point-ended.png")

    # A viewer sees the roster, with no buttons.
    viewer = await sign_in(netns_browser, video_wall, "viewer", height=1100, ready=ROSTER)
    await viewer.locator(".video-roster .readonly").wait_for()
    assert await viewer.locator(".video-roster button").count() == 0
    assert await viewer.locator(f".video-roster tr[data-point='{POINT}']").count() == 1


async def _has_bitrate(console: Page) -> bool:
    text = await console.locator(f".video-roster tr[data-point='{POINT}']").inner_text()
    return "kb/s" in text
