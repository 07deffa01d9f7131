"""Alerts drive the wall, in real Chromium against a real server process (2 × 2 wall): an
incident posted by the search-and-rescue centre switches a kiosk and rings the console's
chime; resolved but not acknowledged the wall stays; acknowledged from the console it returns;
locked from the console no rule switches it; two alerts of different priority clear in either
order and the wall ends where it started."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from incidentsupport import LANDSLIDE
from pagesupport import agency_credential, sign_in
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until

RULES = """
rules:
  - id: big-incident
    title: {vi: "Sự cố lớn", en: "Major incident"}
    priority: 3
    when:
      - incident: {status: [responding], people_deployed_at_least: 300}
    do:
      switch: {preset: emergency-banner}
      banner: {vi: "Sự cố lớn tại {province}", en: "Major incident in {province}", severity: critical}
      chime: true
  - id: any-incident
    title: {vi: "Có sự cố", en: "An incident"}
    priority: 1
    when:
      - incident: {status: [reported, responding], province: "56"}
    do:
      switch: {preset: map-national}
"""
DESK = ".alert-desk"


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    process = WallProcess(
        data_dir=tmp_path / "data", wall_file=WALL_2X2, extra=["--alerts", str(rules)]
    ).start()
    yield process
    process.stop()


async def report(wall: WallProcess, row: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.post(
            "/api/v1/incidents",
            json={"incidents": [row]},
            headers={"Authorization": f"Bearer {agency_credential(wall, 'trung_tam_tkcn')}"},
        )
        assert r.status_code == 201, r.text


def incident(ident: str, status: str, people: int = 320, province: str = "15") -> dict[str, Any]:
    return {
        **LANDSLIDE,
        "id": ident,
        "status": status,
        "people_deployed": people,
        "province": province,
    }


async def kiosk(browser: BrowserContext, wall: WallProcess) -> Page:
    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    await page.goto(wall.screens["left-top"])
    await wait_until(lambda: shows(page, "overview"), within=30, what="the kiosk on overview")
    return page


async def shows(page: Page, preset: str) -> bool:
    return bool(await page.evaluate("(p) => document.body.dataset.preset === p", preset))


async def test_an_incident_takes_the_wall_until_resolved_and_acknowledged_from_the_console(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    screen = await kiosk(browser, wall)
    console = await sign_in(browser, wall, "duty_officer", ready=DESK)
    await report(wall, incident("TKCN-1", "responding"))
    await wait_until(lambda: shows(screen, "emergency-banner"), within=15, what="the switch")
    banner = screen.get_by_text("Sự cố lớn tại Lào Cai")
    await banner.wait_for()
    await screen.get_by_text("Major incident in Lao Cai").wait_for()
    item = console.locator(f"{DESK} li[data-alert='big-incident:incident:TKCN-1']")
    await item.wait_for()
    assert "Sự cố lớn" in await item.inner_text()
    desk = console.locator(DESK).locator("..")
    await wait_until(
        lambda: desk.evaluate("(el) => Number(el.dataset.chimes || 0)"), what="the chime"
    )
    await report(wall, incident("TKCN-1", "resolved"))
    await console.locator(f"{DESK} li[data-state='cleared']").wait_for()
    assert await shows(screen, "emergency-banner"), "resolved, not acknowledged: it holds"
    await screen.screenshot(path=artifacts / "held.png")
    await item.get_by_role("button", name="Xác nhận").click()
    await wait_until(lambda: shows(screen, "overview"), within=15, what="back on overview")
    await banner.wait_for(state="detached")
    await console.screenshot(path=artifacts / "console.png")


async def test_a_locked_wall_does_not_switch_and_unlocking_lets_the_rule_act(
    browser: BrowserContext, wall: WallProcess
) -> None:
    screen = await kiosk(browser, wall)
    console = await sign_in(browser, wall, "duty_officer", ready=DESK)
    await console.get_by_role("button", name="Khóa tường (không tự chuyển)").click()
    await console.locator(f"{DESK} [data-locked]").wait_for()
    await report(wall, incident("TKCN-2", "responding"))
    await console.locator(f"{DESK} li[data-alert='big-incident:incident:TKCN-2']").wait_for()
    assert await shows(screen, "overview"), "locked: listed, not switched"
    await console.get_by_role("button", name="Mở khóa tường").click()
    await wait_until(lambda: shows(screen, "emergency-banner"), within=15, what="unlocked")


@pytest.mark.parametrize("first", ["high", "low"])
async def test_two_priorities_clear_in_either_order_and_the_wall_returns(
    browser: BrowserContext, wall: WallProcess, first: str
) -> None:
    screen = await kiosk(browser, wall)
    await report(wall, incident("LOW", "reported", people=5, province="56"))
    await wait_until(lambda: shows(screen, "map-national"), within=15, what="the low alert")
    await report(wall, incident("HIGH", "responding"))
    await wait_until(lambda: shows(screen, "emergency-banner"), within=15, what="pre-empted")
    console = await sign_in(browser, wall, "duty_officer", ready=DESK)
    high = console.locator(f"{DESK} li[data-alert='big-incident:incident:HIGH']")
    await high.get_by_role("button", name="Xác nhận").click()  # p3 needs an acknowledgement
    await high.locator("small", has_text="Đã xác nhận").wait_for()
    order = ["HIGH", "LOW"] if first == "high" else ["LOW", "HIGH"]
    for ident in order:
        low = ident == "LOW"
        await report(
            wall,
            incident(ident, "resolved", people=5 if low else 320, province="56" if low else "15"),
        )
    await wait_until(lambda: shows(screen, "overview"), within=15, what="back where it started")
