"""The JSON API and the public health route, against a real server on a free port."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from wallsupport import login, running_wall

from command_center.auth import Role
from command_center.server.runtime import WallRuntime


async def test_health_is_public_and_says_what_shows(client: httpx.AsyncClient) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok", body
    assert body["preset"] == "overview"
    assert body["screens_total"] == 4
    assert set(body["loop_lag"]) == {"p99_ms", "max_ms", "samples", "last_10s"}  # watched
    assert set(body["loop_lag"]["last_10s"]) == {"p99_ms", "max_ms", "samples"}


async def test_boundary_layers_are_served_gzipped(client: httpx.AsyncClient) -> None:
    raw = (Path(__file__).parents[2] / "assets/geo/provinces-34.geojson").read_bytes()
    r = await client.get("/assets/geo/provinces-34.geojson", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.num_bytes_downloaded < len(raw) // 2
    assert r.content == raw  # httpx undoes the gzip


async def test_switch_changes_state_and_is_audited(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    auth = await login(client, rt, Role.DUTY_OFFICER)
    r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=auth)
    assert r.status_code == 202, r.text
    report = r.json()
    assert report["preset"] == "calibration"
    assert r.headers["Location"] == f"/api/v1/switches/{report['switch_id']}"
    state = (await client.get("/api/v1/state", headers=auth)).json()
    assert state["preset"] == "calibration"
    assert state["switched_by"] == "truc-ban"
    audit = (await client.get("/api/v1/audit", headers=auth)).json()["entries"]
    assert audit[0]["action"] in ("switch_layout", "switch_completed", "switch_incomplete")
    assert any(e["action"] == "switch_layout" and e["target"] == "calibration" for e in audit)
    presets = (await client.get("/api/v1/presets", headers=auth)).json()["presets"]
    assert {"overview", "calibration"} <= {p["id"] for p in presets}


async def test_a_zone_switch_leaves_the_rest_of_the_wall_as_it_was(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    auth = await login(client, rt, Role.DUTY_OFFICER)
    body = {"preset": "map-national", "zone": "trai"}
    r = await client.post("/api/v1/switch", json=body, headers=auth)
    assert r.status_code == 202, r.text
    assert r.json()["zone"] == "trai" and r.json()["preset"] == "map-national"
    state = (await client.get("/api/v1/state", headers=auth)).json()
    assert state["preset"] == "overview" and state["zones"] == {"trai": "map-national"}
    shown = {s["id"]: s["preset"] for s in state["screens"]}
    assert shown == {
        "left-top": "map-national",
        "left-bottom": "map-national",
        "right-top": "overview",
        "right-bottom": "overview",
    }
    assert (await client.get("/health")).json()["zones"] == {"trai": "map-national"}
    audit = (await client.get("/api/v1/audit?action=switch_layout", headers=auth)).json()
    assert audit["entries"][0]["detail"]["zone"] == "trai"
    # The whole wall again: the zone's own preset is dropped.
    r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=auth)
    assert r.status_code == 202 and r.json()["zone"] is None
    assert (await client.get("/health")).json()["zones"] == {}


async def test_viewer_may_read_but_not_switch(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    auth = await login(client, rt, Role.VIEWER)
    assert (await client.get("/api/v1/screens", headers=auth)).status_code == 200
    r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=auth)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert "viewer" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "method, path, body, headers, status, code, message",
    [
        (
            "POST",
            "/api/v1/switch",
            {"preset": "overview"},
            {},
            401,
            "unauthenticated",
            "authenticat",
        ),
        ("GET", "/api/v1/state", None, {}, 401, "unauthenticated", "authenticat"),
        (
            "GET",
            "/api/v1/state",
            None,
            {"Authorization": "Basic abc"},
            401,
            "unauthenticated",
            "Bearer",
        ),
        (
            "GET",
            "/api/v1/state",
            None,
            {"Authorization": "Bearer nonsense"},
            401,
            "unauthenticated",
            "",
        ),
        (
            "POST",
            "/api/v1/switch",
            {"preset": "overveiw"},
            "duty",
            404,
            "not_found",
            "did you mean 'overview'",
        ),
        ("POST", "/api/v1/switch", {"preset": 3}, "duty", 400, "bad_request", "'preset'"),
        (
            "POST",
            "/api/v1/switch",
            {"preset": "overview", "at": 1},
            "duty",
            400,
            "bad_request",
            "unknown field",
        ),
        ("POST", "/api/v1/switch", "not json", "duty", 400, "bad_request", "not valid JSON"),
        (
            "POST",
            "/api/v1/switch",
            {"preset": "overview", "zone": "tria"},
            "duty",
            404,
            "not_found",
            "did you mean 'trai'",
        ),
        (
            "POST",
            "/api/v1/switch",
            {"preset": "overview", "zone": 1},
            "duty",
            400,
            "bad_request",
            "'zone'",
        ),
        (
            "POST",
            "/api/v1/sessions",
            {"username": "admin", "password": "wrong"},
            {},
            401,
            "unauthenticated",
            "wrong username or password",
        ),
        ("POST", "/api/v1/sessions", {"username": "admin"}, {}, 400, "bad_request", "'password'"),
        ("GET", "/api/v1/audit?limit=0", None, "duty", 400, "bad_request", "'limit'"),
        ("GET", "/api/v1/switches/abc123", None, "duty", 404, "not_found", "abc123"),
        ("GET", "/api/v1/nothing-here", None, {}, 404, "not_found", "no route"),
    ],
    ids=[
        "switch-unauthenticated",
        "state-unauthenticated",
        "wrong-scheme",
        "garbage-token",
        "unknown-preset-suggests",
        "preset-not-a-string",
        "unknown-field",
        "malformed-json",
        "unknown-zone-suggests",
        "zone-not-a-string",
        "wrong-password",
        "missing-password",
        "limit-out-of-range",
        "unknown-switch",
        "unknown-route",
    ],
)
async def test_bad_requests_get_one_envelope(
    rt: WallRuntime,
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: object,
    headers: dict[str, str] | str,
    status: int,
    code: str,
    message: str,
) -> None:
    if headers == "duty":
        headers = await login(client, rt, Role.DUTY_OFFICER)
    assert isinstance(headers, dict)
    if isinstance(body, str):
        r = await client.request(
            method, path, content=body, headers={**headers, "Content-Type": "application/json"}
        )
    else:
        r = await client.request(method, path, json=body, headers=headers)
    assert r.status_code == status, r.text
    envelope = r.json()
    assert set(envelope) == {"error"}
    assert set(envelope["error"]) == {"code", "message", "details"}
    assert envelope["error"]["code"] == code
    assert message in envelope["error"]["message"]


async def test_state_and_audit_survive_a_restart(tmp_path: Path) -> None:
    async with running_wall(tmp_path) as rt:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c:
            auth = await login(c, rt, Role.ADMIN)
            r = await c.post("/api/v1/switch", json={"preset": "calibration"}, headers=auth)
            assert r.status_code == 202
        password = {n: p for n, p, _ in rt.new_users}["admin"]
    async with running_wall(tmp_path) as rt2:
        assert rt2.new_users == []  # credentials are generated once, not on every start
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt2.port}") as c:
            r = await c.post("/api/v1/sessions", json={"username": "admin", "password": password})
            auth = {"Authorization": f"Bearer {r.json()['token']}"}
            state = (await c.get("/api/v1/state", headers=auth)).json()
            assert state["preset"] == "calibration"
            audit = (await c.get("/api/v1/audit", headers=auth)).json()["entries"]
            assert any(e["action"] == "switch_layout" for e in audit)


async def test_login_form_sets_a_strict_cookie_that_opens_the_console(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    r = await client.get("/console")
    assert "login" in r.text.lower() or r.status_code in (302, 200)
    name, password = next((n, p) for n, p, role in rt.new_users if role == Role.VIEWER)
    r = await client.post(
        "/login", data={"username": name, "password": password, "next": "//evil.example/x"}
    )
    assert r.status_code == 302
    assert r.headers["Location"] == "/console"  # never an off-site redirect
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    bad = await client.post("/login", data={"username": name, "password": "nope"})
    assert bad.status_code == 401
    assert "Sai tên đăng nhập" in bad.text
