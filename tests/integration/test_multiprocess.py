"""Two wall server processes sharing one Redis (``--redis``): a switch made on one reaches
screens connected to the other, and their reports come back to the first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import websockets
from wallprocess import WallProcess, private_redis, wall_pair
from wallsupport import wait_until

pytestmark = pytest.mark.redis


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    # One key file for both (keys never go into Redis); the simulator on, as a person runs it.
    with (
        private_redis() as url,
        wall_pair(tmp_path, url, list_servers=False, simulator=True) as walls,
    ):
        yield walls


async def test_a_switch_on_one_process_reaches_screens_on_the_other(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    assert b.users == {}, "accounts are created once, by the first process"
    assert b.screens == {}, "tokens are printed once, by the process that made the keys"
    # Both processes check the kiosk tokens against the one key file.
    token = parse_qs(urlsplit(a.screens["left-top"]).query)["token"][0]
    assert token == b.token("screen", "left-top")
    async with websockets.connect(
        f"ws://127.0.0.1:{b.port}/ws/screen", origin=f"http://127.0.0.1:{b.port}"
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "screen": "left-top", "token": token}))
        layout = await _next(ws, "layout")
        assert layout["preset"] == "overview"
        async with httpx.AsyncClient(base_url=a.url) as client:
            name, password = a.users["duty_officer"]
            session = await client.post(
                "/api/v1/sessions", json={"username": name, "password": password}
            )
            auth = {"Authorization": f"Bearer {session.json()['token']}"}
            r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=auth)
            assert r.status_code == 202
            switch_id = r.json()["switch_id"]
            layout = await _next(ws, "layout")
            assert layout["preset"] == "calibration" and layout["switch_id"] == switch_id
            await ws.send(
                json.dumps({"type": "swapped", "switch_id": switch_id, "at": layout["swap_at"]})
            )

            async def reported() -> bool:
                report = (await client.get(f"/api/v1/switches/{switch_id}", headers=auth)).json()
                return "left-top" in report["swapped"]

            await wait_until(reported, within=10, what="the swap reported back to process A")
            # A expected left-top although it is connected to B: the report is complete.
            report = (await client.get(f"/api/v1/switches/{switch_id}", headers=auth)).json()
            assert report["expected"] == ["left-top"]
            assert report["missing"] == [] and report["complete"] is True
            state = (await client.get(f"{b.url}/health")).json()
            assert state["preset"] == "calibration"


async def test_a_zone_switch_on_one_process_swaps_only_that_zone_on_the_other(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    origin = f"http://127.0.0.1:{b.port}"
    url = f"ws://127.0.0.1:{b.port}/ws/screen"
    async with (
        websockets.connect(url, origin=origin) as left,
        websockets.connect(url, origin=origin) as right,
    ):
        for ws, screen in ((left, "left-top"), (right, "right-top")):
            token = a.token("screen", screen)
            await ws.send(json.dumps({"type": "hello", "screen": screen, "token": token}))
            assert (await _next(ws, "layout"))["preset"] == "overview"
        async with httpx.AsyncClient(base_url=a.url) as client:
            name, password = a.users["duty_officer"]
            session = await client.post(
                "/api/v1/sessions", json={"username": name, "password": password}
            )
            auth = {"Authorization": f"Bearer {session.json()['token']}"}
            body = {"preset": "map-national", "zone": "trai"}
            r = await client.post("/api/v1/switch", json=body, headers=auth)
            assert r.status_code == 202, r.text
            zone_switch = r.json()
            layout = await _next(left, "layout")
            assert layout["preset"] == "map-national"
            assert layout["switch_id"] == zone_switch["switch_id"]
            state = (await client.get(f"{b.url}/health")).json()
            assert state["preset"] == "overview" and state["zones"] == {"trai": "map-national"}
            # The whole wall next: the right screen's next layout is that one (it was sent
            # nothing for the zone), and the left screen leaves the zone's preset.
            r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=auth)
            assert r.status_code == 202, r.text
            for ws in (left, right):
                layout = await _next(ws, "layout")
                assert layout["preset"] == "calibration"
                assert layout["switch_id"] == r.json()["switch_id"]
            assert (await client.get(f"{b.url}/health")).json()["zones"] == {}


async def _next(ws: websockets.ClientConnection, type_: str) -> dict[str, object]:
    while True:
        message: dict[str, object] = json.loads(await ws.recv())
        if message["type"] == type_:
            return message
