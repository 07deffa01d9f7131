"""The triggers that watch reports, on a real server (2 × 2 wall, embedded stores): an
indicator judged red against its thresholds raises an alert that clears when a better value
comes in; a report overdue raises one that clears when the report arrives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from relaysupport import publisher, small_clip, video_runtime
from wallsupport import agency_auth, login, running_wall, screen_client, wait_until

from command_center.auth import Role
from command_center.server.runtime import WallRuntime

RULES = """
rules:
  - id: gdp-red
    title: {vi: "GDP chưa đạt", en: "GDP off target"}
    priority: 2
    when:
      - indicator: {indicator: gdp_growth, area: VN, status: [red]}
    do:
      banner: {vi: "{indicator}: {value}", en: "{indicator}: {value}", severity: warning}
  - id: gdp-overdue
    title: {vi: "GDP quá hạn báo cáo", en: "GDP report overdue"}
    priority: 1
    when:
      - overdue: {indicator: gdp_growth, days: 0}
"""


async def states(client: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, dict[str, Any]]:
    alerts = (await client.get("/api/v1/alerts", headers=auth)).json()["alerts"]
    return {a["rule"]: a for a in alerts}


async def report(client: httpx.AsyncClient, rt: WallRuntime, value: float, revision: int) -> None:
    row = {"indicator": "gdp_growth", "period": "2026-Q3", "value": value, "revision": revision}
    r = await client.post(
        "/api/v1/observations",
        json={"observations": [row]},
        headers=agency_auth(rt, "cuc_thong_ke"),
    )
    assert r.status_code == 201, r.text


async def test_red_and_overdue_raise_and_clear_with_the_reports(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    async with (
        running_wall(tmp_path / "data", alert_rules=rules) as rt,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as client,
    ):
        auth = await login(client, rt, Role.VIEWER)

        async def state_of(rule: str) -> str | None:
            found = (await states(client, auth)).get(rule)
            return None if found is None else found["state"]

        # Nothing reported for the last quarter due (its deadline has passed): overdue.
        await wait_until(lambda: _is(state_of("gdp-overdue"), "active"), what="the overdue alert")
        await report(client, rt, 4.2, 0)  # under the alarm threshold of 5.0: red
        await wait_until(lambda: _is(state_of("gdp-red"), "active"), what="the red alert")
        await wait_until(lambda: _is(state_of("gdp-overdue"), "cleared"), what="overdue cleared")
        red = (await states(client, auth))["gdp-red"]
        assert red["values"]["value"] == "4,2 % so với cùng kỳ"
        banners = rt.banners
        assert banners is not None
        await wait_until(
            lambda: (
                [b.text_vi for b, _ in banners.active()]
                == ["Tăng trưởng GDP: 4,2 % so với cùng kỳ"]
            ),
            what="the red alert's banner, alone",
        )
        await report(client, rt, 7.1, 1)  # a revision: above the warning line
        await wait_until(lambda: _is(state_of("gdp-red"), "cleared"), what="red cleared")
        await wait_until(lambda: not rt.banners.active(), what="its banner down")


async def _is(found: Any, wanted: str) -> bool:
    return await found == wanted


WATCH_RULES = """
rules:
  - id: screen-down
    title: {vi: "Màn hình mất kết nối", en: "Screen offline"}
    priority: 1
    when:
      - screen_offline: {screen: left-top}
    do:
      banner: {vi: "Màn hình {screen} mất kết nối", en: "Screen {screen} offline"}
  - id: ministry-silent
    title: {vi: "Bộ Y tế im lặng", en: "Ministry of Health silent"}
    priority: 1
    when:
      - feed_silent: {agency: bo_y_te, minutes: 0.02}
  - id: point-lost
    title: {vi: "Mất kết nối điểm cầu", en: "Bridge point lost"}
    priority: 1
    when:
      - bridge_point_lost: {point: hue}
    do:
      banner: {vi: "Mất kết nối điểm cầu {point}", en: "Bridge point {point} lost"}
"""


async def test_a_screen_a_silent_agency_and_a_lost_bridge_point_raise_and_clear(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "watch.yaml"
    rules.write_text(WATCH_RULES, encoding="utf-8")
    async with (
        video_runtime(tmp_path / "data", {"alert_rules": rules}) as rt,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as client,
    ):
        auth = await login(client, rt, Role.VIEWER)

        async def state_of(rule: str) -> str | None:
            found = (await states(client, auth)).get(rule)
            return None if found is None else found["state"]

        # A screen seen and then gone is offline; one never plugged in is not.
        async with screen_client(rt, "left-top") as screen:
            await screen.recv("welcome")
            await wait_until(lambda: "left-top" in rt.hub.screens_online(), what="linked")
        await wait_until(
            lambda: _is(state_of("screen-down"), "active"), what="screen alert", within=30
        )
        assert rt.banners is not None
        banners = rt.banners

        def showing(text: str) -> bool:
            return text in [b.text_vi for b, _ in banners.active()]

        # The alert is stored first, its banner put right after in the same evaluation.
        await wait_until(lambda: showing("Màn hình left-top mất kết nối"), what="its banner")
        async with screen_client(rt, "left-top") as screen:
            await screen.recv("welcome")
            await wait_until(lambda: _is(state_of("screen-down"), "cleared"), what="back")
        # The ministry has sent nothing since the start: silent after 1.2 s; a report ends it.
        await wait_until(
            lambda: _is(state_of("ministry-silent"), "active"), what="silent", within=30
        )
        row = {"indicator": "covid19_community_cases", "period": "2026-12-01", "value": 0}
        r = await client.post(
            "/api/v1/observations",
            json={"observations": [row]},
            headers=agency_auth(rt, "bo_y_te"),
        )
        assert r.status_code == 201, r.text
        await wait_until(
            lambda: _is(state_of("ministry-silent"), "cleared"), what="heard", within=30
        )
        # A bridge point in the call that drops out (a real WHIP publisher, then gone).
        async with publisher(rt, "hue", small_clip()):
            await wait_until(
                lambda: rt.video is not None and rt.video.status("hue").in_call,
                what="Huế in the call",
            )
        await wait_until(
            lambda: _is(state_of("point-lost"), "active"), what="point lost", within=30
        )
        await wait_until(
            lambda: showing("Mất kết nối điểm cầu UBND thành phố Huế"), what="the point's banner"
        )
        async with publisher(rt, "hue", small_clip()):
            await wait_until(
                lambda: _is(state_of("point-lost"), "cleared"), what="Huế back", within=30
            )
