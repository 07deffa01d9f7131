"""Alerts on a real server (2 × 2 wall, embedded stores): an incident posted through the API
raises an alert that switches the wall and focuses the maps; resolved but not acknowledged it
stays; acknowledged it returns to exactly what the wall showed; a lock keeps switches off;
who may list, acknowledge and lock; the alerts and the lock outlive a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from incidentsupport import LANDSLIDE
from wallsupport import agency_auth, login, running_wall, wait_until

from command_center.auth import Role
from command_center.server.runtime import WallRuntime

RULES = """
rules:
  - id: big-incident
    title: {vi: "Sự cố lớn", en: "Major incident"}
    priority: 3
    when:
      - incident: {status: [responding], people_deployed_at_least: 300}
    do:
      switch: {preset: emergency-banner}
      focus: province
      banner: {vi: "Sự cố tại {province}", en: "Incident in {province}", severity: critical}
"""


def rules_file(tmp_path: Path, text: str = RULES) -> Path:
    path = tmp_path / "alerts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def incident(
    status: str = "responding", people: int = 320, ident: str = "TKCN-9"
) -> dict[str, Any]:
    return {**LANDSLIDE, "id": ident, "status": status, "people_deployed": people}


async def report(client: httpx.AsyncClient, rt: WallRuntime, row: dict[str, Any]) -> None:
    r = await client.post(
        "/api/v1/incidents", json={"incidents": [row]}, headers=agency_auth(rt, "trung_tam_tkcn")
    )
    assert r.status_code == 201, r.text


async def alerts(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/alerts", headers=headers)
    assert r.status_code == 200, r.text
    return list(r.json()["alerts"])


@pytest.fixture
async def wall(tmp_path: Path) -> Any:
    async with running_wall(tmp_path / "data", alert_rules=rules_file(tmp_path)) as rt:
        yield rt


@pytest.fixture
async def client(wall: WallRuntime) -> Any:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{wall.port}") as c:
        yield c


def shown(rt: WallRuntime) -> str | None:
    return rt.hub.state.preset


def focused(rt: WallRuntime) -> str | None:
    return rt.maps.focus["code"] if rt.maps is not None and rt.maps.focus else None


async def test_an_incident_switches_the_wall_and_it_returns_only_when_resolved_and_acknowledged(
    wall: WallRuntime, client: httpx.AsyncClient
) -> None:
    officer = await login(client, wall, Role.DUTY_OFFICER)
    before = shown(wall)
    assert before == "overview"
    await report(client, wall, incident(people=120))  # below the rule's 300: nothing
    await report(client, wall, incident(people=320))
    await wait_until(lambda: shown(wall) == "emergency-banner", what="the alert's preset")
    await wait_until(lambda: focused(wall) == "15", what="the maps on Lào Cai")
    [alert] = await alerts(client, officer)
    assert (alert["id"], alert["state"], alert["priority"]) == (
        "big-incident:incident:TKCN-9",
        "active",
        3,
    )
    assert alert["title"] == {"vi": "Sự cố lớn", "en": "Major incident"}
    assert alert["values"]["province"] == "Lào Cai"
    banners = wall.banners
    assert banners is not None
    # Stored, switched and focused first; the banner is put last in the same evaluation.
    await wait_until(lambda: banners.active(), what="the alert's banner")
    [(banner, screens)] = banners.active()
    assert (banner.source, banner.severity, banner.text_vi) == (
        "alert",
        "critical",
        "Sự cố tại Lào Cai",
    )
    assert banner.text_en == "Incident in Lao Cai" and set(screens) == set(wall.wall.screen_ids())

    await report(client, wall, incident(status="resolved"))
    await wait_until(lambda: _state(client, officer, "cleared"), what="the alert cleared")
    assert shown(wall) == "emergency-banner", "resolved but not acknowledged: it holds"

    r = await client.post(f"/api/v1/alerts/{alert['id']}/ack", headers=officer)
    assert r.status_code == 200, r.text
    assert r.json()["alert"]["acknowledged_by"] == "truc-ban"
    await wait_until(lambda: shown(wall) == before, what="the wall back on overview")
    await wait_until(lambda: not wall.banners.active(), what="the banner down")
    await wait_until(lambda: focused(wall) is None, what="the maps back on the country")
    again = await client.post(f"/api/v1/alerts/{alert['id']}/ack", headers=officer)
    assert again.status_code == 409
    audit = (await client.get("/api/v1/audit?limit=50", headers=officer)).json()
    actions = [(e["actor"], e["action"]) for e in audit["entries"]]
    assert ("canh-bao:big-incident", "switch_layout") in actions
    assert ("canh-bao:big-incident", "alert_raised") in actions
    assert ("truc-ban", "alert_acknowledged") in actions


async def _state(client: httpx.AsyncClient, headers: dict[str, str], state: str) -> bool:
    return any(a["state"] == state for a in await alerts(client, headers))


async def test_a_locked_wall_lists_the_alert_but_does_not_switch(
    wall: WallRuntime, client: httpx.AsyncClient
) -> None:
    officer = await login(client, wall, Role.DUTY_OFFICER)
    r = await client.post("/api/v1/wall/lock", headers=officer)
    assert r.status_code == 200 and r.json()["locked"]["by"] == "truc-ban"
    await report(client, wall, incident())
    await wait_until(lambda: _state(client, officer, "active"), what="the alert listed")
    assert shown(wall) == "overview", "locked: no rule switches the wall"
    assert (await client.get("/api/v1/wall/lock", headers=officer)).json()["locked"]
    r = await client.delete("/api/v1/wall/lock", headers=officer)
    assert r.status_code == 200
    await wait_until(lambda: shown(wall) == "emergency-banner", what="the switch once unlocked")


async def test_who_may_list_acknowledge_and_lock(
    wall: WallRuntime, client: httpx.AsyncClient
) -> None:
    viewer = await login(client, wall, Role.VIEWER)
    assert (await client.get("/api/v1/alerts")).status_code == 401
    assert (await client.get("/api/v1/alerts", headers=viewer)).status_code == 200
    assert (await client.post("/api/v1/wall/lock", headers=viewer)).status_code == 403
    assert (await client.post("/api/v1/wall/lock")).status_code == 401
    r = await client.post("/api/v1/alerts/big-incident:incident:X/ack", headers=viewer)
    assert r.status_code == 403
    officer = await login(client, wall, Role.DUTY_OFFICER)
    r = await client.post("/api/v1/alerts/big-incident:incident:X/ack", headers=officer)
    assert r.status_code == 404 and "no alert" in r.text
    r = await client.post(
        "/api/v1/alerts/big-incident:incident:X/snooze", json={"seconds": 5}, headers=officer
    )
    assert r.status_code == 400 and "seconds" in r.text


async def test_the_alert_and_the_wall_it_took_outlive_a_restart(tmp_path: Path) -> None:
    rules = rules_file(tmp_path)
    async with (
        running_wall(tmp_path / "data", alert_rules=rules) as rt,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c,
    ):
        officer = await login(c, rt, Role.DUTY_OFFICER)  # the session outlives it too
        await report(c, rt, incident())
        await wait_until(lambda: shown(rt) == "emergency-banner", what="taken")
    async with (
        running_wall(tmp_path / "data", alert_rules=rules) as rt,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c,
    ):
        [alert] = await alerts(c, officer)
        assert alert["state"] == "active", "not lost, not raised twice"
        await report(c, rt, incident(status="resolved"))
        await c.post(f"/api/v1/alerts/{alert['id']}/ack", headers=officer)
        await wait_until(lambda: shown(rt) == "overview", what="back after the restart")
        assert len(await alerts(c, officer)) == 1


async def test_a_bad_rules_file_stops_the_start_naming_the_line(tmp_path: Path) -> None:
    from command_center.errors import SpecError

    bad = rules_file(tmp_path, RULES.replace("emergency-banner", "emergency-baner"))
    with pytest.raises(SpecError) as caught:
        async with running_wall(tmp_path / "data", alert_rules=bad):
            pass
    text = str(caught.value)
    assert "emergency-baner" in text and "did you mean 'emergency-banner'" in text
    assert "alerts.yaml:11" in text or "alerts.yaml" in text


PIN_RULES = """
rules:
  - id: ship-in-distress
    title: {vi: "Tàu gặp nạn", en: "Ship in distress"}
    priority: 2
    when:
      - incident: {status: [responding], kind: [maritime]}
    do:
      switch: {preset: incident-response}
      pin: {tile: sar-active-video, point: csb-8003}
"""


async def test_a_pin_and_a_preset_on_the_room_wall_come_back_as_they_were(tmp_path: Path) -> None:
    from layouts import DEFAULT_WALL_FILE

    rules = rules_file(tmp_path, PIN_RULES)
    async with running_wall(
        tmp_path / "data", wall_file=DEFAULT_WALL_FILE, alert_rules=rules
    ) as rt:
        assert rt.video is not None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c:
            assert rt.video.control.pins() == {}
            ship = {**incident(), "kind": "maritime", "province": "56", "people_deployed": 12}
            await report(c, rt, ship)
            await wait_until(lambda: shown(rt) == "incident-response", what="the switch")
            await wait_until(
                lambda: rt.video.control.pins() == {"sar-active-video": "csb-8003"},
                what="the ship's video pinned",
            )
            await report(c, rt, {**ship, "status": "resolved"})  # priority 2: on clear
            await wait_until(lambda: shown(rt) == "overview", what="back on overview")
            await wait_until(lambda: rt.video.control.pins() == {}, what="the pin undone")
