"""The operations room as it is used: four kiosk pages of a 2 × 2 wall and the duty console,
in real Chromium against a real server process.

A switch from the console reaches every screen, each swaps and reports, the console shows
the skew; after ``kill -9`` and a restart, the screens reconnect by themselves (no reload)
and show the same layout. Screenshots of each screen land in ``test-artifacts/``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pagesupport import sign_in, switch_from_console, switch_to
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until

SCREENS = ["left-top", "right-top", "left-bottom", "right-bottom"]
VIEWPORT = {"width": 960, "height": 540}


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    process = WallProcess(data_dir=tmp_path / "data", wall_file=WALL_2X2).start()
    yield process
    process.stop()


async def stats(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(
        "() => window.wallScreen ? window.wallScreen.stats() : {}"
    )
    return result


async def open_screens(browser: BrowserContext, wall: WallProcess) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    for screen in SCREENS:
        page = await browser.new_page()
        await page.set_viewport_size(VIEWPORT)
        await page.goto(wall.screens[screen])
        pages[screen] = page
    for screen, page in pages.items():
        await wait_until(
            lambda p=page: _shows(p, "overview"), within=30, what=f"{screen} shows the overview"
        )
    return pages


async def _shows(page: Page, preset: str) -> bool:
    s = await stats(page)
    return bool(s.get("connected")) and await page.evaluate(
        "(preset) => document.body.dataset.preset === preset", preset
    )


async def test_console_switch_swaps_every_screen_and_reports_skew(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    screens = await open_screens(browser, wall)
    console = await sign_in(browser, wall, "duty_officer")
    await console.wait_for_selector("text=Bảng điều khiển trực ban")
    # The console's miniature mounts every screen of the wall, bezels between them.
    await console.wait_for_selector("[data-screen='right-bottom'] .wall-screen[data-link='up']")

    await switch_from_console(console, "Hiệu chỉnh màn hình")

    for screen, page in screens.items():
        await wait_until(
            lambda p=page: _shows(p, "calibration"), within=10, what=f"{screen} swapped"
        )
    swaps = {screen: (await stats(page))["swaps"] for screen, page in screens.items()}
    switch_ids = {s[-1]["switch_id"] for s in swaps.values()}
    assert len(switch_ids) == 1, f"every screen swapped for the same switch: {swaps}"
    # The console shows the skew once all four have reported.
    line = console.locator(".last-switch[data-complete='True']")
    await line.wait_for(timeout=10_000)
    skew = await line.get_attribute("data-skew")
    assert skew is not None and float(skew) >= 0
    assert "Độ lệch giữa các màn hình" in await line.inner_text()

    # The same report through the API, with every screen's instant.
    async with httpx.AsyncClient(base_url=wall.url) as client:
        name, password = wall.users["viewer"]
        token = (
            await client.post("/api/v1/sessions", json={"username": name, "password": password})
        ).json()["token"]
        report = (
            await client.get(
                f"/api/v1/switches/{switch_ids.pop()}",
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()
    assert report["complete"] and sorted(report["swapped"]) == sorted(SCREENS)
    assert report["skew_ms"] == pytest.approx(float(skew), abs=0.01)

    for screen, page in screens.items():
        await page.screenshot(path=artifacts / f"{screen}.png")
    await console.screenshot(path=artifacts / "console.png", full_page=True)

    # Vietnamese first; English on request.
    await console.get_by_role("button", name="English").click()
    await console.wait_for_selector("text=Duty console")
    await console.get_by_role("button", name="Switch layout").wait_for()
    await console.wait_for_selector("text=Screen health")
    await console.screenshot(path=artifacts / "console-en.png", full_page=True)


async def test_a_zone_switch_changes_the_zones_screens_and_the_rest_keep_their_layout(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    screens = await open_screens(browser, wall)
    console = await sign_in(browser, wall, "viewer")
    await console.wait_for_selector("[data-screen='right-bottom'] .wall-screen[data-link='up']")
    before = {screen: len((await stats(page))["swaps"]) for screen, page in screens.items()}

    await switch_to(wall, "map-national", zone="trai")

    for screen in ("left-top", "left-bottom"):
        await wait_until(
            lambda p=screens[screen]: _shows(p, "map-national"), within=10, what=f"{screen} swapped"
        )
    # The console's miniature draws each screen with its own preset.
    for screen, preset in (("left-top", "map-national"), ("right-top", "overview")):
        await console.wait_for_selector(
            f"[data-screen='{screen}'] .wall-screen[data-preset='{preset}']"
        )
    swapped = {screen: (await stats(page))["swaps"] for screen, page in screens.items()}
    # Its "now showing" line names the zone and its preset.
    shows = console.locator(".zone-shows[data-zone='trai']")
    await shows.wait_for(timeout=10_000)
    assert "Nửa trái: Bản đồ" in await shows.inner_text()
    # The zone's screens swapped together, for one switch.
    assert len({swapped[s][-1]["switch_id"] for s in ("left-top", "left-bottom")}) == 1
    for screen in ("right-top", "right-bottom"):
        assert await _shows(screens[screen], "overview"), f"{screen} kept the overview"
        assert len(swapped[screen]) == before[screen], f"{screen} was sent no switch"
    for screen, page in screens.items():
        await page.screenshot(path=artifacts / f"{screen}.png")
    await console.screenshot(path=artifacts / "console.png", full_page=True)


async def test_a_viewer_sees_the_console_but_cannot_switch(
    browser: BrowserContext, wall: WallProcess
) -> None:
    console = await sign_in(browser, wall, "viewer")
    await console.wait_for_selector("text=Vai trò của bạn không được chuyển bố cục")
    # No switch button at all, not a disabled one (issue 9: a disabled widget is decoration).
    assert await console.get_by_role("button", name="Chuyển bố cục").count() == 0


async def test_the_console_needs_a_sign_in(browser: BrowserContext, wall: WallProcess) -> None:
    page = await browser.new_page()
    await page.goto(f"{wall.url}/console")
    await page.wait_for_selector("text=Đăng nhập · Sign in")
    assert "Bảng điều khiển trực ban" not in await page.content()


async def test_screens_ride_out_a_server_kill_and_restart(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    screens = await open_screens(browser, wall)
    async with httpx.AsyncClient(base_url=wall.url) as client:
        name, password = wall.users["admin"]
        token = (
            await client.post("/api/v1/sessions", json={"username": name, "password": password})
        ).json()["token"]
        r = await client.post(
            "/api/v1/switch",
            json={"preset": "emergency-banner"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 202
    for page in screens.values():
        await wait_until(lambda p=page: _shows(p, "emergency-banner"), within=10, what="switch")
        # A mark that a page reload would erase.
        await page.evaluate("() => { window.__sameDocument = true; }")

    wall.stop(kill=True)
    for screen, page in screens.items():
        await page.wait_for_selector(".wall-screen[data-link='lost']", timeout=10_000)
        banner = await page.inner_text(".wall-screen")
        assert "MẤT KẾT NỐI" in banner, f"{screen} says the link is lost"
    await screens["left-top"].screenshot(path=artifacts / "left-top-link-lost.png")

    await asyncio.to_thread(wall.restart, False)
    for screen, page in screens.items():
        await page.wait_for_selector(".wall-screen[data-link='up']", timeout=30_000)
        await wait_until(
            lambda p=page: _shows(p, "emergency-banner"), within=10, what=f"{screen} resynced"
        )
        assert await page.evaluate("() => window.__sameDocument === true"), "no page reload"
        await page.screenshot(path=artifacts / f"{screen}-after-restart.png")
