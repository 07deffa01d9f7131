"""Maps and banners on the room's wall (2 × 4 FHD): nothing that must be read on a bezel, and
a quiet search-and-rescue map that says so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess

from layouts import DEFAULT_WALL_FILE

# Boxes of every map label, archipelago label and laid-out word a screen shows any part of.
BOXES_JS = """(sel) => [...document.querySelectorAll(sel)].map((el) => {
  const r = el.getBoundingClientRect();
  return {text: el.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
}).filter((b) => b.r > 0 && b.l < innerWidth && b.b > 0 && b.t < innerHeight)"""


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    # No simulator: no incidents, no bridge point ever connected.
    process = WallProcess(
        data_dir=tmp_path / "data", wall_file=DEFAULT_WALL_FILE, extra=["--no-simulator"]
    ).start()
    yield process
    process.stop()


async def switch_to(wall: WallProcess, preset: str) -> None:
    name, password = wall.users["duty_officer"]
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await client.post("/api/v1/switch", json={"preset": preset}, headers=auth)
        assert r.status_code == 202, r.text


async def kiosk(browser: BrowserContext, wall: WallProcess, screen_id: str) -> Page:
    page = await browser.new_page()
    await page.set_viewport_size({"width": 1920, "height": 1080})
    await page.goto(wall.screens[screen_id])
    return page


async def crossing(page: Page, selector: str) -> list[str]:
    """The texts matching ``selector`` that this screen shows only part of."""
    boxes = await page.evaluate(BOXES_JS, selector)
    return [
        b["text"] for b in boxes if b["l"] < -1 or b["r"] > 1921 or b["t"] < -1 or b["b"] > 1081
    ]


async def test_the_quiet_rescue_map_says_nothing_happened_and_keeps_labels_off_bezels(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    await switch_to(wall, "incident-response")
    # map-sar covers the first two columns of both rows; its incident box sits top right.
    pages = {s: await kiosk(browser, wall, s) for s in ("r1c1", "r1c2", "r2c1", "r2c2")}
    for page in pages.values():
        await page.wait_for_selector(".tile[data-tile='map-sar'] .map[data-map-drawn]")
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
    await switch_to(wall, "emergency-banner")
    pages = {s: await kiosk(browser, wall, s) for s in ("r1c1", "r1c2", "r2c1", "r2c2")}
    for screen_id, page in pages.items():
        words = page.locator(".tile[data-tile='alert'] .t-primary > span.w")
        await words.first.wait_for(state="attached")
        # The heading moves as one: "KHẨN CẤP" is never split by a bezel.
        assert "THÔNG BÁO KHẨN CẤP" in await words.all_text_contents()
        assert await crossing(page, ".tile[data-tile='alert'] span.w") == [], screen_id
        await page.screenshot(path=artifacts / f"{screen_id}.png")
