"""Playback beside the wall: a real call published by a real aiortc peer, recorded by the
relay's recorder, then played in the replay page's recordings panel in real Chromium, in
step with the timeline; "no recording at this moment" where none covers the instant; a
viewer gets no panel."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.async_api import BrowserContext, Page
from relaysupport import publisher, video_runtime
from replaysupport import iso, parse
from wallsupport import login, password_of, wait_until

from command_center.auth import Role
from command_center.server.runtime import WallRuntime
from video.media import encode_clip

POINT = "quang-ninh"


async def record_call(rt: WallRuntime, seconds: float) -> dict[str, object]:
    """Publish POINT, record ``seconds`` of its call through the API, stop; the recording."""
    assert rt.video is not None and rt.recordings is not None
    clip = encode_clip(frames=60, width=320, height=180, gop=30)
    async with publisher(rt, POINT, clip, audio=True), httpx.AsyncClient(base_url=rt.url) as client:
        await wait_until(lambda: POINT in rt.video.publishers, what="the publisher")  # type: ignore[union-attr]
        officer = await login(client, rt, Role.DUTY_OFFICER)
        r = await client.post(f"/api/v1/recordings/{POINT}/start", headers=officer)
        assert r.status_code == 200, r.text
        _, recorder = rt.recordings.active[POINT]
        await wait_until(
            lambda: recorder.frames["video"] >= seconds * clip.fps,
            within=seconds * 6 + 10,
            what=f"{seconds} s recorded",
        )
        r = await client.post(f"/api/v1/recordings/{POINT}/stop", headers=officer)
        assert r.status_code == 200, r.text
        assert recorder.writer is not None
        recorder.writer.join(10)
        listing = (await client.get("/api/v1/recordings", headers=officer)).json()
    [recording] = listing["recordings"]
    return recording  # type: ignore[no-any-return]


async def sign_in(browser: BrowserContext, rt: WallRuntime, role: Role, target: str) -> Page:
    name, password = password_of(rt, role)
    page = await browser.new_page()
    await page.set_viewport_size({"width": 1400, "height": 900})
    await page.goto(f"{rt.url}/login?next={quote(target, safe='')}")
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r".*/replay\?.*"))
    return page


async def video_time(page: Page) -> float:
    return float(await page.evaluate("() => document.querySelector('.rec-video').currentTime"))


async def test_a_recorded_call_plays_beside_the_wall_in_step(
    browser: BrowserContext, tmp_path: Path
) -> None:
    async with video_runtime(tmp_path, settings={"recording_segment_s": 60.0}) as rt:
        recording = await record_call(rt, 3.0)
        segment = recording["segments"][0]  # type: ignore[index]
        start = parse(segment["started_at"])
        at = start + 1000  # one second into the call
        page = await sign_in(browser, rt, Role.DUTY_OFFICER, f"/replay?at={quote(iso(at))}")
        await page.wait_for_selector("body[data-replay-ready='1']")
        panel = page.locator(".replay-recordings")
        await page.wait_for_selector(".replay-recordings[data-state='playing']")
        assert await panel.get_attribute("data-segment") == segment["url"]
        await wait_until(
            lambda: page.evaluate("() => document.querySelector('.rec-video').readyState >= 1"),
            what="the segment's metadata",
        )
        assert abs(await video_time(page) - 1.0) < 0.3, "the video is at t - started_at"
        # Play: the video plays with the timeline and stays in step with it.
        await page.locator(".tl-play").click()
        await wait_until(lambda: _advanced(page, 1.5), within=10, what="the recording plays")
        replayed = await page.evaluate("() => window.wallReplay.t()")
        assert abs(await video_time(page) - (replayed - start) / 1000) < 1.6
        await page.locator(".tl-play").click()  # pause
        await wait_until(
            lambda: page.evaluate("() => document.querySelector('.rec-video').paused"),
            what="the video pauses with the timeline",
        )
        # An instant no recording covers: said so.
        await page.locator(".tl-back").click()
        await page.wait_for_selector(".replay-recordings[data-state='none']")
        assert "Không có bản ghi lúc này · No recording at this moment" in await panel.inner_text()

        # A viewer's page has no recordings panel (the API would answer 403).
        async with httpx.AsyncClient(base_url=rt.url) as client:
            viewer = await login(client, rt, Role.VIEWER)
            token = viewer["Authorization"].split()[1]
            assert (await client.get("/api/v1/recordings", headers=viewer)).status_code == 403
        async with httpx.AsyncClient(base_url=rt.url, cookies={"cc_session": token}) as client:
            html = (await client.get("/replay")).text
        config = json.loads(re.search(r'id="replay-config">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
        assert config["recordings"] is False


async def _advanced(page: Page, past: float) -> bool:
    return await video_time(page) > past and not await page.evaluate(
        "() => document.querySelector('.rec-video').paused"
    )
