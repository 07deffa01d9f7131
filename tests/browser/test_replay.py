"""The replay page in real Chromium against a real wall: a known switch and a known value
at a known time appear when the real timeline is scrubbed there, the PHÁT LẠI · REPLAY badge
shows the replayed time, ×60 plays the switch in, the URL follows; viewers may replay,
anonymous visitors are sent to sign in; the PNG and HTML exports; the keyboard.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import httpx
from pagesupport import agency_credential, bearer, sign_in, switch_to
from playwright.async_api import BrowserContext, Page
from replaysupport import iso, now_ms
from wallprocess import WallProcess
from wallsupport import wait_until

from feeds.loader import load_feeds
from feeds.periods import TIME_ZONE, last_due_period
from layouts.loader import load_wall

SCREENS = ["left-top", "right-top", "left-bottom", "right-bottom"]


def shown(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, TIME_ZONE).strftime("%d/%m/%Y %H:%M:%S")


async def preset_of(page: Page, screen: str) -> str | None:
    return await page.evaluate(
        "(s) => document.querySelector(`.replay-screen[data-screen='${s}'] .wall-screen`)"
        "?.dataset.preset ?? null",
        screen,
    )


async def kiosks(browser: BrowserContext, wall: WallProcess) -> None:
    for screen in SCREENS:
        page = await browser.new_page()
        await page.set_viewport_size({"width": 960, "height": 540})
        await page.goto(wall.screens[screen])
        await wait_until(
            lambda p=page: p.evaluate("() => document.body.dataset.preset === 'overview'"),
            within=30,
            what=f"{screen} shows the overview",
        )


async def post_cpi(wall: WallProcess, value: float) -> None:
    cpi = load_feeds().catalogue.get("cpi_yoy")
    period = last_due_period(cpi.frequency, cpi.deadline, datetime.now(TIME_ZONE))
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.post(
            "/api/v1/observations",
            json={"observations": [{"indicator": "cpi_yoy", "period": period.key, "value": value}]},
            headers={"Authorization": f"Bearer {agency_credential(wall, cpi.owner)}"},
        )
        assert r.status_code == 201, r.text


async def replay_page(browser: BrowserContext) -> Page:
    page = await browser.new_page()
    await page.set_viewport_size({"width": 1400, "height": 900})
    return page


async def test_scrubbing_the_replay_shows_the_known_value_and_switch(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    await kiosks(browser, wall)
    await post_cpi(wall, 3.21)
    left_top = browser.pages[-4]
    await left_top.locator(".g-item[data-indicator='cpi_yoy'] >> text=3,21").wait_for()
    # The slider moves by whole seconds (it rounds to the nearest), so the value's instant is
    # the first whole second after it showed, and the switch comes after that second.
    value_at = (now_ms() // 1000 + 1) * 1000
    await asyncio.sleep((value_at - now_ms()) / 1000 + 0.05)
    await left_top.screenshot(path=artifacts / "kiosk-left-top.png")  # to compare by eye
    await switch_to(wall, "calibration")
    for page in browser.pages[-4:]:
        await wait_until(
            lambda p=page: p.evaluate("() => document.body.dataset.preset === 'calibration'"),
            within=15,
            what="the switch to calibration",
        )
    # The slider moves by whole seconds: the first one after the switch.
    switched_at = (now_ms() // 1000 + 1) * 1000

    console = await sign_in(browser, wall, "viewer")
    await console.close()
    page = await replay_page(browser)
    await page.goto(f"{wall.url}/replay?at={quote(iso(value_at))}")
    await page.wait_for_selector("body[data-replay-ready='1']")
    badge = page.locator(".replay-badge")
    assert "PHÁT LẠI · REPLAY" in await badge.inner_text()
    assert shown(value_at) in await badge.inner_text()
    assert await preset_of(page, "left-top") == "overview"
    screen = page.locator(".replay-screen[data-screen='left-top']")
    await screen.locator(".g-item[data-indicator='cpi_yoy'] >> text=3,21").wait_for()
    await page.screenshot(path=artifacts / "replay-value.png")

    # Scrub the real slider to after the switch: every screen shows calibration.
    await page.locator(".tl-slider").fill(str(int(switched_at)))
    for s in SCREENS:
        await wait_until(
            lambda s=s: _is(page, s, "calibration"), within=10, what=f"{s} replays calibration"
        )
    assert shown(switched_at) in await badge.inner_text()
    assert "at=" in page.url and iso(switched_at)[:19] in _query_at(page.url)
    # The calibration tile's link figures were the kiosk's, not kept: it says so.
    offset = screen.locator(".cal-offset")
    assert "not kept for replay" in await offset.inner_text()
    await page.screenshot(path=artifacts / "replay-switched.png")

    # The switch's mark jumps there; ×60 from before it plays the switch in.
    mark = page.locator(".tl-mark[data-kind='switch']").last
    await mark.wait_for()
    await page.locator(".tl-slider").fill(str(int(value_at)))
    await wait_until(lambda: _is(page, "left-top", "overview"), within=10, what="back to before")
    await page.get_by_role("button", name="×60").click()
    await wait_until(lambda: _is(page, "right-bottom", "calibration"), within=15, what="×60 play")
    assert await page.evaluate("() => window.wallReplay.t()") > value_at
    # Play stops at the end of the range by itself; pause if it has not got there.
    if await page.evaluate("() => window.wallReplay.playing()"):
        await page.locator(".tl-play").click()
    await mark.click()
    mark_t = float(await mark.get_attribute("data-t") or 0)
    await wait_until(
        lambda: page.evaluate("(t) => Math.abs(window.wallReplay.t() - t) < 1", mark_t),
        within=10,
        what="the mark's instant",
    )


async def _is(page: Page, screen: str, preset: str) -> bool:
    return await preset_of(page, screen) == preset


def _query_at(url: str) -> str:
    return parse_qs(urlparse(url).query)["at"][0]


async def test_anonymous_is_sent_to_sign_in_and_back(
    browser: BrowserContext, wall: WallProcess
) -> None:
    at = iso(now_ms())
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.get("/replay", params={"at": at})
        assert r.status_code == 302
        assert r.headers["Location"].startswith("/login?next=%2Freplay%3Fat%3D")
    page = await browser.new_page()
    await page.goto(f"{wall.url}/replay?at={quote(at)}")
    await page.wait_for_url("**/login?next=**")
    name, password = wall.users["viewer"]
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/replay?at=**")
    await page.wait_for_selector("body[data-replay-ready='1']")
    assert await page.locator(".replay-screen").count() == 4  # the whole wall
    # One screen full-size.
    await page.goto(f"{wall.url}/replay?at={quote(at)}&screen=right-top")
    await page.wait_for_selector("body[data-replay-ready='1']")
    assert await page.locator(".replay-screen").count() == 1
    assert await page.locator(".replay-screen[data-screen='right-top']").count() == 1
    assert "PHÁT LẠI · REPLAY" in await page.locator(".replay-badge").inner_text()


async def test_the_wall_as_a_png_and_a_span_as_a_self_contained_html_file(
    browser: BrowserContext, wall: WallProcess, artifacts: Path, tmp_path: Path
) -> None:
    await kiosks(browser, wall)
    before = now_ms()
    await switch_to(wall, "calibration")
    for page in browser.pages[-4:]:
        await wait_until(
            lambda p=page: p.evaluate("() => document.body.dataset.preset === 'calibration'"),
            within=15,
            what="the switch to calibration",
        )
    after = now_ms() + 1000
    async with httpx.AsyncClient(base_url=wall.url, timeout=120) as client:
        auth = await bearer(client, wall, "viewer")
        pictures = []
        for at in (before, after):
            r = await client.get(
                "/api/v1/history/picture.png", params={"at": iso(at)}, headers=auth
            )
            assert r.status_code == 200, r.text
            assert r.headers["Content-Type"] == "image/png"
            pictures.append(r.content)
            (artifacts / f"picture-{len(pictures)}.png").write_bytes(r.content)
        r = await client.get(
            "/api/v1/history/picture.png",
            params={"at": iso(after), "screen": "left-top"},
            headers=auth,
        )
        assert r.status_code == 200, r.text
        one = r.content
        assert (
            await client.get("/api/v1/history/picture.png", params={"at": iso(after)})
        ).status_code == 401
        r = await client.get(
            "/replay/export.html",
            params={"from": iso(before - 1000), "to": iso(after)},
            headers=auth,
        )
        assert r.status_code == 200, r.text + "".join(wall.output[-30:])
        too_long = await client.get(
            "/replay/export.html",
            params={"from": iso(before - 3 * 3600_000), "to": iso(after)},
            headers=auth,
        )
        assert too_long.status_code == 400
    # The wall is 2 × 2 screens of 1920 × 1080 (bezels add a little): 1920 px wide.
    sizes = [png_size(p) for p in pictures]
    wall_w, wall_h = await wall_size(wall)
    expected = (1920, round(wall_h * 1920 / wall_w))
    assert sizes == [expected, expected], sizes
    assert png_size(one) == (1920, 1080)
    assert pictures[0] != pictures[1]  # overview, then calibration

    # The export opens from disk with the server stopped and plays the span.
    exported = tmp_path / "replay.html"
    exported.write_bytes(r.content)
    wall.stop()
    page = await browser.new_page()
    await page.set_viewport_size({"width": 1400, "height": 900})
    await page.goto(exported.as_uri())
    await page.wait_for_selector("body[data-replay-ready='1']")
    assert "PHÁT LẠI · REPLAY" in await page.locator(".replay-badge").inner_text()
    assert await preset_of(page, "left-top") == "overview"
    # BokehJS came inside the file: trend figures embed offline.
    assert await page.evaluate("() => typeof window.Bokeh?.embed?.embed_item") == "function"
    await page.get_by_role("button", name="×60").click()
    for s in SCREENS:
        await wait_until(lambda s=s: _is(page, s, "calibration"), within=15, what=f"{s} offline")
    await page.screenshot(path=artifacts / "exported.png")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


async def wall_size(wall: WallProcess) -> tuple[float, float]:
    assert wall.wall_file is not None
    spec = load_wall(wall.wall_file)
    return spec.width, spec.height


async def test_an_audit_row_opens_the_wall_at_that_moment(
    browser: BrowserContext, wall: WallProcess, artifacts: Path
) -> None:
    await kiosks(browser, wall)
    await switch_to(wall, "calibration")
    console = await sign_in(browser, wall, "admin", ready="table.audit")
    row = console.locator("table.audit tr[data-action='switch_layout']").first
    await row.wait_for(timeout=15_000)
    link = row.locator("a.replay-at")
    href = await link.get_attribute("href")
    assert href is not None and href.startswith("/replay?at=")
    assert await console.locator("a.replay-open").count() == 1  # the console's way in
    page = await replay_page(browser)
    await page.goto(wall.url + href)
    await page.wait_for_selector("body[data-replay-ready='1']")
    when = (await link.inner_text()).strip()  # dd/mm/yyyy HH:MM:SS, as the row shows it
    assert when in await page.locator(".replay-badge").inner_text()
    t = await page.evaluate("() => window.wallReplay.t()")
    assert shown(t) == when
    # The switch was audited as it was sent: a moment later every screen shows it.
    await page.locator(".tl-forward").click()
    await wait_until(lambda: _is(page, "left-top", "calibration"), within=10, what="the switch")
    # The keyboard: ← goes 10 s back (or to the oldest history), Space plays and pauses.
    forward = await page.evaluate("() => window.wallReplay.t()")
    await page.locator("body").click(position={"x": 5, "y": 5})
    await page.keyboard.press("ArrowLeft")
    await wait_until(
        lambda: page.evaluate(
            "(t) => window.wallReplay.t() === Math.max(t - 10000, window.wallReplay.player.limit.from)",
            forward,
        ),
        what="10 s back by the keyboard",
    )
    await page.keyboard.press("Space")
    await wait_until(lambda: page.evaluate("() => window.wallReplay.playing()"), what="Space plays")
    await page.keyboard.press("Space")
    await wait_until(
        lambda: page.evaluate("() => !window.wallReplay.playing()"), what="Space pauses"
    )
    await page.screenshot(path=artifacts / "replay-from-audit.png")


async def test_one_picture_at_a_time_and_a_short_queue(wall: WallProcess) -> None:
    at = iso(now_ms())
    async with httpx.AsyncClient(base_url=wall.url, timeout=120) as client:
        auth = await bearer(client, wall, "viewer")
        url = "/api/v1/history/picture.png"
        bad = await client.get(url, params={"at": "yesterday"}, headers=auth)
        assert bad.status_code == 400 and "'at'" in bad.json()["error"]["message"]
        unknown = await client.get(url, params={"at": at, "screen": "nowhere"}, headers=auth)
        assert unknown.status_code == 404
        answers = await asyncio.gather(
            *(client.get(url, params={"at": at}, headers=auth) for _ in range(6))
        )
    statuses = sorted(r.status_code for r in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 1, "the first one is rendered"
    busy = [r for r in answers if r.status_code == 503]
    assert busy, "six at once: beyond one running and two waiting, refused"
    for r in busy:
        assert r.json()["error"]["code"] == "renderer_busy" and r.headers["Retry-After"]
