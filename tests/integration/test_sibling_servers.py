"""What a wall server lets the pages of its sibling servers (``--server``) do (issue 11 pt 5):
a kiosk page that failed over keeps its origin, so the server it moved to takes its screen
link, renews its pass (the kiosk's cookie goes along on the same host) and serves it the
assets it loads late; a page of any other origin gets none of that."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from wallsupport import ScreenClient, running_wall, screen_token

from command_center.server.device_cookie import DEVICE_COOKIE, device_pass
from command_center.server.runtime import WallRuntime
from command_center.server.sibling_origins import origin_of

SIBLING = "http://wall-b.example:8001"
STRANGER = "http://elsewhere.example:8001"


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with running_wall(tmp_path, servers=("http://127.0.0.1:5006", SIBLING + "/")) as runtime:
        yield runtime


@pytest.mark.parametrize(
    "url, origin",
    [
        ("http://Wall-B.example:8001/", "http://wall-b.example:8001"),
        ("https://wall-b.example:443", "https://wall-b.example"),
        ("http://127.0.0.1", "http://127.0.0.1"),
        ("http://[::1]:8001", "http://[::1]:8001"),
    ],
)
def test_origin_of_names_a_server_as_a_browser_does(url: str, origin: str) -> None:
    assert origin_of(url) == origin


async def test_a_sibling_page_may_open_a_screen_link_a_stranger_may_not(
    rt: WallRuntime,
) -> None:
    url = f"ws://127.0.0.1:{rt.port}/ws/screen"
    async with websockets.connect(url, origin=SIBLING) as ws:  # type: ignore[arg-type]
        screen = ScreenClient(ws)
        # A moved page authenticates with the pass it holds, not a cookie.
        token = device_pass(rt.keys, "screen", "left-top", time.time())
        await screen.send(type="hello", screen="left-top", token=token)
        assert (await screen.recv("welcome"))["screen"]["id"] == "left-top"
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(url, origin=STRANGER):  # type: ignore[arg-type]
            pass
    assert refused.value.response.status_code == 403


async def test_a_sibling_page_renews_its_pass_with_its_cookie_a_stranger_reads_nothing(
    rt: WallRuntime,
) -> None:
    cookie = {DEVICE_COOKIE: screen_token(rt, "left-top")}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}", cookies=cookie) as client:
        r = await client.get("/wall/left-top/credential", headers={"Origin": SIBLING})
        assert r.status_code == 200, r.text
        assert r.json()["credential"].startswith("pass.")
        assert r.headers["Access-Control-Allow-Origin"] == SIBLING
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
        r = await client.get("/wall/left-top/credential", headers={"Origin": STRANGER})
        assert "Access-Control-Allow-Origin" not in r.headers  # the browser hides the body

        r = await client.get("/assets/geo/archipelagos.geojson", headers={"Origin": SIBLING})
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == SIBLING
        r = await client.get("/assets/geo/archipelagos.geojson", headers={"Origin": STRANGER})
        assert "Access-Control-Allow-Origin" not in r.headers


async def test_the_wall_pages_may_connect_to_the_siblings_and_nowhere_else(
    rt: WallRuntime,
) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as client:
        r = await client.get("/wall/left-top")
        csp = r.headers["Content-Security-Policy"]
        connect = next(d for d in csp.split("; ") if d.startswith("connect-src"))
        assert SIBLING in connect and "ws://wall-b.example:8001" in connect
        assert STRANGER not in csp
        # The plain pages stay strict.
        login = (await client.get("/login")).headers["Content-Security-Policy"]
        assert SIBLING not in login
