"""First impressions and errors (issue 13, point 7), in real Chromium against a real
server: the sign-in page is styled, a kiosk whose device token is refused says so (and what
to run) instead of "link lost", an unknown screen lists the wall's screens, and a bridge
point without a camera is told so in words."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import BrowserContext
from wallprocess import WallProcess

SCREENS = ["left-top", "right-top", "left-bottom", "right-bottom"]


async def test_sign_in_page_is_styled_and_vietnamese(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    page = await browser.new_page()
    sheets: dict[str, int] = {}
    page.on("response", lambda r: sheets.update({r.url: r.status}) if ".css" in r.url else None)
    await page.goto(f"{wall.url}/login")
    assert sheets == {f"{wall.url}/assets/console/login.css": 200}
    assert await page.evaluate("document.documentElement.lang") == "vi"
    assert await page.title() == "Đăng nhập · Sign in"
    # The stylesheet applied: the page's dark card, not the browser's white default.
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(11, 17, 24)"
    await page.screenshot(path=artifacts / "login.png")


async def test_a_kiosk_with_a_refused_token_says_so_not_link_lost(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    # No token and no cookie: the page loads, and the server refuses the screen's link.
    await page.goto(f"{wall.url}/wall/left-top")
    await page.wait_for_selector(".wall-screen[data-link='refused']", timeout=20_000)
    banner = await page.inner_text(".wall-banner")
    assert "Mã thiết bị không hợp lệ hoặc đã bị thu hồi" in banner
    assert "Device token invalid or revoked" in banner
    assert "run_wall.py kiosk" in banner
    assert "MẤT KẾT NỐI" not in banner and "unauthenticated" not in banner
    await page.screenshot(path=artifacts / "kiosk-refused.png")


async def test_an_unknown_screen_lists_the_walls_screens(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        answer = await client.get("/wall/r9c9")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "token=" not in answer.text
    page = await browser.new_page()
    await page.goto(f"{wall.url}/wall/r9c9")
    assert await page.evaluate("document.documentElement.lang") == "vi"
    links = await page.locator("ul.screens a").evaluate_all(
        "(as) => as.map((a) => a.getAttribute('href'))"
    )
    assert sorted(links) == sorted(f"/wall/{s}" for s in SCREENS)
    assert "Không có màn hình “r9c9”" in await page.inner_text("h1")
    await page.screenshot(path=artifacts / "unknown-screen.png")
    # A known screen is still its own page (the list is only for the unknown ones).
    async with httpx.AsyncClient(base_url=wall.url) as client:
        known = await client.get("/wall/left-top")
    assert known.status_code == 200 and "Không có màn hình" not in known.text


async def test_a_bridge_point_without_a_camera_is_told_in_words(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    # Allowed, but this browser has no camera or microphone at all (no fake devices).
    await browser.grant_permissions(["camera", "microphone"], origin=wall.url)
    page = await browser.new_page()
    await page.goto(wall.bridges["hue"])
    assert await page.evaluate("document.documentElement.lang") == "vi"
    await page.wait_for_selector("body[data-state='nomedia']", timeout=20_000)
    notice = await page.inner_text(".notice")
    assert "Không tìm thấy camera hoặc micrô" in notice, notice
    assert "No camera or microphone was found" in notice
    assert "NotFoundError" not in notice and "Requested device" not in notice
    await page.screenshot(path=artifacts / "bridge-no-camera.png")
