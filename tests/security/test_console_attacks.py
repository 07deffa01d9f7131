"""The console and the kiosk pages, attacked as a viewer or a script on the page would (issue
9, points 1, 4 and 8): one row per attack, against a real server process and real Chromium.

Before the console part each row got through: a viewer's page fired any action, the
console kept its authority after sign-out, the session cookie rode in Bokeh's token, and
kiosk tokens stayed in the URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from bokeh.util.token import get_token_payload
from chromiumsupport import fresh_chromium
from pagesupport import ROSTER, SEND_THROUGH_DOCUMENT, audit_log, sign_in
from playwright.async_api import BrowserContext
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until

pytestmark = pytest.mark.browser

SESSION_COOKIE = "cc_session"


@pytest.fixture(scope="module")
def wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WallProcess]:
    data = tmp_path_factory.mktemp("console-attacks") / "data"
    process = WallProcess(data_dir=data, wall_file=WALL_2X2).start()
    yield process
    process.stop()


@pytest.fixture
async def browser() -> AsyncIterator[BrowserContext]:
    async with fresh_chromium(prefix="console-attacks-") as context:
        yield context


async def cookie_of(client: httpx.AsyncClient, wall: WallProcess, role: str) -> str:
    name, password = wall.users[role]
    r = await client.post(
        "/login", data={"username": name, "password": password, "next": "/console"}
    )
    assert r.status_code in (302, 303), r.text
    value = client.cookies.get(SESSION_COOKIE)
    assert value
    return value


def token_payload(page_html: str) -> dict[str, Any]:
    """The payload of the Bokeh session token a page embeds (readable by its JavaScript)."""
    match = re.search(r'"token":\s*"([^"]+)"', page_html)
    assert match, "no Bokeh session token in the page"
    payload: dict[str, Any] = dict(get_token_payload(match.group(1)))
    return payload


# --- a viewer fires each action through the page's Bokeh document -----------------------

ACTIONS: list[tuple[dict[str, Any], str, str]] = [
    ({"action": "switch", "preset": "area-view"}, "switch_layout", "area-view"),
    ({"action": "focus", "province": "48"}, "focus_map", "48"),
    ({"action": "mute", "point": "hue", "muted": True}, "video_mute", "hue"),
    ({"action": "end", "point": "hue"}, "video_end", "hue"),
    ({"action": "program", "source": "hue"}, "video_program", "hue"),
    ({"action": "pin", "tile": "tile-hue", "source": "quang-ninh"}, "video_pin", "tile-hue"),
    ({"action": "record", "point": "hue", "on": True}, "recording_start_or_stop", "hue"),
]


@pytest.mark.parametrize(
    "message, audited_as, target", ACTIONS, ids=[a[0]["action"] for a in ACTIONS]
)
async def test_viewer_action_through_the_document_is_refused_and_audited(
    browser: BrowserContext,
    wall: WallProcess,
    message: dict[str, Any],
    audited_as: str,
    target: str,
) -> None:
    page = await sign_in(browser, wall, "viewer", ready=ROSTER)
    assert await page.evaluate(SEND_THROUGH_DOCUMENT, message) >= 1

    def mine(e: dict[str, Any]) -> bool:
        return bool(e["action"] == audited_as and e["actor"] == "xem" and e["target"] == target)

    async def refused() -> bool:
        return any(mine(e) and e["detail"].get("refused") for e in await audit_log(wall, 200))

    await wait_until(refused, within=10, what=f"a refused {audited_as} in the audit log")
    await page.locator(".console-message .bad").first.wait_for()
    entries = await audit_log(wall, 200)
    assert not [e for e in entries if mine(e) and not e["detail"].get("refused")]
    async with httpx.AsyncClient(base_url=wall.url) as client:
        assert (await client.get("/health")).json()["preset"] != "area-view"
    await page.close()


async def test_viewer_has_no_control_widgets(browser: BrowserContext, wall: WallProcess) -> None:
    page = await sign_in(browser, wall, "viewer", ready=ROSTER)
    types = await page.evaluate(
        "() => [...new Set([...Bokeh.documents[0].all_models].map((m) => m.type))]"
    )
    assert not [t for t in types if t.endswith(".Button") or t.endswith(".Select")], types
    assert await page.locator(".video-roster button, .video-roster select").count() == 0
    # No map click focuses from a viewer's preview either.
    assert await page.locator(".map.is-clickable").count() == 0


async def test_viewer_cannot_put_the_room_on_the_call(wall: WallProcess) -> None:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        await cookie_of(client, wall, "viewer")
        r = await client.post(
            "/whip/room", content="v=0\r\n", headers={"Content-Type": "application/sdp"}
        )
    assert r.status_code == 403
    entries = await audit_log(wall, 200)
    assert any(
        e["action"] == "video_room_publish" and e["actor"] == "xem" and e["detail"].get("refused")
        for e in entries
    )


# --- the session ends while the console is open ------------------------------------------


async def test_signed_out_session_closes_the_open_console(
    browser: BrowserContext, wall: WallProcess
) -> None:
    page = await sign_in(browser, wall, "duty_officer", ready=ROSTER)
    cookie = next(c["value"] for c in await browser.cookies() if c["name"] == SESSION_COOKIE)
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.delete(
            "/api/v1/sessions/current", headers={"Authorization": f"Bearer {cookie}"}
        )
        assert r.status_code in (200, 204), r.text
    await page.locator(".session-ended").wait_for(timeout=10_000)
    assert "Phiên đăng nhập đã kết thúc" in await page.inner_text(".session-ended")
    # Nothing is left to act through: no control, no preview, no roster.
    assert (
        await page.evaluate(SEND_THROUGH_DOCUMENT, {"action": "switch", "preset": "area-view"}) == 0
    )
    assert await page.get_by_role("button", name="Chuyển bố cục").count() == 0


async def test_sign_out_is_a_post_form_that_ends_the_session(
    browser: BrowserContext, wall: WallProcess
) -> None:
    page = await sign_in(browser, wall, "duty_officer", ready=ROSTER)
    cookie = next(c["value"] for c in await browser.cookies() if c["name"] == SESSION_COOKIE)
    form = page.locator("form.sign-out")
    assert await form.get_attribute("method") == "post"
    assert await form.get_attribute("action") == "/logout"
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_url(f"{wall.url}/login")
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.get("/api/v1/state", headers={"Authorization": f"Bearer {cookie}"})
    assert r.status_code == 401


# --- no session in the page; Bokeh's token carries no cookie ------------------------------


async def test_console_page_holds_no_session_token(wall: WallProcess) -> None:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        cookie = await cookie_of(client, wall, "duty_officer")
        page = await client.get("/console")
    assert page.status_code == 200
    assert cookie not in page.text
    payload = token_payload(page.text)
    assert SESSION_COOKIE not in payload.get("cookies", {})
    headers = {k.lower() for k in payload.get("headers", {})}
    assert "cookie" not in headers and "authorization" not in headers
    assert cookie not in json.dumps(payload)


async def test_bokeh_session_ids_are_signed(wall: WallProcess) -> None:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        await cookie_of(client, wall, "duty_officer")
        r = await client.get("/console", params={"bokeh-session-id": "made-up-session-id"})
    assert r.status_code == 403


# --- kiosk tokens leave the URL -------------------------------------------------------------


async def test_kiosk_token_is_exchanged_for_a_page_scoped_cookie(wall: WallProcess) -> None:
    screen, url = next(iter(wall.screens.items()))
    async with httpx.AsyncClient() as client:
        r = await client.get(url)
        assert r.status_code == 303
        assert r.headers["Location"] == f"/wall/{screen}"
        cookie = r.headers["Set-Cookie"]
        assert f"Path=/wall/{screen}" in cookie
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        page = await client.get(f"{wall.url}/wall/{screen}")
        assert page.status_code == 200
        assert url.split("token=", 1)[1] not in page.text
        renewed = await client.get(f"{wall.url}/wall/{screen}/credential")
        assert renewed.status_code == 200 and renewed.json()["credential"].startswith("pass.")
        payload = token_payload(page.text)
        assert "cc_device" not in payload.get("cookies", {})
        assert "token" not in payload.get("arguments", {})


async def test_credential_route_needs_the_page_cookie(wall: WallProcess) -> None:
    screen = next(iter(wall.screens))
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.get(f"/wall/{screen}/credential")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


async def test_wrong_kiosk_token_gets_a_bilingual_401(wall: WallProcess) -> None:
    screen = next(iter(wall.screens))
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.get(f"/wall/{screen}", params={"token": "not-the-token"})
    assert r.status_code == 401
    assert "Mã truy cập không đúng" in r.text and "Wrong access token" in r.text
    assert "set-cookie" not in r.headers


async def test_kiosk_keeps_working_from_the_cookie(
    browser: BrowserContext, wall: WallProcess
) -> None:
    screen, url = next(iter(wall.screens.items()))
    page = await browser.new_page()
    await page.goto(url)
    assert page.url == f"{wall.url}/wall/{screen}"

    async def connected() -> bool:
        return bool(await page.evaluate("() => window.wallScreen?.stats().connected"))

    await wait_until(connected, within=30, what="the kiosk connects from its clean URL")
    # The page's scripts hold a short-lived pass, never the screen's token.
    held = await page.evaluate(
        "() => [...Bokeh.documents[0].all_models].map((m) => m.data?.token).filter(Boolean)"
    )
    assert held and all(t.startswith("pass.") for t in held), held
    assert url.split("token=", 1)[1] not in await page.evaluate(
        "() => document.documentElement.outerHTML"
    )
    await page.reload()
    assert "token=" not in page.url
    await wait_until(connected, within=30, what="the kiosk reconnects after a reload")
