"""History against a real kiosk: a Chromium page of the 2 × 2 wall records every WebSocket
frame it receives (Playwright's ``framereceived``); after a report and two switches, what
``/api/v1/history?at=`` rebuilds at each instant is exactly what that page had received by
then (preset and every tile's data), and the preset the page itself shows."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any
from urllib.parse import quote

import httpx
from playwright.async_api import BrowserContext, Page, WebSocket
from wallprocess import WallProcess
from wallsupport import wait_until

from command_center.server.history_api import iso

SCREEN = "left-top"
AGENCY = "cuc_thong_ke"


def shown(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """What a kiosk shows after ``messages``: a layout replaces everything, data merges into
    its tile (assets/wall/layer.js ``Object.assign``), banners replace banners."""
    preset, tiles, banners = None, {}, []
    for m in messages:
        if m["type"] == "layout":
            preset = m["preset"]
            tiles = {t["id"]: dict(t.get("data") or {}) for t in m["tiles"]}
        elif m["type"] == "data":
            for tile, patch in m["tiles"].items():
                if tile in tiles:
                    tiles[tile].update(patch)
        elif m["type"] == "banners":
            banners = m["banners"]
    return {"preset": preset, "tiles": tiles, "banners": banners}


class Frames:
    """Every frame the page's socket received, with the time it was seen here."""

    def __init__(self, page: Page) -> None:
        self.log: list[tuple[float, dict[str, Any]]] = []
        page.on("websocket", self._socket)

    def _socket(self, ws: WebSocket) -> None:
        if "/ws/screen" in ws.url:  # the screen's link (not another socket of the page)
            ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        self.log.append((time.time() * 1000.0, json.loads(payload)))

    def upto(self, t: float) -> list[dict[str, Any]]:
        return [m for at, m in self.log if at <= t]

    def has(self, test: Any) -> bool:
        return any(test(m) for _, m in self.log)

    async def quiet_instant(self, quiet_s: float = 0.3) -> float:
        """An instant after which nothing sent before it is still on its way: once no frame
        came for ``quiet_s`` (a switch's layout can be followed by its tiles' data within
        the same millisecond: recorded as sent, not yet seen here)."""
        for _ in range(100):
            seen = len(self.log)
            await asyncio.sleep(quiet_s)
            if len(self.log) == seen:
                return now_ms()
        raise AssertionError("the kiosk's link never went quiet")


def now_ms() -> float:
    return float(math.ceil(time.time() * 1000.0))


def cpi(value: float) -> Any:
    return lambda m: (
        m["type"] == "data"
        and any(
            item.get("indicator") == "cpi_yoy" and item.get("value") == value
            for data in m["tiles"].values()
            for item in data.get("items", ())
        )
    )


async def preset_on(page: Page) -> str | None:
    found: str | None = await page.evaluate("() => document.body.dataset.preset || null")
    return found


async def test_history_rebuilds_what_a_kiosk_page_received(
    browser: BrowserContext, wall: WallProcess
) -> None:
    page = await browser.new_page()
    await page.set_viewport_size({"width": 960, "height": 540})
    frames = Frames(page)
    await page.goto(wall.screens[SCREEN])
    await wait_until(lambda: preset_on(page), within=30, what="the kiosk shows its layout")
    async with httpx.AsyncClient(base_url=wall.url, timeout=20) as client:
        auth: dict[str, dict[str, str]] = {}
        for role in ("duty_officer", "viewer"):
            name, password = wall.users[role]
            r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
            auth[role] = {"Authorization": f"Bearer {r.json()['token']}"}
        instants: list[tuple[float, str]] = []
        r = await client.post(
            "/api/v1/observations",
            json={"observations": [{"indicator": "cpi_yoy", "period": "2026-09", "value": 3.1}]},
            headers={"Authorization": f"Bearer {AGENCY}:{wall.token('agency', AGENCY)}"},
        )
        assert r.status_code == 201, r.text
        await wait_until(lambda: frames.has(cpi(3.1)), what="the report on the kiosk")
        instants.append((await frames.quiet_instant(), "overview"))
        for preset in ("calibration", "overview"):
            r = await client.post(
                "/api/v1/switch", json={"preset": preset}, headers=auth["duty_officer"]
            )
            assert r.status_code == 202, r.text
            await wait_until(
                lambda p=preset: _is(page, p), within=10, what=f"the kiosk shows {preset}"
            )
            instants.append((await frames.quiet_instant(), preset))

        async def at(t: float) -> dict[str, Any]:
            r = await client.get(
                f"/api/v1/history?at={quote(str(iso(t)))}&screen={SCREEN}",
                headers=auth["viewer"],
            )
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()["screens"].get(SCREEN, {})
            return body

        # The writer flushes every second: wait for the last instant to be in the history.
        last_t, last_preset = instants[-1]
        await wait_until(
            lambda: _recorded(at, last_t, frames), what="the history up to the last instant"
        )
        for t, preset in instants:
            screen = await at(t)
            assert screen["preset"] == preset
            assert shown(screen["messages"]) == shown(frames.upto(t)), preset
        assert await preset_on(page) == last_preset


async def _is(page: Page, preset: str) -> bool:
    return await preset_on(page) == preset


async def _recorded(at: Any, t: float, frames: Frames) -> bool:
    screen = await at(t)
    return bool(screen) and shown(screen["messages"]) == shown(frames.upto(t))
