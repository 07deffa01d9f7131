"""Two wall processes on one Redis, both with the same rules: exactly one evaluates them (the
control store's lease), so an incident raises one alert and one switch; when that process is
killed (kill -9) the other takes the lease over and finishes the alert's life: the wall goes
back when it clears."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from incidentsupport import LANDSLIDE
from wallprocess import WallProcess, private_redis, wall_pair
from wallsupport import wait_until

pytestmark = pytest.mark.redis

RULES = """
rules:
  - id: big-incident
    title: {vi: "Sự cố lớn", en: "Major incident"}
    priority: 2
    when:
      - incident: {status: [responding], people_deployed_at_least: 300}
    do:
      switch: {preset: emergency-banner}
"""


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with (
        private_redis() as url,
        wall_pair(tmp_path, url, list_servers=False, extra=["--alerts", str(rules)]) as walls,
    ):
        yield walls


async def preset(client: httpx.AsyncClient, wall: WallProcess) -> str:
    return str((await client.get(f"{wall.url}/health")).json()["preset"])


async def test_one_alert_one_switch_with_two_processes_and_the_survivor_finishes_it(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    name, password = a.users["duty_officer"]
    async with httpx.AsyncClient(timeout=30) as client:
        session = await client.post(
            f"{a.url}/api/v1/sessions", json={"username": name, "password": password}
        )
        auth = {"Authorization": f"Bearer {session.json()['token']}"}
        agency = {"Authorization": f"Bearer trung_tam_tkcn:{a.token('agency', 'trung_tam_tkcn')}"}
        row: dict[str, Any] = {**LANDSLIDE, "id": "TKCN-77", "people_deployed": 400}
        r = await client.post(
            f"{b.url}/api/v1/incidents", json={"incidents": [row]}, headers=agency
        )
        assert r.status_code == 201, r.text
        for wall in (a, b):
            await wait_until(
                lambda w=wall: _is(client, w, "emergency-banner"), what=f"{wall.port} switched"
            )
        listed = (await client.get(f"{b.url}/api/v1/alerts", headers=auth)).json()["alerts"]
        assert [x["id"] for x in listed] == ["big-incident:incident:TKCN-77"]
        audit = (await client.get(f"{a.url}/api/v1/audit?limit=100", headers=auth)).json()
        raised = [e for e in audit["entries"] if e["action"] == "alert_raised"]
        switched = [
            e
            for e in audit["entries"]
            if e["actor"] == "canh-bao:big-incident" and e["action"] == "switch_layout"
        ]
        assert (len(raised), len(switched)) == (1, 1), "one evaluator: not raised twice"
        # Whoever evaluates, kill A: B must take over (within the lease's 3 s) and end it.
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(10)
        resolved = {**row, "status": "resolved"}
        r = await client.post(
            f"{b.url}/api/v1/incidents", json={"incidents": [resolved]}, headers=agency
        )
        assert r.status_code == 201, r.text
        await wait_until(lambda: _is(client, b, "overview"), within=20, what="B gave the wall back")


async def _is(client: httpx.AsyncClient, wall: WallProcess, name: str) -> bool:
    return await preset(client, wall) == name
