"""Two wall processes on one Redis: an announcement made through A reaches a screen linked
to B (the store, then the BannersChanged hint), and its withdrawal through B leaves A's list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from wallprocess import WallProcess, private_redis, wall_pair
from wallsupport import wait_until

pytestmark = pytest.mark.redis


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    with private_redis() as url, wall_pair(tmp_path, url, list_servers=False) as walls:
        yield walls


async def _banners(ws: websockets.ClientConnection) -> list[dict[str, Any]]:
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "banners":
            banners: list[dict[str, Any]] = message["banners"]
            return banners


async def test_an_announcement_made_on_a_shows_on_a_screen_of_b(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    name, password = a.users["duty_officer"]
    async with (
        websockets.connect(
            f"ws://127.0.0.1:{b.port}/ws/screen", origin=f"http://127.0.0.1:{b.port}"
        ) as ws,
        httpx.AsyncClient(timeout=30) as client,
    ):
        hello = {
            "type": "hello",
            "screen": "right-bottom",
            "token": b.token("screen", "right-bottom"),
        }
        await ws.send(json.dumps(hello))
        assert await _banners(ws) == []
        session = await client.post(
            f"{a.url}/api/v1/sessions", json={"username": name, "password": password}
        )
        auth = {"Authorization": f"Bearer {session.json()['token']}"}
        body = {
            "text_vi": "Mất điện tầng 3",
            "text_en": "Power cut, floor 3",
            "severity": "warning",
        }
        made = await client.post(f"{a.url}/api/v1/announcements", json=body, headers=auth)
        assert made.status_code == 201, made.text
        ident = made.json()["id"]
        (shown,) = await _banners(ws)
        assert (shown["id"], shown["text_en"]) == (ident, "Power cut, floor 3")
        listed = (await client.get(f"{b.url}/api/v1/announcements", headers=auth)).json()
        assert [x["id"] for x in listed["announcements"]] == [ident]
        r = await client.delete(f"{b.url}/api/v1/announcements/{ident}", headers=auth)
        assert r.status_code == 200, r.text
        assert await _banners(ws) == []

        async def gone_from_a() -> bool:
            r = await client.get(f"{a.url}/api/v1/announcements", headers=auth)
            return r.json()["announcements"] == []

        await wait_until(gone_from_a, what="A hearing of the withdrawal made on B")
