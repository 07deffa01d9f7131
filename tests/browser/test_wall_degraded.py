"""A kiosk page in real Chromium while its server is degraded (issue 11, point 2): with
Redis stopped the screen shows the small "Dữ liệu chậm · data delayed" marker, never the
red link-lost banner (the link is fine), and the marker goes once Redis is back. A planned
restart (SIGTERM) is reconnected through without the banner either."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from pagesupport import kiosk
from playwright.async_api import BrowserContext, Page
from wallprocess import RedisServer, WallProcess
from wallsupport import wait_until

pytestmark = pytest.mark.redis
SCREEN = "left-top"

# Counts every time the link-lost banner becomes visible, from now on.
WATCH_BANNER = """(banner) => {
  window.bannerShown = 0;
  new MutationObserver(() => { if (!banner.hidden) window.bannerShown += 1; })
    .observe(banner, { attributes: true, attributeFilter: ['hidden'] });
}"""


async def marker(page: Page) -> str | None:
    """The marker's text while it shows, else None."""
    # Panel renders the screen inside a shadow root: Playwright's locators reach into it.
    text: str | None = await page.locator(".wall-delayed").evaluate(
        "(m) => (m.hidden ? null : m.textContent)"
    )
    return text


async def banner_shown(page: Page) -> int:
    return int(await page.evaluate("() => window.bannerShown"))


async def test_redis_stopped_shows_data_delayed_not_link_lost(
    browser: BrowserContext, redis_wall: WallProcess, redis_server: RedisServer, artifacts: Path
) -> None:
    page = await kiosk(browser, redis_wall, SCREEN)
    await page.wait_for_selector(".wall-screen[data-link='up']", timeout=30_000)
    await page.wait_for_selector(".wall-screen[data-server='ok']", state="attached")
    assert await marker(page) is None
    await page.locator(".wall-banner").evaluate(WATCH_BANNER)

    redis_server.stop(kill=True)
    started = time.monotonic()
    try:
        text = await wait_until(lambda: marker(page), within=15, what="the data-delayed marker")
        print(f"marker shown {time.monotonic() - started:.1f} s after Redis stopped: {text}")
        assert text.startswith("Dữ liệu chậm · data delayed")
        await page.screenshot(path=artifacts / "degraded.png")
        # A few health reports of the page (every 5 s) while Redis stays down.
        await page.wait_for_timeout(7000)
        assert await marker(page) is not None
        assert await page.evaluate("() => window.wallScreen.stats().connected")
        assert await banner_shown(page) == 0
    finally:
        redis_server.start()
    back = time.monotonic()

    async def marker_gone() -> bool:
        return await marker(page) is None

    await wait_until(marker_gone, within=20, what="the marker gone after Redis returned")
    print(f"marker gone {time.monotonic() - back:.1f} s after Redis returned")
    assert await banner_shown(page) == 0

    # A planned restart: the server says so, the page reconnects quietly for 10 s; a
    # server that stays away longer than that is shown as lost after all.
    await asyncio.to_thread(redis_wall.stop)  # SIGTERM, and waits for the exit
    stopped = time.monotonic()
    await page.wait_for_selector(".wall-screen[data-link='lost']", state="attached")
    await page.wait_for_timeout(5000)
    assert await banner_shown(page) == 0, "banner within the restart grace"
    await wait_until(lambda: banner_shown(page), within=20, what="the banner after the grace")
    print(f"banner shown {time.monotonic() - stopped:.1f} s after the SIGTERM exit")
    await asyncio.to_thread(redis_wall.restart, kill=False, pause_s=0.0)
    await page.wait_for_selector(".wall-screen[data-link='up']", timeout=60_000)
