"""Helpers of the browser tests that drive the wall's pages: a screen's kiosk page, signing
in on the console (and by the API: switching, reading the audit log), an agency's credential as the CLI prints it,
which screen of the shipped wall shows a tile."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page
from wallprocess import ROOT, WallProcess

from command_center.server.composition import build_registry
from layouts import PRESETS_DIR, WALLS_DIR
from layouts.geometry import tiles_for_screen
from layouts.loader import load_presets, load_wall

# The console's video roster, drawn once the console has its room's state.
ROSTER = ".video-roster table.roster"


# Every ESM view of the page's Bokeh document, and its send_msg: the attacker's lever (what
# anyone with the browser's developer tools can fire); answers how many views sent it.
SEND_THROUGH_DOCUMENT = """async (msg) => {
  const views = [];
  const walk = (v) => { views.push(v); for (const c of (v.child_views || [])) walk(c); };
  for (const v of Object.values(Bokeh.index)) walk(v);
  const esm = views.filter((v) => v.model_proxy && v.model.document === Bokeh.documents[0]);
  for (const v of esm) v.model_proxy.send_msg(msg);
  return esm.length;
}"""


async def bearer(client: httpx.AsyncClient, wall: WallProcess, role: str) -> dict[str, str]:
    """The ``Authorization`` header of a session of ``role``'s bootstrap user (by the API)."""
    name, password = wall.users[role]
    r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def kiosk(
    browser: BrowserContext, wall: WallProcess, screen: str, width: int = 960, height: int = 540
) -> Page:
    """The kiosk page of ``wall``'s ``screen`` at ``width`` × ``height`` (the room's screens
    are 1920 × 1080; half that keeps the 2 × 2 test wall light)."""
    page = await browser.new_page()
    await page.set_viewport_size({"width": width, "height": height})
    await page.goto(wall.screens[screen])
    return page


async def switch_to(wall: WallProcess, preset: str, zone: str | None = None) -> None:
    """Switch ``wall`` (or its ``zone``) to ``preset`` as its duty officer, through the API."""
    body = {"preset": preset} if zone is None else {"preset": preset, "zone": zone}
    async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
        auth = await bearer(client, wall, "duty_officer")
        r = await client.post("/api/v1/switch", json=body, headers=auth)
        assert r.status_code == 202, r.text


async def audit_log(wall: WallProcess, limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` rows of the audit log, as the admin reads them by the API."""
    async with httpx.AsyncClient(base_url=wall.url, timeout=30) as client:
        auth = await bearer(client, wall, "admin")
        r = await client.get("/api/v1/audit", params={"limit": limit}, headers=auth)
        assert r.status_code == 200, r.text
        entries: list[dict[str, Any]] = r.json()["entries"]
        return entries


async def sign_in(
    browser: BrowserContext,
    wall: WallProcess,
    role: str,
    height: int = 1000,
    ready: str | None = None,
) -> Page:
    """A console page signed in as the bootstrap user of ``role``; ``ready``: a selector to
    wait for once the console is there."""
    name, password = wall.users[role]
    page = await browser.new_page()
    await page.set_viewport_size({"width": 1400, "height": height})
    await page.goto(f"{wall.url}/login?next=/console")
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{wall.url}/console")
    if ready:
        await page.wait_for_selector(ready)
    return page


def agency_credential(wall: WallProcess, agency: str) -> str:
    """``<agency>:<token>`` as ``run_wall.py agency-tokens`` prints it."""
    out = subprocess.run(
        [
            *(sys.executable, str(ROOT / "run_wall.py"), "agency-tokens"),
            *("--agency", agency, "--data-dir", str(wall.data_dir)),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    (line,) = [line for line in out.splitlines() if line.startswith(agency)]
    return line.split("\t")[1]


def screen_showing(tile_id: str, preset_id: str) -> str:
    """The screen of the shipped 2 × 4 wall that shows ``tile_id`` in ``preset_id``."""
    wall = load_wall(WALLS_DIR / "default.yaml")
    preset = load_presets(PRESETS_DIR / "default", wall, build_registry())[preset_id]
    for screen in wall.screen_ids():
        if any(p.tile.id == tile_id for p in tiles_for_screen(wall, preset, screen)):
            return screen
    raise AssertionError(f"no screen shows {tile_id}")


async def switch_from_console(console: Page, preset_vi: str, switch: str = "Chuyển bố cục") -> None:
    """Choose the preset's card (its Vietnamese name), wait for its preview on the
    miniature, then confirm with the switch button (``switch``: its label in the page's
    language)."""
    await console.get_by_role("button", name=preset_vi, exact=True).click()
    await console.locator(".preset-preview .preview-frame").wait_for()
    await console.get_by_role("button", name=switch, exact=True).click()
