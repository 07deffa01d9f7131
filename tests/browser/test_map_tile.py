"""The province map on real screens: the 34 provinces and both archipelagos drawn across the
bezels, an agency's report recolouring its province, and a click on the console's miniature
zooming the wall's map to that province and pointing the whole-country indicator tile at it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import httpx
from pagesupport import agency_credential, screen_showing, sign_in, switch_to
from playwright.async_api import BrowserContext, Page
from wallprocess import WallProcess, quiet_wall
from wallsupport import wait_until

from feeds.loader import load_feeds
from feeds.periods import TIME_ZONE, last_due_period
from layouts import WALLS_DIR
from video.registry import load_bridge_points

DISBURSEMENT = "public_investment_disbursement"


async def screen(browser: BrowserContext, wall: WallProcess, screen_id: str) -> Page:
    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    await page.goto(wall.screens[screen_id])
    return page


def province(page: Page, code: str) -> str:
    return f".tile[data-tile='map-disbursement'] path.m-prov[data-code='{code}']"


async def test_an_agency_report_recolours_its_province(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    indicator = load_feeds().catalogue.get(DISBURSEMENT)
    period = last_due_period(indicator.frequency, indicator.deadline, datetime.now(TIME_ZONE))
    await switch_to(wall, "map-national")
    # The map spans all four screens of the 2 × 2 wall: each draws its part.
    pages = {s: await screen(browser, wall, s) for s in ("left-top", "left-bottom")}
    for page in pages.values():
        await page.wait_for_selector(".map[data-map-drawn='gso-34']", timeout=30_000)
    page = pages["left-bottom"]
    assert await page.locator(".tile[data-tile='map-disbursement'] path.m-prov").count() == 34
    for key in ("hoang-sa", "truong-sa"):
        assert await page.locator(f".m-arch g[data-key='{key}'] path").count() == 1
    labels = await page.locator(".m-arch-label").all_text_contents()
    assert labels == ["QĐ. Hoàng Sa (TP. Đà Nẵng)", "QĐ. Trường Sa (Khánh Hòa)"]
    await page.locator(".m-empty", has_text="CHƯA CÓ SỐ LIỆU").wait_for()  # nothing reported
    assert await page.get_attribute(province(page, "48"), "data-class") == "none"

    async with httpx.AsyncClient(base_url=wall.url) as client:
        ministry = agency_credential(wall, indicator.owner)  # the Ministry of Finance: all 34
        rows = [
            {
                "indicator": DISBURSEMENT,
                "area_code": code,
                "code_list": "gso-34",
                "period": period.key,
                "value": 30.0 + 2 * i,
            }
            for i, code in enumerate(["01", "04", "08", "48", "79", "96"])
        ]
        r = await client.post(
            "/api/v1/observations",
            json={"observations": rows},
            headers={"Authorization": f"Bearer {ministry}"},
        )
        assert r.status_code == 201, r.text
        await page.wait_for_selector(f"{province(page, '48')}[data-value='36']")
        before = await page.get_attribute(province(page, "48"), "fill")
        assert before is not None and before.startswith("#")  # a class colour, not the hatch
        await page.screenshot(path=artifacts / "left-bottom-before.png")

        # Đà Nẵng's People's Committee revises its own value: only its colour and label move.
        da_nang = agency_credential(wall, "ubnd_48")
        r = await client.post(
            "/api/v1/observations",
            json={"observations": [{**rows[3], "value": 97.5, "revision": 1}]},
            headers={"Authorization": f"Bearer {da_nang}"},
        )
        assert r.status_code == 201, r.text
    await page.wait_for_selector(f"{province(page, '48')}[data-value='97.5']")
    after = await page.get_attribute(province(page, "48"), "fill")
    assert after != before
    label = page.locator(".tile[data-tile='map-disbursement'] text.m-label[data-code='48']")
    if await label.count():  # the province has room for its label on this tile
        await label.locator("text=97,5").wait_for()
    # A search-and-rescue incident reported by the national centre appears on the map's layer.
    async with httpx.AsyncClient(base_url=wall.url) as client:
        centre = agency_credential(wall, "trung_tam_tkcn")
        incident = {
            "id": "TKCN-0142",
            "kind": "maritime",
            "status": "responding",
            "occurred_at": datetime.now(TIME_ZONE).isoformat(),
            "province": "56",
            "lat": 11.95,
            "lon": 109.6,
            "people_deployed": 85,
        }
        r = await client.post(
            "/api/v1/incidents",
            json={"incidents": [incident]},
            headers={"Authorization": f"Bearer {centre}"},
        )
        assert r.status_code == 201, r.text
    marker = page.locator("g.m-inc[data-incident='trung_tam_tkcn|TKCN-0142']")
    await marker.wait_for()
    assert await marker.get_attribute("data-status") == "responding"
    await page.screenshot(path=artifacts / "left-bottom-after.png")
    await pages["left-top"].screenshot(path=artifacts / "left-top.png")


async def test_a_console_click_focuses_the_wall_map(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    await switch_to(wall, "map-national")
    kiosk = await screen(browser, wall, "left-bottom")
    await kiosk.wait_for_selector(".map[data-map-drawn='gso-34']", timeout=30_000)
    national = await screen(browser, wall, "right-bottom")
    tile = ".tile[data-tile='map-disbursement-national']"
    await national.wait_for_selector(tile, timeout=30_000)
    assert await national.locator(f"{tile} .ind-area").text_content() == ""  # whole country

    console = await sign_in(browser, wall, "duty_officer")
    preview = console.locator("[data-screen='left-bottom'] .map.is-clickable")
    await preview.wait_for(timeout=30_000)
    await console.locator("[data-screen='left-bottom'] path.m-prov[data-code='48']").dispatch_event(
        "click"
    )

    await kiosk.wait_for_selector("svg.m-svg[data-focus='48']", timeout=10_000)
    await kiosk.locator(".m-focus", has_text="TP. Đà Nẵng").wait_for()
    assert await kiosk.get_attribute(".map", "data-frame") == "focus"
    # The whole-country tile of the same indicator now shows Đà Nẵng, ringed.
    await national.wait_for_selector(f"{tile}.is-focused")
    await national.locator(f"{tile} .ind-area", has_text="Đà Nẵng").wait_for()
    await kiosk.screenshot(path=artifacts / "left-bottom-focused.png")
    await console.screenshot(path=artifacts / "console-focused.png", full_page=True)

    # The way back: the preview's button returns every map to the whole country.
    await console.locator("[data-screen='right-bottom'] .m-back").click()
    await kiosk.wait_for_selector("svg.m-svg[data-focus='']", timeout=10_000)
    await national.wait_for_selector(f"{tile}:not(.is-focused)")
    await national.locator(f"{tile} .ind-area", has_text="Đà Nẵng").wait_for(state="detached")
    await kiosk.locator(".m-focus").wait_for(state="hidden")


async def test_bridge_points_never_connected_are_drawn_greyed(
    browser: BrowserContext, tmp_path: Path, artifacts: Path
) -> None:
    # No bridge point has connected to this wall: on the search-and-rescue map each is still
    # drawn, greyed, counted in the legend, and the labels that fit say "chưa kết nối"
    # without covering one another or a province's name.
    points = load_bridge_points()
    wall = quiet_wall(tmp_path / "data", WALLS_DIR / "default.yaml")
    try:
        await switch_to(wall, "incident-response")
        page = await browser.new_page()
        await page.set_viewport_size({"width": 1920, "height": 1080})
        await page.goto(wall.screens[screen_showing("map-sar", "incident-response")])
        tile = page.locator(".tile[data-tile='map-sar']")
        await tile.locator(".map[data-map-drawn='gso-34']").wait_for(timeout=30_000)
        marks = tile.locator("g.m-bp")

        async def all_drawn() -> bool:
            return await marks.count() == len(points)

        await wait_until(all_drawn, within=10, what="every registry point on the map")
        drawn = await marks.evaluate_all(
            """(ms) => ms.map((m) => ({
                 point: m.dataset.point, state: m.dataset.state,
                 stroke: getComputedStyle(m.querySelector('.m-bp-dot')).stroke,
                 fill: getComputedStyle(m.querySelector('.m-bp-dot')).fill,
                 label: m.querySelector('.m-bp-label')?.textContent ?? null }))"""
        )
        assert {d["point"] for d in drawn} == set(points.ids)
        for d in drawn:
            assert d["state"] == "never" and d["fill"] == "none", d
            assert d["stroke"] == "rgb(138, 147, 163)", d  # the offline grey
        labelled = {d["point"]: d["label"] for d in drawn if d["label"] is not None}
        assert labelled, drawn
        for point, label in labelled.items():
            assert label == f"{points.get(point).name_vi} · chưa kết nối", label
        legend = tile.locator(".m-layer-legend")
        await legend.locator(f"text=Chưa kết nối · Not connected ({len(points)})").wait_for()
        overlaps = await tile.locator("svg.m-svg").evaluate(OVERLAPPING_BRIDGE_LABELS_JS)
        assert overlaps == []
        await page.screenshot(path=artifacts / "sar-map-bridge-points-never-connected.png")
    finally:
        wall.stop()


# Each bridge-point label drawn over another text of the map, as "label over other".
OVERLAPPING_BRIDGE_LABELS_JS = """(svg) => {
  const boxes = [...svg.querySelectorAll('text')].map((t) => [t, t.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0);
  const out = [];
  for (const [t, r] of boxes) {
    if (!t.classList.contains('m-bp-label')) continue;
    for (const [u, q] of boxes) {
      if (u !== t && r.left < q.right && r.right > q.left && r.top < q.bottom && r.bottom > q.top) {
        out.push(`${t.textContent} over ${u.textContent}`);
      }
    }
  }
  return out;
}"""
