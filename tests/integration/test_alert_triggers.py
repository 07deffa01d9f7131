"""The triggers that watch reports, on a real server (2 × 2 wall, embedded stores): an
indicator judged red against its thresholds raises an alert that clears when a better value
comes in; a report overdue raises one that clears when the report arrives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from wallsupport import agency_auth, login, running_wall, wait_until

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
        assert rt.banners is not None
        assert [b.text_vi for b, _ in rt.banners.active()] == [
            "Tăng trưởng GDP: 4,2 % so với cùng kỳ"
        ]
        await report(client, rt, 7.1, 1)  # a revision: above the warning line
        await wait_until(lambda: _is(state_of("gdp-red"), "cleared"), what="red cleared")
        await wait_until(lambda: not rt.banners.active(), what="its banner down")


async def _is(found: Any, wanted: str) -> bool:
    return await found == wanted
