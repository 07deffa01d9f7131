"""Two wall processes on one Redis keep one history: a switch made on A is in what B answers
for ``at=``, and only the lease holder wrote it (each screen's start recorded once, not once
per process)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import redis
from wallprocess import WallProcess, private_redis, wall_pair
from wallsupport import wait_until

from command_center.control_store.redis_store import DEFAULT_PREFIX as CONTROL_PREFIX
from command_center.server.history_api import iso

pytestmark = pytest.mark.redis


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess, str]]:
    with private_redis() as url, wall_pair(tmp_path, url, list_servers=False) as walls:
        yield (*walls, url)


async def test_a_switch_on_a_is_in_the_history_b_answers(
    pair: tuple[WallProcess, WallProcess, str],
) -> None:
    a, b, url = pair
    async with httpx.AsyncClient(timeout=30) as client:
        name, password = a.users["duty_officer"]
        session = await client.post(
            f"{a.url}/api/v1/sessions", json={"username": name, "password": password}
        )
        auth = {"Authorization": f"Bearer {session.json()['token']}"}
        r = await client.post(
            f"{a.url}/api/v1/switch", json={"preset": "calibration"}, headers=auth
        )
        assert r.status_code == 202, r.text
        after = float(math.ceil(time.time() * 1000.0))

        async def b_shows_calibration() -> bool:
            r = await client.get(
                f"{b.url}/api/v1/history?at={quote(str(iso(after)))}", headers=auth
            )
            screens = r.json()["screens"]
            return len(screens) == 4 and all(s["preset"] == "calibration" for s in screens.values())

        await wait_until(b_shows_calibration, what="the switch in B's history")
        span = f"from={quote(str(iso(after - 600_000)))}&to={quote(str(iso(after)))}"
        r = await client.get(f"{b.url}/api/v1/history/marks?{span}", headers=auth)
        switches = [m for m in r.json()["marks"] if m["kind"] == "switch"]
        assert len(switches) == 1, "one writer: the switch marked once"
        r = await client.get(f"{a.url}/api/v1/history/events?{span}&screen=left-top", headers=auth)
        layouts = [
            e["message"]["preset"] for e in r.json()["events"] if e["message"]["type"] == "layout"
        ]
        assert layouts == ["overview", "calibration"], "the start and the switch, once each"
    with redis.Redis.from_url(url) as direct:
        assert direct.get(f"{CONTROL_PREFIX}lease:history") is not None
