"""``POST /api/v1/incidents`` and ``/api/v1/focus`` on a real server: who may call, the error
envelope with a detail per bad field, durability across a restart (embedded and Redis),
the incident reaching the maps over the bus, and the focus audited like a switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from incidentsupport import MARITIME
from wallprocess import private_redis
from wallsupport import agency_auth, login, password_of, running_wall, wait_until

from command_center.auth import Role
from command_center.server.runtime import WallRuntime

ROW = MARITIME


async def post(
    client: httpx.AsyncClient, rt: WallRuntime, rows: list[Any], agency: str = "trung_tam_tkcn"
) -> httpx.Response:
    return await client.post(
        "/api/v1/incidents", json={"incidents": rows}, headers=agency_auth(rt, agency)
    )


async def test_the_centre_reports_an_incident_and_the_maps_get_it(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    r = await post(client, rt, [ROW])
    assert r.status_code == 201, r.text
    assert r.json()["accepted"] == 1 and r.json()["duplicates"] == 0
    assert rt.maps is not None
    await wait_until(lambda: rt.maps is not None and rt.maps.incidents, what="the map layer")
    again = await post(client, rt, [ROW])
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    viewer = await login(client, rt, Role.VIEWER)
    listed = (await client.get("/api/v1/incidents", headers=viewer)).json()["incidents"]
    assert [(i["id"], i["status_vi"]) for i in listed] == [("TKCN-0142", "Đang cứu nạn")]


# (id, agency or raw header, body, status, envelope code, the first detail must contain)
BAD: list[tuple[str, str | None, Any, int, str, dict[str, Any]]] = [
    ("no-credential", None, {"incidents": [ROW]}, 401, "unauthenticated", {}),
    ("wrong-token", "Bearer trung_tam_tkcn:nope", {"incidents": [ROW]}, 401, "unauthenticated", {}),
    ("a-person-session", "session", {"incidents": [ROW]}, 401, "unauthenticated", {}),
    ("a-ministry", "bo_tai_chinh", {"incidents": [ROW]}, 403, "forbidden", {}),
    (
        "province-elsewhere",
        "ubnd_01",
        {"incidents": [ROW]},
        422,
        "invalid_incidents",
        {"row": 0, "field": "province", "problem": "not_permitted"},
    ),
    (
        "bad-kind",
        "trung_tam_tkcn",
        {"incidents": [{**ROW, "kind": "shipwreck"}]},
        422,
        "invalid_incidents",
        {"row": 0, "field": "kind", "problem": "unknown_kind"},
    ),
    (
        "not-a-list",
        "trung_tam_tkcn",
        {"incidents": ROW},
        400,
        "bad_request",
        {"field": "incidents"},
    ),
    ("extra-key", "trung_tam_tkcn", {"incidents": [], "x": 1}, 400, "bad_request", {}),
]


@pytest.mark.parametrize(
    "auth, body, status, code, detail", [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
async def test_bad_requests_get_the_envelope(
    rt: WallRuntime,
    client: httpx.AsyncClient,
    auth: str | None,
    body: Any,
    status: int,
    code: str,
    detail: dict[str, Any],
) -> None:
    headers: dict[str, str] = {}
    if auth == "session":
        headers = await login(client, rt, Role.ADMIN)
    elif auth is not None and auth.startswith("Bearer"):
        headers = {"Authorization": auth}
    elif auth is not None:
        headers = agency_auth(rt, auth)
    r = await client.post("/api/v1/incidents", json=body, headers=headers)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code and error["message"]
    if detail:
        assert detail.items() <= error["details"][0].items()
    assert rt.incidents is not None and await rt.incidents.incidents() == []  # nothing stored


async def test_reading_needs_a_viewer(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/incidents")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("redis", [False, pytest.param(True, marks=pytest.mark.redis)])
async def test_an_accepted_incident_survives_a_restart(tmp_path: Path, redis: bool) -> None:
    async def cycle(url: str | None) -> None:
        async with (
            running_wall(tmp_path, redis_url=url) as rt,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as client,
        ):
            assert (await post(client, rt, [ROW])).status_code == 201
        async with running_wall(tmp_path, redis_url=url) as rt:
            assert rt.maps is not None
            assert [i.id for i in rt.maps.incidents.values()] == ["TKCN-0142"]  # from the store

    if redis:
        with private_redis() as url:
            await cycle(url)
    else:
        await cycle(None)


async def test_focus_needs_a_duty_officer_and_is_audited(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    body = {"province": "48"}
    assert (await client.post("/api/v1/focus", json=body)).status_code == 401
    viewer = await login(client, rt, Role.VIEWER)
    r = await client.post("/api/v1/focus", json=body, headers=viewer)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    duty = await login(client, rt, Role.DUTY_OFFICER)
    r = await client.post("/api/v1/focus", json={"province": "49"}, headers=duty)
    assert r.status_code == 400 and "34-unit list" in r.json()["error"]["message"]  # old Quảng Nam
    r = await client.post("/api/v1/focus", json=body, headers=duty)
    assert r.status_code == 202 and r.json()["focus"]["name_vi"] == "TP. Đà Nẵng"

    async def focused() -> Any:
        return (await client.get("/api/v1/focus", headers=viewer)).json()["focus"]

    await wait_until(focused, what="the focus on the bus")
    entries = (await client.get("/api/v1/audit?limit=5", headers=viewer)).json()["entries"]
    assert (entries[0]["action"], entries[0]["target"]) == ("focus_map", "48")
    r = await client.post("/api/v1/focus", json={"province": None}, headers=duty)
    assert r.status_code == 202 and r.json()["focus"] is None
    await wait_until(lambda: rt.maps is not None and rt.maps.focus is None, what="national")


async def test_the_focus_outlives_a_restart(tmp_path: Path) -> None:
    """A process that starts (or takes over) shows the focus the console set before."""

    async def set_focus(rt: WallRuntime, province: str | None, who: tuple[str, str]) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c:
            r = await c.post("/api/v1/sessions", json={"username": who[0], "password": who[1]})
            auth = {"Authorization": f"Bearer {r.json()['token']}"}
            r = await c.post("/api/v1/focus", json={"province": province}, headers=auth)
            assert r.status_code == 202, r.text

    async with running_wall(tmp_path) as first:
        duty = password_of(first, Role.DUTY_OFFICER)
        await set_focus(first, "48", duty)
    async with running_wall(tmp_path) as again:
        assert again.maps is not None and again.maps.focus is not None
        assert again.maps.focus["code"] == "48"
        await set_focus(again, None, duty)
    async with running_wall(tmp_path) as third:
        assert third.maps is not None and third.maps.focus is None
