"""An alert that switches a zone of the wall (2 × 2: ``trai`` is the left column): only the
zone's screens change, and when it clears the zone shows again what it showed before the
alert (the wall's preset, or the preset the officer had put on that zone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from incidentsupport import LANDSLIDE
from wallsupport import agency_auth, login, running_wall, wait_until

from command_center.auth import Role
from command_center.server.runtime import WallRuntime

RULES = """
rules:
  - id: left-incident
    title: {vi: "Sự cố", en: "Incident"}
    priority: 1
    when:
      - incident: {status: [responding], people_deployed_at_least: 300}
    do:
      switch: {preset: emergency-banner, zone: trai}
"""


async def report(client: httpx.AsyncClient, rt: WallRuntime, status: str) -> None:
    row: dict[str, Any] = {**LANDSLIDE, "id": "Z-1", "status": status, "people_deployed": 350}
    r = await client.post(
        "/api/v1/incidents", json={"incidents": [row]}, headers=agency_auth(rt, "trung_tam_tkcn")
    )
    assert r.status_code == 201, r.text


def screens(rt: WallRuntime) -> dict[str, str]:
    return {s: rt.hub.preset_of(s) for s in rt.wall.screen_ids()}


async def test_a_zone_alert_switches_its_zone_and_gives_back_what_the_zone_showed(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    async with (
        running_wall(tmp_path / "data", alert_rules=rules) as rt,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as client,
    ):
        left = set(rt.wall.zone_screens("trai"))
        officer = await login(client, rt, Role.DUTY_OFFICER)
        # The officer has put the national map on the left zone before anything happens.
        r = await client.post(
            "/api/v1/switch", json={"preset": "map-national", "zone": "trai"}, headers=officer
        )
        assert r.status_code == 202, r.text
        await report(client, rt, "responding")
        await wait_until(
            lambda: all(screens(rt)[s] == "emergency-banner" for s in left), what="the zone"
        )
        assert all(p == "overview" for s, p in screens(rt).items() if s not in left)
        await report(client, rt, "resolved")
        await wait_until(
            lambda: all(screens(rt)[s] == "map-national" for s in left),
            what="the zone's own preset back",
        )
        assert all(p == "overview" for s, p in screens(rt).items() if s not in left)
