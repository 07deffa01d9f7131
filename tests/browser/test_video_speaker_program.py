"""The active speaker and "what the points see", in real Chromium inside a network
namespace (tests/netns.py). Headless bridge points (``python -m video.client``, aiortc)
publish test patterns of different sizes, so a ``<video>``'s width says whose picture it
plays: a ``video`` tile with ``point: active`` follows whoever speaks loudest; the duty
officer switches the points' picture from the room to a point, and a bridge page (in
English, ``?lang=en``) shows it, with its label."""

from __future__ import annotations

from pathlib import Path

import pytest
from netns import NetNamespace
from pagesupport import ROSTER, sign_in
from playwright.async_api import BrowserContext, Page
from videosupport import (
    StartVideoWall,
    bridge_url,
    frames_advance,
    headless,
    open_point,
    open_screen,
    tile,
    video_painted,
)
from wallprocess import WallProcess
from wallsupport import wait_until

ACTIVE_PRESET = """
name: {vi: "Người đang phát biểu", en: "Active speaker"}
description: {vi: "Ô người đang phát biểu", en: "The active speaker's tile"}
cells: {cols: 4, rows: 4}
tiles:
  - id: tile-active
    kind: video
    cell: {col: 1, row: 1, cols: 4, rows: 4}
    params: {point: active}
"""


@pytest.fixture
def active_wall(start_video_wall: StartVideoWall) -> WallProcess:
    """The wall with an active-speaker tile and a program tile (ACTIVE_PRESET)."""
    return start_video_wall(ACTIVE_PRESET)


async def test_an_active_speaker_tile_follows_the_loudest_point(
    netns: NetNamespace,
    netns_browser: BrowserContext,
    active_wall: WallProcess,
    artifacts: Path,
) -> None:
    screen = await open_screen(netns_browser, active_wall, "left-top")
    assert (await tile(screen))["source"] == "active"
    async with headless(netns, active_wall, "hue", "320x180", 0.05, artifacts / "hue.log"):
        await frames_advance(screen, point="hue")
        assert (await tile(screen))["name_vi"] == "UBND thành phố Huế"
        await wait_until(lambda: _tile_width_is(screen, 320), within=20, what="hue's picture")
        await screen.screenshot(path=artifacts / "active-hue.png")
        subscriptions = (await tile(screen))["subscriptions"]
        # A louder point starts speaking: the same tile, same WHEP session, its picture.
        async with headless(
            netns, active_wall, "quang-ninh", "160x90", 0.9, artifacts / "quang-ninh.log"
        ):
            await frames_advance(screen, point="quang-ninh")
            await wait_until(
                lambda: _tile_width_is(screen, 160),
                within=20,
                what="quang-ninh's 160-pixel picture on the active tile",
            )
            shown = await tile(screen)
            assert shown["name_vi"] == "UBND tỉnh Quảng Ninh"
            # The centre switched the picture inside the same WHEP session.
            assert shown["subscriptions"] == subscriptions, "the tile had to resubscribe"
            await screen.screenshot(path=artifacts / "active-quang-ninh.png")


async def test_the_duty_officer_switches_what_the_points_see(
    netns: NetNamespace,
    netns_browser: BrowserContext,
    video_wall: WallProcess,
    artifacts: Path,
) -> None:
    async with (
        headless(netns, video_wall, "room", "320x180", 0.3, artifacts / "room.log"),
        headless(netns, video_wall, "quang-ninh", "160x90", 0.3, artifacts / "quang-ninh.log"),
    ):
        point = await open_point(netns_browser, f"{await bridge_url(video_wall, 'hue')}&lang=en")
        await _room_view_plays(point, 320, "Operations centre", "the room's picture")
        stats = await point.evaluate("() => window.bridgePoint.stats()")
        assert stats["lang"] == "en" and stats["room_audio_tracks"] == 3
        # English alone: the Vietnamese words are not shown.
        assert await point.locator(".link").inner_text() == "Connected"
        assert "Rời phiên" not in await point.locator("footer").inner_text()
        assert await point.locator("footer .leave").inner_text() == "Leave"
        await point.screenshot(path=artifacts / "bridge-en-room.png")

        console = await sign_in(
            netns_browser, video_wall, "duty_officer", height=1100, ready=ROSTER
        )
        pick = console.locator(".video-roster .program-pick")
        await pick.select_option("quang-ninh")
        # The roster re-renders on every control event (link figures every 2 s): the
        # officer's choice must survive that until "Apply" (it used to reset to the room,
        # and Apply then sent the room).
        shown = await pick.element_handle()
        await wait_until(
            lambda: shown.evaluate("e => !e.isConnected"), within=20, what="a roster update"
        )
        assert await pick.input_value() == "quang-ninh"
        # A person's click, the select still focused: pressing the button moves the focus,
        # which re-renders the roster; a re-render between mousedown and mouseup used to
        # replace the button, and the click was lost.
        await pick.focus()
        await console.get_by_role("button", name="Áp dụng").click(delay=200)
        await console.locator(".video-roster .program-now", has_text="Quảng Ninh").wait_for()
        quang_ninh = "Quảng Ninh Provincial People's Committee"
        await _room_view_plays(point, 160, quang_ninh, "Quảng Ninh's picture")
        await point.screenshot(path=artifacts / "bridge-en-quang-ninh.png")


async def _tile_width_is(page: Page, width: int) -> bool:
    return bool((await tile(page)).get("width") == width)


async def _room_view_plays(point: Page, width: int, label: str, whose: str) -> None:
    """The bridge page ``point`` shows ``label`` over a ``width``-pixel picture in its
    room view, playing (15 frames more) and not black."""

    async def shows() -> bool:
        stats = await point.evaluate("() => window.bridgePoint.stats()")
        return bool(stats["room_width"] == width and stats["room_label"].strip() == label)

    await wait_until(shows, within=30, what=f"{whose} on the bridge page")
    frames = await point.evaluate("() => window.bridgePoint.stats().room_frames")
    await wait_until(
        lambda: _room_frames_after(point, frames + 15), within=30, what=f"{whose} playing"
    )
    await wait_until(lambda: _room_picture_shown(point), within=10, what=f"{whose}, not black")


async def _room_frames_after(page: Page, count: int) -> bool:
    return bool(await page.evaluate("() => window.bridgePoint.stats().room_frames") >= count)


async def _room_picture_shown(page: Page) -> bool:
    """The bridge page shows the room's picture: the <video> holds one (not black) and the
    "no signal" overlay is off."""
    overlay = await page.locator(".room.is-no-signal").count()
    return not overlay and await video_painted(page, ".room-video")
