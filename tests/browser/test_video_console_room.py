"""The operations room on the call from the duty console, in real Chromium (fake camera)
inside a network namespace: the duty officer puts the room's camera on the call; a bridge
page, watching what the points see (the room by default), plays its frames; mute and stop
work, and the roster shows the room leave; the panel rides out a restart of the centre; when the headless client already publishes as
the room, the console says the room is taken; a viewer has no such control."""

from __future__ import annotations

import asyncio
from pathlib import Path

from netns import NetNamespace
from pagesupport import ROSTER, sign_in
from playwright.async_api import BrowserContext, Locator, Page
from videosupport import (
    bridge_url,
    headless,
    open_point,
)
from wallprocess import WallProcess
from wallsupport import wait_until

POINT = "quang-ninh"
START = "Phát hình phòng điều hành · Put the room on the call"
STOP = "Dừng phát · Stop"
MUTE = "Tắt micrô phòng · Mute the room’s microphone"
TAKEN = "Phòng điều hành đang được phát từ nơi khác · The room is already published from elsewhere"


def room_panel(console: Page, state: str | None = None) -> Locator:
    panel = console.locator(".room-publisher")
    return panel.and_(console.locator(f"[data-state='{state}']")) if state else panel


def room_row(console: Page, attr: str, value: str) -> Locator:
    row = console.locator(".video-roster tr[data-point='room']")
    return row.and_(console.locator(f"[data-{attr}='{value}']"))


async def room_frames(point: Page) -> int:
    return int(await point.evaluate("() => window.bridgePoint.stats().room_frames"))


async def test_the_duty_officer_puts_the_room_on_the_call(
    netns_browser: BrowserContext, video_wall: WallProcess, artifacts: Path
) -> None:
    # A bridge point watches what the points see: the room, which nobody publishes yet.
    point = await open_point(netns_browser, await bridge_url(video_wall, POINT))
    console = await sign_in(netns_browser, video_wall, "duty_officer", height=1100, ready=ROSTER)
    await room_row(console, "online", "false").wait_for(timeout=20_000)
    await room_panel(console, "idle").wait_for()

    await console.get_by_role("button", name=START).click()
    await room_panel(console, "live").wait_for(timeout=30_000)
    await wait_until(
        lambda: room_panel(console).locator(".rp-self").evaluate("v => v.videoWidth > 0"),
        within=20,
        what="the console's self view shows the room's camera",
    )
    await room_row(console, "in-call", "true").wait_for(timeout=20_000)

    # The point receives the room's picture. (In front: a background tab presents about
    # one frame a second, though it decodes them all.)
    await point.bring_to_front()
    start = await room_frames(point)
    await wait_until(
        lambda: _more_frames(point, start + 30),
        within=30,
        interval=0.2,
        what="the bridge page plays 30 more frames of the room",
    )
    await point.screenshot(path=artifacts / "point-sees-room.png")
    await console.bring_to_front()
    await console.screenshot(path=artifacts / "console-room-live.png", full_page=True)

    # The centre dies (kill -9) and comes back: the panel says the link is lost, then
    # publishes again by itself.
    await asyncio.to_thread(video_wall.restart)
    await room_panel(console, "lost").wait_for(timeout=30_000)
    assert "MẤT KẾT NỐI" in await room_panel(console).inner_text()
    await room_panel(console, "live").wait_for(timeout=45_000)
    await room_row(console, "in-call", "true").wait_for(timeout=30_000)

    # Mute the room's microphone: its audio track stops, the call goes on.
    await console.get_by_role("button", name=MUTE).click()
    await room_panel(console).and_(console.locator("[data-mic='off']")).wait_for()
    assert await room_panel(console).locator(".rp-mic").get_attribute("aria-pressed") == "true"
    assert await room_panel(console, "live").count() == 1

    # Stop: the WHIP session ends, the room leaves the call, the camera is released.
    await console.get_by_role("button", name=STOP).click()
    await room_panel(console, "stopped").wait_for(timeout=10_000)
    await room_row(console, "online", "false").wait_for(timeout=10_000)
    assert await room_panel(console).locator(".rp-self").is_hidden()
    await console.get_by_role("button", name=START).wait_for()

    # A viewer sees the roster but not the control.
    viewer = await sign_in(netns_browser, video_wall, "viewer", height=1100, ready=ROSTER)
    await viewer.locator(".video-roster .readonly").wait_for()
    assert await viewer.locator(".room-publisher").count() == 0
    assert await viewer.get_by_role("button", name=START).count() == 0


async def test_the_console_says_when_the_room_is_published_elsewhere(
    netns: NetNamespace, netns_browser: BrowserContext, video_wall: WallProcess, artifacts: Path
) -> None:
    console = await sign_in(netns_browser, video_wall, "duty_officer", height=1100, ready=ROSTER)
    async with headless(netns, video_wall, "room", "320x180", 0, artifacts / "room-client.log"):
        await room_row(console, "in-call", "true").wait_for(timeout=30_000)
        await console.get_by_role("button", name=START).click()
        await room_panel(console, "taken").wait_for(timeout=20_000)
        assert TAKEN in await room_panel(console).inner_text()
        # The console gave the slot up: no camera held, the headless client still publishes.
        assert await room_panel(console).locator(".rp-self").is_hidden()
        assert await room_row(console, "in-call", "true").count() == 1
        await console.screenshot(path=artifacts / "console-room-taken.png", full_page=True)


async def _more_frames(point: Page, at_least: int) -> bool:
    stats = await point.evaluate("() => window.bridgePoint.stats()")
    return bool(stats["room_frames"] >= at_least and stats["room_width"] > 0)
