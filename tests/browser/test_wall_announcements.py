"""Announcements on the 2 × 2 wall's kiosk pages in real Chromium (issue 14, point 8): one for
the whole wall shows on every screen and leaves when withdrawn; one for a zone shows on the
zone's screens only and leaves at its expiry; and a page takes an expired banner down by itself
while its server says nothing (stopped with SIGSTOP)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess
from wallsupport import wait_until

SCREENS = ("left-top", "right-top", "left-bottom", "right-bottom")
LEFT = ("left-top", "left-bottom")  # the 2 × 2 wall's zone "trai"


async def shown(page: Page) -> list[str]:
    """The banner ids the screen draws now."""
    ids: list[str] = await page.evaluate("() => window.wallScreen?.stats().banners ?? []")
    return ids


async def announce(client: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> str:
    body = {"text_vi": "Thông báo khẩn", "text_en": "Urgent notice", "severity": "critical"}
    r = await client.post("/api/v1/announcements", json=body | fields, headers=auth)
    assert r.status_code == 201, r.text
    ident: str = r.json()["id"]
    return ident


async def test_announcements_show_on_their_screens_and_leave(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    pages: dict[str, Page] = {}
    for screen in SCREENS:
        page = await browser.new_page()
        await page.set_viewport_size({"width": 960, "height": 540})
        await page.goto(wall.screens[screen])
        await page.wait_for_selector(".wall-screen[data-link='up']", timeout=30_000)
        pages[screen] = page
    name, password = wall.users["duty_officer"]
    async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
        r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
        auth = {"Authorization": f"Bearer {r.json()['token']}"}

        async def on(ident: str, screens: tuple[str, ...]) -> bool:
            for screen, page in pages.items():
                if (ident in await shown(page)) != (screen in screens):
                    return False
            return True

        # The whole wall, until withdrawn.
        whole = await announce(client, auth)
        await wait_until(lambda: on(whole, SCREENS), what="the announcement on every screen")
        banner = pages["right-bottom"].locator(f"[data-banner-id='{whole}']")
        assert await banner.locator(".b-vi").text_content() == "Thông báo khẩn"
        assert await banner.locator(".b-en").text_content() == "Urgent notice"
        colour = await banner.evaluate("(b) => getComputedStyle(b).backgroundColor")
        assert colour == "rgb(200, 16, 46)"  # critical: red
        await pages["right-bottom"].screenshot(path=artifacts / "whole-wall.png")
        r = await client.delete(f"/api/v1/announcements/{whole}", headers=auth)
        assert r.status_code == 200, r.text
        await wait_until(lambda: on(whole, ()), what="the withdrawn announcement gone")

        # The left half, for 2 s.
        left = await announce(client, auth, severity="info", zone="trai", expires_in_s=2)
        await wait_until(lambda: on(left, LEFT), what="the zone's announcement on its screens")
        await pages["left-top"].screenshot(path=artifacts / "zone.png")
        await wait_until(lambda: on(left, ()), within=15, what="the announcement gone at expiry")

        # The page's own clock: the server is silent (stopped) when the banner expires.
        quiet = await announce(client, auth, severity="warning", expires_in_s=3)
        await wait_until(lambda: on(quiet, SCREENS), what="the last announcement shown")
    assert wall.proc is not None
    wall.proc.send_signal(signal.SIGSTOP)
    try:
        await wait_until(lambda: on(quiet, ()), within=15, what="expired with the server silent")
    finally:
        wall.proc.send_signal(signal.SIGCONT)
