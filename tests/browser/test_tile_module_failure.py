"""A broken JavaScript file fails only what depends on it, visibly.

The browser is handed a tile module with a syntax error (Playwright answers that one
request, as a bad deploy or a cut download would): that kind's tiles show the error and the
module's name, every other tile draws, and the screen connects. A broken ``screen.js``
shows the load-error band instead of a blank kiosk.
"""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import BrowserContext, Page, Route
from wallprocess import WallProcess
from wallsupport import wait_until

BROKEN_JS = "export const broken = ;\n"


async def _kiosk_with_broken(
    browser: BrowserContext, wall: WallProcess, path: str, screen: str
) -> Page:
    """``screen``'s kiosk page, handed the asset at ``path`` with a syntax error."""

    async def broken(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/javascript", body=BROKEN_JS)

    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    await page.route(f"**/assets/{path}", broken)
    await page.goto(wall.screens[screen])
    return page


async def _text_once_shown(page: Page, selector: str) -> str:
    shown = page.locator(selector)
    await shown.wait_for(timeout=30_000)
    return await shown.inner_text()


async def test_a_broken_tile_module_fails_only_its_tiles(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    page = await _kiosk_with_broken(browser, wall, "wall/tiles/clock.js", "right-top")

    # The overview's right-top screen: the text title, the clock, the map.
    text = await _text_once_shown(page, ".tile[data-kind='clock'] .tile-error")
    assert text.startswith("Lỗi hiển thị ô · Tile failed to render"), text
    assert "tiles/clock.js" in text, text

    await page.locator(".tile[data-kind='map'] .map[data-map-drawn]").wait_for(timeout=30_000)
    title = page.locator(".tile[data-tile='title']")
    assert await title.locator(".tile-error").count() == 0
    assert "Chính phủ" in await title.inner_text()
    assert await page.locator(".tile-error").count() == 1  # the clock's, no other
    await wait_until(
        lambda: page.evaluate("() => Boolean(window.wallScreen?.stats().connected)"),
        within=10,
        what="the screen connected despite the broken module",
    )
    await page.screenshot(path=artifacts / "broken-clock-module.png")


async def test_a_broken_screen_module_shows_the_load_error(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    page = await _kiosk_with_broken(browser, wall, "wall/screen.js", "left-top")

    text = await _text_once_shown(page, ".wall-load-error[role='alert']")
    assert text.startswith("LỖI TẢI MÀN HÌNH · Screen failed to load"), text
    assert "thử lại sau 30 giây" in text, text
    await page.screenshot(path=artifacts / "broken-screen-module.png")
