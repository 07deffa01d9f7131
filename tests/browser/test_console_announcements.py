"""The console's "Thông báo · Announcements" panel in real Chromium: a duty officer writes an
announcement for a zone (it reaches the API's list with that zone and the audit) and withdraws
it; a viewer sees the list without the form or any withdraw button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pagesupport import sign_in
from playwright.async_api import BrowserContext
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    process = WallProcess(data_dir=tmp_path / "data", wall_file=WALL_2X2).start()
    yield process
    process.stop()


async def listed(wall: WallProcess) -> list[dict[str, object]]:
    name, password = wall.users["viewer"]
    async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
        r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        found: list[dict[str, object]] = (
            await client.get("/api/v1/announcements", headers=auth)
        ).json()["announcements"]
        return found


async def test_officer_announces_and_withdraws_viewer_only_reads(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    page = await sign_in(browser, wall, "duty_officer", ready=".announce-form")
    form = page.locator(".announce-form")
    inputs = form.locator("input")
    await inputs.nth(0).fill("Diễn tập phòng cháy lúc 15:00")
    await inputs.nth(1).fill("Fire drill at 15:00")
    selects = form.locator("select")
    await selects.nth(0).select_option(label="Chú ý")
    await selects.nth(1).select_option(label="1 giờ · 1 h")
    await selects.nth(2).select_option(label="Nửa trái")
    await form.locator("button", has_text="Đăng thông báo").click()
    await page.locator(".announcement", has_text="Diễn tập phòng cháy").wait_for()
    (made,) = await wait_until(lambda: listed(wall), what="the announcement in the API's list")
    assert (made["zone"], made["severity"], made["text_en"]) == (
        "trai",
        "warning",
        "Fire drill at 15:00",
    )
    await page.screenshot(path=artifacts / "console-announcement.png")

    viewer = await sign_in(browser, wall, "viewer", ready=".announcement")
    assert await viewer.locator(".announce-form").count() == 0
    assert await viewer.locator(".announcements button").count() == 0

    await page.locator(".announcements button", has_text="Gỡ").click()

    async def gone() -> bool:
        return await listed(wall) == []

    await wait_until(gone, what="the withdrawn announcement gone from the list")
    await viewer.locator(".announcement").wait_for(state="detached")
