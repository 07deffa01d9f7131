"""``/api/v1/announcements`` on a real wall server (the 2 × 2 wall, embedded stores): who may
do what, a clear 400 per bad field, the bound, and create → list → screens → withdraw, each
audited; an announcement with a short expiry leaves the screens and the list by itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from wallsupport import ScreenClient, login, screen_client, wait_until

from command_center.auth import Role
from command_center.server.announcements_api import MAX_ACTIVE, MAX_BODY
from command_center.server.runtime import WallRuntime

GOOD = {
    "text_vi": "Họp giao ban lúc 14:00",
    "text_en": "Briefing at 14:00",
    "severity": "warning",
    "expires_in_s": None,
    "zone": None,
}


async def test_who_may_announce_read_and_withdraw(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    assert (await client.post("/api/v1/announcements", json=GOOD)).status_code == 401
    assert (await client.get("/api/v1/announcements")).status_code == 401
    viewer = await login(client, rt, Role.VIEWER)
    refused = await client.post("/api/v1/announcements", json=GOOD, headers=viewer)
    assert refused.status_code == 403, refused.text
    assert (await client.get("/api/v1/announcements", headers=viewer)).json() == {
        "announcements": []
    }
    duty = await login(client, rt, Role.DUTY_OFFICER)
    made = await client.post("/api/v1/announcements", json=GOOD, headers=duty)
    assert made.status_code == 201, made.text
    path = made.headers["Location"]
    assert (await client.delete(path)).status_code == 401
    assert (await client.delete(path, headers=viewer)).status_code == 403
    admin = await login(client, rt, Role.ADMIN)
    assert (await client.delete(path, headers=admin)).status_code == 200
    assert (await client.delete(path, headers=admin)).status_code == 404


BAD = [
    ({**GOOD, "text_vi": ""}, "text_vi", "one-line text"),
    ({**GOOD, "text_en": "x" * 201}, "text_en", "1 to 200 characters"),
    ({**GOOD, "text_vi": "hai\ndòng"}, "text_vi", "one-line"),
    ({k: v for k, v in GOOD.items() if k != "text_en"}, "text_en", "got None"),
    ({**GOOD, "severity": "urgent"}, "severity", "info, warning, critical"),
    ({**GOOD, "expires_in_s": 0}, "expires_in_s", "seconds from 1"),
    ({**GOOD, "expires_in_s": "1h"}, "expires_in_s", "got '1h'"),
    ({**GOOD, "expires_in_s": True}, "expires_in_s", "got True"),
    ({**GOOD, "zone": "tria"}, "zone", "did you mean 'trai'"),
    ({**GOOD, "zones": "trai"}, "zones", "unknown field"),
]


async def test_a_bad_body_names_the_field(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    # One server for the whole table: each row is one mistake, answered 400 naming its field.
    duty = await login(client, rt, Role.DUTY_OFFICER)
    for body, field, message in BAD:
        r = await client.post("/api/v1/announcements", json=body, headers=duty)
        assert r.status_code == 400, (field, r.text)
        error = r.json()["error"]
        assert field in error["message"] and message in error["message"], error
        assert error["details"][0]["field"] == field
    assert (await client.get("/api/v1/announcements", headers=duty)).json()["announcements"] == []


async def test_a_large_body_is_refused_before_it_is_read(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    duty = await login(client, rt, Role.DUTY_OFFICER)
    body = {**GOOD, "text_vi": "x" * MAX_BODY}
    r = await client.post("/api/v1/announcements", json=body, headers=duty)
    assert r.status_code == 413, r.text


async def test_at_most_so_many_at_once(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    duty = await login(client, rt, Role.DUTY_OFFICER)
    for i in range(MAX_ACTIVE):
        body = {**GOOD, "text_en": f"Notice {i}"}
        assert (
            await client.post("/api/v1/announcements", json=body, headers=duty)
        ).status_code == 201
    r = await client.post("/api/v1/announcements", json=GOOD, headers=duty)
    assert r.status_code == 409 and r.json()["error"]["code"] == "too_many_announcements", r.text
    listed = (await client.get("/api/v1/announcements", headers=duty)).json()["announcements"]
    assert len(listed) == MAX_ACTIVE


async def _banners(screen: ScreenClient) -> list[dict[str, Any]]:
    message = await screen.recv("banners")
    banners: list[dict[str, Any]] = message["banners"]
    return banners


async def test_made_listed_shown_on_the_zone_withdrawn_and_audited(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    duty = await login(client, rt, Role.DUTY_OFFICER)
    async with (
        screen_client(rt, "left-top") as left,
        screen_client(rt, "right-top") as right,
    ):
        assert await _banners(left) == [] and await _banners(right) == []
        body = {**GOOD, "zone": "trai", "severity": "critical"}
        made = await client.post("/api/v1/announcements", json=body, headers=duty)
        assert made.status_code == 201, made.text
        ident = made.json()["id"]
        assert made.json()["screens"] == ["left-top", "left-bottom"]
        assert made.json()["zone"] == "trai"
        (shown,) = await _banners(left)
        assert (shown["id"], shown["text_vi"], shown["severity"]) == (
            ident,
            GOOD["text_vi"],
            "critical",
        )
        assert shown["source"] == "announcement" and shown["expires_at"] is None
        listed = (await client.get("/api/v1/announcements", headers=duty)).json()
        assert [a["id"] for a in listed["announcements"]] == [ident]
        r = await client.delete(f"/api/v1/announcements/{ident}", headers=duty)
        assert r.status_code == 200 and r.json() == {"withdrawn": ident}
        assert await _banners(left) == []
        # The right half never had it: it got nothing after its greeting.
        with pytest.raises(TimeoutError):
            await right.recv("banners", within=0.3)
    audit = (await client.get("/api/v1/audit?limit=10", headers=duty)).json()["entries"]
    rows = [(e["action"], e["target"]) for e in audit if "announce" in e["action"]]
    assert rows == [("withdraw_announcement", ident), ("announce", ident)]
    announced = next(e for e in audit if e["action"] == "announce")
    assert announced["detail"]["zone"] == "trai" and announced["actor"] == "truc-ban"


async def test_a_short_expiry_leaves_by_itself(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    duty = await login(client, rt, Role.DUTY_OFFICER)
    async with screen_client(rt, "right-bottom") as screen:
        assert await _banners(screen) == []
        body = {**GOOD, "expires_in_s": 1}
        made = (await client.post("/api/v1/announcements", json=body, headers=duty)).json()
        (shown,) = await _banners(screen)
        assert shown["expires_at"] == made["expires_at"]
        assert await _banners(screen) == []  # the server takes it down at expiry

    async def listed() -> list[Any]:
        r = await client.get("/api/v1/announcements", headers=duty)
        return list(r.json()["announcements"])

    assert await listed() == []

    async def audited() -> bool:
        r = await client.get("/api/v1/audit?action=banner_expired", headers=duty)
        return [e["target"] for e in r.json()["entries"]] == [made["id"]]

    await wait_until(audited, what="the expiry audited")
