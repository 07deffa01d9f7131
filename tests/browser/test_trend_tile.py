"""The trend tile on a real screen: a HoloViews figure embedded once with BokehJS, then an
agency's new observation reaches the figure's ColumnDataSource as columns only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pagesupport import agency_credential, screen_showing
from playwright.async_api import BrowserContext, Page, WebSocket
from wallprocess import WallProcess
from wallsupport import wait_until

from feeds.loader import load_feeds
from feeds.periods import TIME_ZONE, last_due_period

TILE = "cpi-trend"  # socio-economic preset: CPI y/y over 13 months
PRESET = "socio-economic"

SOURCE_VALUES = """el => {
  const doc = el.trendDoc;
  if (!doc) return null;
  const source = doc.get_model_by_name('trend-series');
  return Array.from(source.data.value).map((v) => (Number.isNaN(v) ? null : v));
}"""


@pytest.fixture
def wall(tmp_path: Path) -> Iterator[WallProcess]:
    process = WallProcess(data_dir=tmp_path / "data", extra=["--no-simulator"]).start()
    yield process
    process.stop()


async def switch(wall: WallProcess, preset: str) -> None:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        name, password = wall.users["admin"]
        r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
        r = await client.post(
            "/api/v1/switch",
            json={"preset": preset},
            headers={"Authorization": f"Bearer {r.json()['token']}"},
        )
        assert r.status_code == 202, r.text


async def post(client: httpx.AsyncClient, credential: str, period: str, value: float) -> None:
    r = await client.post(
        "/api/v1/observations",
        json={"observations": [{"indicator": "cpi_yoy", "period": period, "value": value}]},
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert r.status_code == 201, r.text


async def test_a_new_observation_reaches_the_trend_charts_source(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    cpi = load_feeds().catalogue.get("cpi_yoy")
    due = last_due_period(cpi.frequency, cpi.deadline, datetime.now(TIME_ZONE))
    await switch(wall, PRESET)

    # Every tile-data frame this screen receives for the trend tile.
    frames: list[dict[str, Any]] = []

    def on_socket(ws: WebSocket) -> None:
        def on_frame(payload: str | bytes) -> None:
            message = json.loads(payload) if isinstance(payload, str) else None
            data = message.get("tiles", {}) if isinstance(message, dict) else {}
            if message and message.get("type") == "data" and TILE in data:
                frames.append(data[TILE])

        ws.on("framereceived", on_frame)

    page: Page = await browser.new_page()
    page.on("websocket", on_socket)
    await page.set_viewport_size({"width": 1920, "height": 1080})
    await page.goto(wall.screens[screen_showing(TILE, PRESET)])
    body = page.locator(f".tile[data-tile='{TILE}'] .tile-body")
    await body.wait_for(timeout=30_000)

    async with httpx.AsyncClient(base_url=wall.url) as client:
        credential = agency_credential(wall, cpi.owner)
        await post(client, credential, due.previous().key, 3.1)
        # The first data of the tile brings the figure; BokehJS embeds it.
        await wait_until(
            lambda: body.get_attribute("data-figure-embeds"), within=60, what="figure embedded"
        )
        values = await body.evaluate(SOURCE_VALUES)
        assert [v for v in values if v is not None] == [3.1]
        key = await body.get_attribute("data-chart-key")
        figures_sent = sum(1 for f in frames if "figure" in f)
        assert figures_sent == 1

        await post(client, credential, due.key, 3.21)

        async def gained() -> bool:
            return (await body.evaluate(SOURCE_VALUES))[-2:] == [3.1, 3.21]

        await wait_until(gained, within=30, what="the new point in the chart's source")
    # Columns only: the same figure, never re-embedded, and no figure on the wire again.
    assert await body.get_attribute("data-figure-embeds") == "1"
    assert await body.get_attribute("data-chart-key") == key
    assert sum(1 for f in frames if "figure" in f) == figures_sent
    last = next(f for f in reversed(frames) if "columns" in f)
    assert last["columns"]["value"][-1] == 3.21 and "figure" not in last
    assert len(json.dumps(last)) < 4_000
    # The header: the value in Vietnamese format, its age, and no late mark.
    tile = page.locator(f".tile[data-tile='{TILE}']")
    await tile.locator(".t-value", has_text="3,21").wait_for(timeout=10_000)
    assert await tile.locator(".late-badge").is_hidden()
    assert "giây trước" in await tile.locator(".tile-age").inner_text()
    assert await tile.locator("canvas").count() >= 1  # Bokeh drew it
    await page.screenshot(path=artifacts / "cpi-trend.png")

    # Layout switches away and back build new tiles from the hub's kept data (figure and
    # columns); the old figures' Bokeh Documents are released, not kept for weeks.
    documents = (
        "() => window.Bokeh.documents.filter((d) => d.get_model_by_name('trend-series')).length"
    )
    assert await page.evaluate(documents) == 1
    for _ in range(2):
        await switch(wall, "overview")
        await body.wait_for(state="detached", timeout=30_000)
        await switch(wall, PRESET)
        await wait_until(
            lambda: body.get_attribute("data-chart-key"), within=30, what="figure again"
        )
        await wait_until(gained, within=30, what="the columns on the new tile")
    assert await page.evaluate(documents) == 1  # only the tile on the screen now

    # BokehJS 3.9 leaves a viewport listener behind per figure, which kept every figure ever
    # embedded alive; assets/wall/bokeh-embed.js removes it with the figure.
    cdp = await browser.new_cdp_session(page)
    viewport = await cdp.send("Runtime.evaluate", {"expression": "window.visualViewport"})
    listeners = await cdp.send(
        "DOMDebugger.getEventListeners", {"objectId": viewport["result"]["objectId"]}
    )
    assert len(listeners["listeners"]) == 1  # the figure on the screen now, no other


async def test_switching_back_to_a_trend_keeps_no_more_nodes(
    browser: BrowserContext, wall: WallProcess
) -> None:
    cpi = load_feeds().catalogue.get("cpi_yoy")
    due = last_due_period(cpi.frequency, cpi.deadline, datetime.now(TIME_ZONE))
    await switch(wall, PRESET)
    page: Page = await browser.new_page()
    await page.set_viewport_size({"width": 1920, "height": 1080})
    await page.goto(wall.screens[screen_showing(TILE, PRESET)])
    body = page.locator(f".tile[data-tile='{TILE}'] .tile-body")
    async with httpx.AsyncClient(base_url=wall.url) as client:
        await post(client, agency_credential(wall, cpi.owner), due.key, 3.1)
    await wait_until(
        lambda: body.get_attribute("data-figure-embeds"), within=60, what="figure embedded"
    )
    cdp = await browser.new_cdp_session(page)
    await cdp.send("Performance.enable")

    async def live_nodes() -> int:
        await cdp.send("HeapProfiler.collectGarbage")
        metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
        return int(next(m["value"] for m in metrics if m["name"] == "Nodes"))

    async def away_and_back() -> None:
        await switch(wall, "map-national")
        await body.wait_for(state="detached", timeout=30_000)
        await switch(wall, PRESET)
        await wait_until(
            lambda: body.get_attribute("data-chart-key"), within=30, what="figure again"
        )

    await away_and_back()  # every tile kind of both presets has been built once
    before = await live_nodes()
    for _ in range(4):
        await away_and_back()
    kept = await live_nodes() - before
    print(f"DOM nodes kept over 4 switches away and back: {kept}")
    # The figure waits while another layout is shown and is shown again, never re-embedded:
    # BokehJS does not free every part of a released figure (~300 DOM nodes a switch).
    assert await body.get_attribute("data-figure-reuses") is not None
    assert await body.get_attribute("data-figure-embeds") is None
    assert kept < 200, f"{kept} DOM nodes kept alive over 4 switches"
