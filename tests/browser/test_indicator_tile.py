"""A reporting agency posts an observation; the wall shows it: the value in Vietnamese
number format, its status, how old it is, and no late mark once the due report is in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
from pagesupport import agency_credential
from playwright.async_api import BrowserContext
from wallprocess import WallProcess

from feeds.loader import load_feeds
from feeds.periods import TIME_ZONE, last_due_period


async def test_a_posted_observation_appears_on_the_screen(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    cpi = load_feeds().catalogue.get("cpi_yoy")
    period = last_due_period(cpi.frequency, cpi.deadline, datetime.now(TIME_ZONE))
    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    await page.goto(wall.screens["left-top"])
    item = page.locator(".g-item[data-indicator='cpi_yoy']")
    await item.wait_for(timeout=30_000)
    assert "3,21" not in await item.inner_text()

    async with httpx.AsyncClient(base_url=wall.url) as client:
        credential = agency_credential(wall, cpi.owner)
        r = await client.post(
            "/api/v1/observations",
            json={"observations": [{"indicator": "cpi_yoy", "period": period.key, "value": 3.21}]},
            headers={"Authorization": f"Bearer {credential}"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["accepted"] == 1

    await item.locator("text=3,21").wait_for(timeout=10_000)  # 3.21 as Vietnamese write it
    value_class = await item.locator(".v").get_attribute("class")
    assert value_class is not None and "st-ok" in value_class, value_class  # under the ceiling
    assert "is-late" not in (await item.get_attribute("class") or "")
    tile = page.locator(".tile[data-tile='socio-economic']")
    age = tile.locator(".tile-age")
    await age.wait_for(timeout=5_000)
    assert "giây trước" in await age.inner_text()  # "as of": seconds ago, not a frozen value
    await page.screenshot(path=artifacts / "left-top-cpi.png")


async def test_gdp_below_its_target_is_not_shown_green(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    gdp = load_feeds().catalogue.get("gdp_growth")
    period = last_due_period(gdp.frequency, gdp.deadline, datetime.now(TIME_ZONE))
    target = gdp.target_for(period)
    assert target is not None and target.value > 6.5  # ≥ 8 % in 2025, ≥ 10 % in 2026
    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    await page.goto(wall.screens["left-top"])
    item = page.locator(".g-item[data-indicator='gdp_growth']")
    await item.wait_for(timeout=30_000)
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.post(
            "/api/v1/observations",
            # 6,5 is not under the 6,5 warning threshold: only the target makes it amber.
            json={
                "observations": [{"indicator": "gdp_growth", "period": period.key, "value": 6.5}]
            },
            headers={"Authorization": f"Bearer {agency_credential(wall, gdp.owner)}"},
        )
        assert r.status_code == 201, r.text
    await item.locator("text=6,50").wait_for(timeout=10_000)
    value_class = await item.locator(".v").get_attribute("class") or ""
    assert "st-warning" in value_class and "st-ok" not in value_class, value_class
    assert "st-border-warning" in (await item.get_attribute("class") or "")
    assert "✗" in await item.locator(".txt.target").inner_text()  # the attainment says "not met"
    await page.screenshot(path=artifacts / "left-top-gdp-below-target.png")
