"""A reporting agency posts an observation; the wall shows it: the value in Vietnamese
number format, its status, how old it is, and no late mark once the due report is in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
from pagesupport import agency_credential
from playwright.async_api import BrowserContext
from wallprocess import WallProcess
from wallsupport import wait_until

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


async def test_a_group_marks_its_late_item_on_itself_and_says_each_items_age(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    # The frame can only show the oldest age; the one late item must be told from the rest.
    feeds = load_feeds()
    now = datetime.now(TIME_ZONE)
    fresh = [
        "cpi_yoy",
        "budget_revenue",
        "public_investment_disbursement",
        "online_public_services",
    ]
    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    await page.goto(wall.screens["left-top"])
    await page.locator(".g-item[data-indicator='gdp_growth']").wait_for(timeout=30_000)
    async with httpx.AsyncClient(base_url=wall.url) as client:
        for code in [*fresh, "gdp_growth"]:
            ind = feeds.catalogue.get(code)
            period = last_due_period(ind.frequency, ind.deadline, now)
            # GDP: the quarter before the one due, so the one due is missing and it is late.
            key = period.previous().key if code == "gdp_growth" else period.key
            r = await client.post(
                "/api/v1/observations",
                json={"observations": [{"indicator": code, "period": key, "value": 5.0}]},
                headers={"Authorization": f"Bearer {agency_credential(wall, ind.owner)}"},
            )
            assert r.status_code == 201, r.text
    items = page.locator(".g-item")
    # Every item's own age once the five values are in.
    aged = "(ns) => ns.filter((n) => n.querySelector('.txt.age').textContent).length"

    async def all_aged() -> bool:
        return await items.evaluate_all(aged) == 5

    await wait_until(all_aged, within=10, what="an age on each of the five items")
    late = await items.evaluate_all(
        """(ns) => Object.fromEntries(ns.map((n) => [n.dataset.indicator, {
             late: n.classList.contains('is-late'),
             badge: !n.querySelector('.late-badge').hidden,
             age: n.querySelector('.txt.age').textContent }]))"""
    )
    assert late["gdp_growth"]["late"] and late["gdp_growth"]["badge"], late
    gdp = page.locator(".g-item[data-indicator='gdp_growth'] .late-badge")
    assert "TRỄ HẠN" in await gdp.inner_text()
    for code in fresh:
        assert not late[code]["late"] and not late[code]["badge"], (code, late)
    assert {v["age"] for v in late.values()} == {"vừa cập nhật"}, late
    await page.screenshot(path=artifacts / "left-top-group-one-late.png")
