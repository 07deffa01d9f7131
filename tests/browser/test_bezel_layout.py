"""Maps, banners and video on the room's wall (2 × 4 FHD): nothing that must be read on a bezel, and
a quiet search-and-rescue map that says so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pagesupport import bearer, kiosk, switch_to
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess, quiet_wall

from layouts import DEFAULT_WALL_FILE

LEFT_HALF = ("r1c1", "r1c2", "r2c1", "r2c2")  # the first two columns, both rows


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    """The room's wall with no simulator: no incidents, no bridge point ever connected."""
    process = quiet_wall(tmp_path / "data", DEFAULT_WALL_FILE)
    yield process
    process.stop()


async def kiosks(
    browser: BrowserContext,
    wall: WallProcess,
    preset: str,
    screens: tuple[str, ...],
    ready: str | None = None,
) -> dict[str, Page]:
    """``wall`` switched to ``preset``, and the kiosk pages of ``screens`` by id (each
    showing ``ready`` when given)."""
    await switch_to(wall, preset)
    pages = {s: await kiosk(browser, wall, s, 1920, 1080) for s in screens}
    if ready:
        for page in pages.values():
            await page.wait_for_selector(ready)
    return pages


async def crossing(page: Page, selector: str) -> list[str]:
    """The texts matching ``selector`` (into the screen's shadow root) that this screen shows
    only part of: cut by one of its edges, a bezel."""
    cut = []
    found = page.locator(selector)
    assert await found.count() > 0, selector  # a check of nothing would always pass
    for item in await found.all():
        box = await item.bounding_box()
        if box is None:
            continue
        left, top = box["x"], box["y"]
        right, bottom = left + box["width"], top + box["height"]
        if right <= 0 or left >= 1920 or bottom <= 0 or top >= 1080:
            continue  # another screen's part of the tile
        if left < -1 or top < -1 or right > 1921 or bottom > 1081:
            cut.append(await item.text_content() or "")
    return cut


async def test_the_quiet_rescue_map_says_nothing_happened_and_keeps_labels_off_bezels(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    # map-sar covers the first two columns of both rows; its incident box sits top right.
    drawn = ".tile[data-tile='map-sar'] .map[data-map-drawn]"
    pages = await kiosks(browser, wall, "incident-response", LEFT_HALF, drawn)
    none = pages["r1c2"].locator(".tile[data-tile='map-sar'] .m-inc-none")
    text = await none.text_content()
    assert text is not None and text.startswith("0 sự cố · 0 incidents · lúc ")
    assert re.search(r"\d\d/\d\d \d\d:\d\d · as of$", text), text
    legend = pages["r2c1"].locator(".tile[data-tile='map-sar'] .m-layer-legend")
    assert await legend.is_visible()
    assert "Mất kết nối · Link lost" in (await legend.text_content() or "")
    # Hà Nội and TP. Hồ Chí Minh are always named; no label straddles a bezel.
    sar = ".tile[data-tile='map-sar']"
    names = [await p.locator(f"{sar} text.m-label").all_text_contents() for p in pages.values()]
    assert any("Hà Nội" in n for ns in names for n in ns)
    assert any("TP. Hồ Chí Minh" in n for ns in names for n in ns)
    for screen_id, page in pages.items():
        assert await crossing(page, f"{sar} text.m-label, {sar} text.m-arch-label") == [], screen_id
        await page.screenshot(path=artifacts / f"{screen_id}.png")


async def test_the_emergency_notice_keeps_whole_words_on_each_screen(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    pages = await kiosks(browser, wall, "emergency-banner", LEFT_HALF)
    for screen_id, page in pages.items():
        words = page.locator(".tile[data-tile='alert'] .t-primary > span.w")
        await words.first.wait_for(state="attached")
        # The heading moves as one: "KHẨN CẤP" is never split by a bezel.
        assert "THÔNG BÁO KHẨN CẤP" in await words.all_text_contents()
        assert await crossing(page, ".tile[data-tile='alert'] span.w") == [], screen_id
        await page.screenshot(path=artifacts / f"{screen_id}.png")


async def test_a_focused_province_lies_inside_one_screen(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    # map-disbursement: screen column 1 and half of column 2, both rows.
    drawn = ".tile[data-tile='map-disbursement'] .map[data-map-drawn]"
    pages = await kiosks(browser, wall, "map-national", LEFT_HALF, drawn)
    async with httpx.AsyncClient(base_url=wall.url) as client:
        auth = await bearer(client, wall, "duty_officer")
        r = await client.post("/api/v1/focus", json={"province": "01"}, headers=auth)
        assert r.status_code == 202, r.text
    outline = ".tile[data-tile='map-disbursement'] path.m-focus-outline[data-focus='01']"
    showing = []
    for screen_id, page in pages.items():
        shape = page.locator(outline)
        await shape.wait_for(state="attached")
        box = await shape.bounding_box()
        assert box is not None
        left, top = box["x"], box["y"]
        right, bottom = left + box["width"], top + box["height"]
        if right <= 0 or left >= 1920 or bottom <= 0 or top >= 1080:
            continue  # another screen's part of the tile
        assert left >= 0 and top >= 0 and right <= 1920 and bottom <= 1080, (screen_id, box)
        showing.append(screen_id)
        await page.screenshot(path=artifacts / f"{screen_id}.png")
    assert len(showing) == 1, showing  # Hà Nội whole on one screen, not on the bezel cross


async def test_no_signal_of_a_video_across_screens_is_drawn_inside_one(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    # The room's tile covers columns 2-3 of both rows; no point ever connects here.
    words = ".tile[data-tile='room'] .video-nosignal .v-big"
    pages = await kiosks(
        browser, wall, "bridge-conference", ("r1c2", "r1c3", "r2c2", "r2c3"), words
    )
    cut = {s: await crossing(page, words) for s, page in pages.items()}
    assert all(c == [] for c in cut.values()), cut
    whole = []
    for screen_id, page in pages.items():
        box = await page.locator(words).bounding_box()
        assert box is not None
        left, top = box["x"], box["y"]
        right, bottom = left + box["width"], top + box["height"]
        if left >= 0 and top >= 0 and right <= 1920 and bottom <= 1080:
            whole.append(screen_id)
    assert len(whole) == 1, whole  # one screen shows them whole, none cut
    for screen_id, page in pages.items():
        await page.screenshot(path=artifacts / f"{screen_id}.png")
