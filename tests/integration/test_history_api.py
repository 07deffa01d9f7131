"""The wall's history on a running wall: what ``/api/v1/history?at=`` rebuilds is exactly what
a real screen client received up to that instant (preset and tile values), the events of a
span replay the switches, the marks name them; the bounds and the permission."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from wallsupport import ScreenClient, agency_auth, login, running_wall, screen_client, wait_until

from command_center.auth import Role
from command_center.server.history_api import iso
from command_center.server.runtime import WallRuntime

AGENCY = "cuc_thong_ke"
SCREEN = "left-top"


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with running_wall(tmp_path) as runtime:
        yield runtime


def now_ms() -> float:
    """Now in whole ms, rounded up (the API's times are ISO 8601 to the millisecond)."""
    return float(math.ceil(time.time() * 1000.0))


def shown(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """What a kiosk shows after ``messages``: the preset and each tile's data (a layout
    replaces everything, data is merged into a tile as assets/wall/layer.js does)."""
    preset = None
    tiles: dict[str, dict[str, Any]] = {}
    for m in messages:
        if m["type"] == "layout":
            preset = m["preset"]
            tiles = {t["id"]: dict(t.get("data") or {}) for t in m["tiles"]}
        elif m["type"] == "data":
            for tile, patch in m["tiles"].items():
                if tile in tiles:
                    tiles[tile].update(patch)
    return {"preset": preset, "tiles": tiles}


class Received:
    """A screen client's messages as it read them, each with the time it had read it."""

    def __init__(self, screen: ScreenClient) -> None:
        self.screen = screen
        self.log: list[tuple[float, dict[str, Any]]] = []

    async def until(self, type_: str, test: Any = lambda m: True) -> dict[str, Any]:
        while True:
            m = await self.screen.recv()
            self.log.append((time.time() * 1000.0, m))
            if m["type"] == type_ and test(m):
                return m

    def upto(self, t: float) -> list[dict[str, Any]]:
        return [m for at, m in self.log if at <= t]

    async def quiet_instant(self, quiet_s: float = 0.3) -> float:
        """An instant after which nothing sent before it is still on its way: read until
        the link is quiet for ``quiet_s`` (a switch's layout can be followed by its tiles'
        data within the same millisecond: recorded as sent, not yet read)."""
        for _ in range(100):
            try:
                m = await self.screen.recv(within=quiet_s)
            except (AssertionError, TimeoutError):
                return now_ms()
            self.log.append((time.time() * 1000.0, m))
        raise AssertionError("the screen's link never went quiet")


def cpi_is(value: float) -> Any:
    """A data message whose indicator group shows ``value`` for cpi_yoy."""
    return lambda m: any(
        item.get("indicator") == "cpi_yoy" and item.get("value") == value
        for data in m["tiles"].values()
        for item in data.get("items", ())
    )


async def post_cpi(client: httpx.AsyncClient, rt: WallRuntime, period: str, value: float) -> None:
    row = {"indicator": "cpi_yoy", "period": period, "value": value}
    r = await client.post(
        "/api/v1/observations", json={"observations": [row]}, headers=agency_auth(rt, AGENCY)
    )
    assert r.status_code == 201, r.text


async def history_at(
    client: httpx.AsyncClient, auth: dict[str, str], at: float, screen: str | None = None
) -> dict[str, Any]:
    url = f"/api/v1/history?at={quote(str(iso(at)))}"
    r = await client.get(url + (f"&screen={screen}" if screen else ""), headers=auth)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_history_at_an_instant_is_what_the_screen_had_received(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    duty = await login(client, rt, Role.DUTY_OFFICER)
    viewer = await login(client, rt, Role.VIEWER)
    instants: list[float] = []
    async with screen_client(rt, SCREEN) as ws:
        got = Received(ws)
        await got.until("layout")
        await post_cpi(client, rt, "2026-09", 3.1)
        await got.until("data", cpi_is(3.1))
        instants.append(await got.quiet_instant())
        r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=duty)
        assert r.status_code == 202, r.text
        await got.until("layout", lambda m: m["preset"] == "calibration")
        instants.append(await got.quiet_instant())
        r = await client.post("/api/v1/switch", json={"preset": "overview"}, headers=duty)
        await got.until("layout", lambda m: m["preset"] == "overview")
        await post_cpi(client, rt, "2026-10", 4.2)
        await got.until("data", cpi_is(4.2))
        instants.append(await got.quiet_instant())
    assert rt.history is not None and rt.history.writer is not None
    await rt.history.writer.tick()  # flush now: no waiting for the writer's second
    expected = ["overview", "calibration", "overview"]
    for at, preset in zip(instants, expected, strict=True):
        body = await history_at(client, viewer, at, SCREEN)
        assert list(body["screens"]) == [SCREEN]
        screen = body["screens"][SCREEN]
        assert screen["preset"] == preset
        assert shown(screen["messages"]) == shown(got.upto(at)), (preset, instants.index(at))
        assert screen["changed_at"] <= str(iso(at))
    # Without screen=: every screen of the wall.
    whole = await history_at(client, viewer, instants[-1])
    assert sorted(whole["screens"]) == sorted(s.id for s in rt.wall.screens)
    # Before the oldest history: nothing.
    early = await history_at(client, viewer, instants[0] - 86_400_000.0)
    assert early["screens"] == {} and early["oldest"] is not None

    span = f"from={quote(str(iso(instants[0])))}&to={quote(str(iso(instants[-1])))}"
    r = await client.get(f"/api/v1/history/events?{span}&screen={SCREEN}", headers=viewer)
    assert r.status_code == 200, r.text
    events = r.json()
    assert events["truncated"] is False
    layouts = [e["message"]["preset"] for e in events["events"] if e["message"]["type"] == "layout"]
    assert layouts == ["calibration", "overview"]
    assert [e["t"] for e in events["events"]] == sorted(e["t"] for e in events["events"])
    # The state at the first instant plus the span's events is the state at the last.
    first = (await history_at(client, viewer, instants[0], SCREEN))["screens"][SCREEN]
    replayed = first["messages"] + [e["message"] for e in events["events"]]
    assert shown(replayed) == shown(got.upto(instants[-1]))

    r = await client.get(f"/api/v1/history/marks?{span}", headers=viewer)
    assert r.status_code == 200, r.text
    marks = r.json()["marks"]
    switches = [m for m in marks if m["kind"] == "switch"]
    names = [rt.presets[p].name_en for p in ("calibration", "overview")]
    assert [m["label_en"] for m in switches] == [f"Switched to {n}" for n in names]
    assert all(m["screen"] is None and m["t"] > events["from"] for m in switches)


async def test_history_refuses_bad_parameters_and_strangers(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    viewer = await login(client, rt, Role.VIEWER)
    now = quote(str(iso(time.time() * 1000.0)))
    r = await client.get(f"/api/v1/history?at={now}")
    assert r.status_code == 401
    assert r.json()["error"]["code"]
    r = await client.get(f"/api/v1/history/events?from={now}&to={now}")
    assert r.status_code == 401
    r = await client.get(f"/api/v1/history/marks?from={now}&to={now}")
    assert r.status_code == 401
    for url, named in [
        ("/api/v1/history?at=yesterday", "'at'"),
        ("/api/v1/history", "'at'"),
        (f"/api/v1/history/events?from=soon&to={now}", "'from'"),
        (f"/api/v1/history/events?from={now}&to=2020-01-01T00:00:00Z", "'to'"),
        ("/api/v1/history/events?from=2026-01-01T00:00:00Z&to=2026-01-01T07:00:00Z", "6 h"),
        (f"/api/v1/history/marks?from={now}", "'to'"),
    ]:
        r = await client.get(url, headers=viewer)
        assert r.status_code == 400, (url, r.text)
        assert named in r.json()["error"]["message"], (url, r.text)
    r = await client.get(f"/api/v1/history?at={now}&screen=nowhere", headers=viewer)
    assert r.status_code == 404
    assert "nowhere" in r.json()["error"]["message"]
    r = await client.get(f"/api/v1/history?at={now}", headers=viewer)
    assert r.status_code == 200


async def test_health_and_metrics_show_the_writer(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    r = await client.get("/health")
    assert r.json()["dependencies"]["history"]["status"] == "ok"
    assert rt.metrics is not None
    assert b"cc_history_messages_total" in rt.metrics.text()


async def test_without_history_nothing_is_recorded_and_the_routes_still_answer(
    tmp_path: Path,
) -> None:
    async with running_wall(tmp_path, history=False) as rt:
        assert rt.history is not None and rt.history.writer is None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as client:
            viewer = await login(client, rt, Role.VIEWER)
            body = await history_at(client, viewer, now_ms())
            assert body["screens"] == {} and body["oldest"] is None
            assert "history" not in (await client.get("/health")).json()["dependencies"]


async def test_calls_and_recordings_are_marks(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    from command_center.audit import audit
    from command_center.messages import BridgePointState

    viewer = await login(client, rt, Role.VIEWER)
    start = now_ms()
    point = {
        "point": "hue",
        "name_vi": "UBND thành phố Huế",
        "name_en": "Huế City People's Committee",
        "kind": "province",
        "lat": 16.46,
        "lon": 107.59,
        "online": True,
    }
    await rt.bus.publish(BridgePointState(**point, in_call=True, ts=start))
    await rt.bus.publish(BridgePointState(**point, in_call=True, ts=start + 1))  # no change
    await rt.bus.publish(BridgePointState(**point, in_call=False, ts=start + 2))
    await audit(rt.store, "truc-ban", "recording_start", "hue", role="duty_officer")
    await audit(rt.store, "truc-ban", "recording_stop", "hue", role="duty_officer")

    async def marks_now() -> list[tuple[str, str]]:
        span = f"from={quote(str(iso(start - 1)))}&to={quote(str(iso(now_ms() + 1)))}"
        r = await client.get(f"/api/v1/history/marks?{span}", headers=viewer)
        assert r.status_code == 200, r.text
        return [(m["kind"], m["label_en"]) for m in r.json()["marks"]]

    async def both_calls() -> list[tuple[str, str]] | None:  # the writer flushes each second
        found = await marks_now()
        return found if len([k for k, _ in found if k == "call"]) >= 2 else None

    marks = await wait_until(both_calls, what="the call marks written")
    assert ("call", "Huế City People's Committee joined") in marks
    assert ("call", "Huế City People's Committee left") in marks
    assert ("recording", "Recording started: hue") in marks
    assert ("recording", "Recording stopped: hue") in marks
    assert len([k for k, _ in marks if k == "call"]) == 2
