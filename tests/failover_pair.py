"""Two wall processes of one wall on one private Redis, each started with every server's URL
(``--server A --server B``), and the 2 × 2 wall's kiosks in real Chromium, opened on A: the
harness of the takeover fault test and ``benchmarks/failover``. The two processes alone
are ``wallprocess.wall_pair``."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, async_playwright
from wallprocess import CHROMIUM_ARGS, RedisServer, WallProcess, free_port, wall_pair
from wallsupport import wait_until

from command_center.chromium import chromium_path

SCREENS = ("left-top", "right-top", "left-bottom", "right-bottom")
# A province indicator that the map tile of every 2 × 2 preset with a map draws on all four
# screens (the map spans both bezels): a value posted for Hà Nội shows on each screen.
AGENCY = "bo_tai_chinh"
INDICATOR = "public_investment_disbursement"
PROVINCE = "01"
PRESETS = ("overview", "map-national")  # both draw that map on every screen


@dataclass
class Pair:
    """Servers A (the kiosks' own) and B, and the kiosk pages by screen id."""

    a: WallProcess
    b: WallProcess
    pages: dict[str, Page] = field(default_factory=dict)
    auth: dict[str, str] = field(default_factory=dict)  # the duty officer's bearer header
    agency: dict[str, str] = field(default_factory=dict)  # the agency's bearer header
    posted: int = 0  # observations the servers answered 201 for (each a new revision)
    b_metrics: str = ""  # B's /metrics (--metrics-bind)

    async def sign_in(self, server: WallProcess) -> None:
        name, password = self.a.users["duty_officer"]
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
            r.raise_for_status()
            self.auth = {"Authorization": f"Bearer {r.json()['token']}"}
        credential = f"{AGENCY}:{self.a.token('agency', AGENCY)}"
        self.agency = {"Authorization": f"Bearer {credential}"}

    async def switch(self, server: WallProcess, preset: str) -> int:
        """Switch the wall through ``server``; the layout version to wait for."""
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            r = await client.post("/api/v1/switch", json={"preset": preset}, headers=self.auth)
            assert r.status_code == 202, r.text
            state = await client.get("/api/v1/state", headers=self.auth)
            state.raise_for_status()
            return int(state.json()["version"])

    async def post(self, server: WallProcess, value: float, period: str = "2026-11") -> None:
        """One observation for ``PROVINCE``: a new revision of the same period each time."""
        row = {
            "indicator": INDICATOR,
            "area_code": PROVINCE,
            "code_list": "gso-34",
            "period": period,
            "value": value,
            "revision": self.posted,
        }
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            r = await client.post(
                "/api/v1/observations", json={"observations": [row]}, headers=self.agency
            )
            assert r.status_code == 201, r.text
            self.posted += 1


async def screen_state(page: Page) -> dict[str, Any]:
    """What one kiosk shows: link up or not, the server it uses, the layout version, and
    the value its map draws for ``PROVINCE``."""
    result: dict[str, Any] = await page.evaluate(
        """(code) => {
          // Panel renders the screen inside a shadow root.
          const find = (root, sel) => {
            const hit = root.querySelector(sel);
            if (hit) return hit;
            for (const el of root.querySelectorAll('*')) {
              const inner = el.shadowRoot && find(el.shadowRoot, sel);
              if (inner) return inner;
            }
            return null;
          };
          const s = window.wallScreen;
          const el = find(document, '.wall-screen');
          const path = find(document, `.m-prov[data-code="${code}"]`);
          return {
            up: !!s && s.connected && el?.dataset.link === 'up',
            server: s ? s.server : null,
            version: s ? s.version : null,
            value: path ? path.dataset.value ?? null : null,
          };
        }""",
        PROVINCE,
    )
    return result


def shows(state: dict[str, Any], version: int, value: float, server: str | None = None) -> bool:
    """The screen is up, on the current layout, with the fresh value (on ``server``)."""
    fresh = state["value"] not in (None, "") and abs(float(state["value"]) - value) < 1e-6
    here = server is None or state["server"] == server
    return bool(state["up"] and state["version"] == version and fresh and here)


@contextlib.contextmanager
def running_pair(folder: Path, redis: RedisServer) -> Iterator[Pair]:
    """The failover harness: both servers listed, B serving /metrics on a port of its own."""
    metrics_port = free_port()
    with wall_pair(folder, redis.url, b_extra=["--metrics-bind", f"127.0.0.1:{metrics_port}"]) as (
        a,
        b,
    ):
        yield Pair(a, b, b_metrics=f"http://127.0.0.1:{metrics_port}/metrics")


@contextlib.contextmanager
def pair_on_own_redis(folder: Path) -> Iterator[Pair]:
    """``running_pair`` on a Redis server of its own, stopped after the pair."""
    redis = RedisServer().start()
    try:
        with running_pair(folder, redis) as servers:
            yield servers
    finally:
        redis.stop()


@contextlib.asynccontextmanager
async def kiosks(pair: Pair, within: float = 60.0) -> AsyncIterator[Browser]:
    """The four kiosk pages, each in its own context (kiosks are separate machines), opened
    on A with the URL ``run_wall.py kiosk`` prints; returns once each shows its screen."""
    exe = chromium_path()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            for screen in SCREENS:
                context = await browser.new_context(viewport={"width": 960, "height": 540})
                page = await context.new_page()
                await page.goto(pair.a.screens[screen])
                pair.pages[screen] = page
            for screen, page in pair.pages.items():

                async def up(p: Page = page) -> bool:
                    return bool((await screen_state(p))["up"])

                await wait_until(up, within=within, what=f"{screen} connected")
            yield browser
        finally:
            await browser.close()


async def time_until_shown(
    pages: dict[str, Page],
    version: int,
    value: float,
    since: float,
    server: str | None = None,
    within: float = 60.0,
) -> dict[str, float]:
    """Per screen, seconds from ``since`` (time.monotonic) until it shows ``version`` with
    ``value`` (on ``server``); fails after ``within`` s."""
    seen: dict[str, float] = {}

    async def all_shown() -> bool:
        for screen, page in pages.items():
            if screen not in seen and shows(await screen_state(page), version, value, server):
                seen[screen] = time.monotonic() - since
        return len(seen) == len(pages)

    try:
        await wait_until(all_shown, within=within, interval=0.05, what=f"screens on v{version}")
    except AssertionError as exc:
        states = {screen: await screen_state(page) for screen, page in pages.items()}
        raise AssertionError(f"{exc}; wanted {value} on {server}; screens: {states}") from None
    return seen
