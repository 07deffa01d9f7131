"""The ingestion API and the reporting-data read routes, against a real server on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from wallsupport import agency_auth, login, running_wall

from command_center.auth import Role
from command_center.messages import ObservationsAccepted
from command_center.server.runtime import WallRuntime

DISBURSEMENT = "public_investment_disbursement"  # province level, monthly, 0..100, bo_tai_chinh
ROW = {"indicator": DISBURSEMENT, "area_code": "01", "code_list": "gso-34", "period": "2025-10"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared_rt(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WallRuntime]:
    """One server for the bad-input table: every row is refused, so nothing is shared."""
    async with running_wall(tmp_path_factory.mktemp("shared")) as runtime:
        yield runtime


def row(**changes: Any) -> dict[str, Any]:
    return {**ROW, "value": 42.5, **changes}


async def post(
    client: httpx.AsyncClient, rt: WallRuntime, rows: list[Any], agency: str = "ubnd_01"
) -> httpx.Response:
    return await client.post(
        "/api/v1/observations", json={"observations": rows}, headers=agency_auth(rt, agency)
    )


CSV_HEADER = "indicator,area_code,code_list,period,value,revision,note\n"


# One case: (auth, body, content type, status, envelope code, the first detail must contain).
def refused(
    case: str, auth: str, body: Any, kind: str, status: int, code: str, detail: dict[str, Any]
) -> Any:
    return pytest.param(auth, body, kind, status, code, detail, id=case)


def invalid(case: str, auth: str, body: Any, detail: dict[str, Any]) -> Any:
    """A batch the validator refuses as a whole: JSON, 422 ``invalid_observations``."""
    return refused(case, auth, body, "json", 422, "invalid_observations", detail)


BAD_INPUT: list[Any] = [
    invalid(
        "unknown-indicator-did-you-mean",
        "ubnd_01",
        [row(indicator="public_investment_disbursment")],
        {"row": 0, "field": "indicator", "problem": "unknown_indicator", "expected": DISBURSEMENT},
    ),
    invalid(
        "province-reports-another-province",
        "ubnd_01",
        [row(), row(area_code="46")],
        {"row": 1, "field": "area_code", "problem": "not_permitted", "got": "gso-34:46"},
    ),
    invalid(
        "province-reports-the-nation",
        "ubnd_01",
        [row(area_code="", code_list="")],
        {"row": 0, "field": "area_code", "problem": "not_permitted"},
    ),
    invalid(
        "ministry-reports-another-ministrys-indicator",
        "bo_tai_chinh",
        [{"indicator": "cpi_yoy", "period": "2025-10", "value": 3.1}],
        {"row": 0, "field": "indicator", "problem": "not_permitted", "got": "cpi_yoy"},
    ),
    invalid(
        "unknown-province-code",
        "bo_tai_chinh",
        [row(area_code="99")],
        {"row": 0, "field": "area_code", "problem": "unknown_province", "expected": "gso-34"},
    ),
    invalid(
        "unknown-code-list",
        "bo_tai_chinh",
        [row(code_list="gso-35")],
        {"row": 0, "field": "code_list", "problem": "unknown_code_list", "got": "gso-35"},
    ),
    invalid(
        "province-on-a-national-indicator",
        "cuc_thong_ke",
        [
            {
                "indicator": "cpi_yoy",
                "area_code": "01",
                "code_list": "gso-34",
                "period": "2025-10",
                "value": 3,
            }
        ],
        {"row": 0, "field": "area_code", "problem": "not_permitted", "expected": "national"},
    ),
    invalid(
        "period-malformed",
        "ubnd_01",
        [row(period="10/2025")],
        {"row": 0, "field": "period", "problem": "malformed_period", "got": "10/2025"},
    ),
    invalid(
        "period-of-the-wrong-frequency",
        "ubnd_01",
        [row(period="2025-Q3")],
        {"row": 0, "field": "period", "problem": "wrong_frequency", "expected": "monthly"},
    ),
    invalid(
        "period-in-the-future",
        "ubnd_01",
        [row(period="2099-01")],
        {"row": 0, "field": "period", "problem": "future_period", "got": "2099-01"},
    ),
    invalid(
        "value-not-a-number",
        "ubnd_01",
        [row(value="bốn mươi")],
        {"row": 0, "field": "value", "problem": "not_a_number", "got": "bốn mươi"},
    ),
    invalid(
        "value-with-decimal-comma",
        "ubnd_01",
        [row(value="42,5")],
        {"row": 0, "field": "value", "problem": "not_a_number", "expected": "decimal point"},
    ),
    invalid(
        "value-out-of-range",
        "ubnd_01",
        [row(value=150)],
        {"row": 0, "field": "value", "problem": "out_of_range", "expected": "from 0"},
    ),
    invalid(
        "duplicate-rows",
        "ubnd_01",
        [row(), row(period="2025-09"), row(value=1)],
        {"row": 2, "field": "period", "problem": "duplicate", "expected": "row 0"},
    ),
    invalid(
        "unknown-field",
        "ubnd_01",
        [row(province="01")],
        {"row": 0, "field": "province", "problem": "unknown_field"},
    ),
    refused(
        "bad-csv-row-names-its-line",
        "ubnd_01",
        CSV_HEADER
        + f"{DISBURSEMENT},01,gso-34,2025-10,40,,\n\n{DISBURSEMENT},01,gso-34,2025-09,x,,\n",
        "csv",
        422,
        "invalid_observations",
        {"row": 1, "line": 4, "field": "value", "problem": "not_a_number"},
    ),
    refused(
        "malformed-csv-field-count",
        "ubnd_01",
        CSV_HEADER + f"{DISBURSEMENT},01,gso-34,2025-10,40\n",
        "csv",
        400,
        "malformed_csv",
        {"line": 2, "field": "row", "expected": "7 fields"},
    ),
    refused(
        "malformed-csv-header",
        "ubnd_01",
        "indicator,province,period,value\n",
        "csv",
        400,
        "malformed_csv",
        {"line": 1, "field": "province"},
    ),
    refused(
        "malformed-csv-quoting",
        "ubnd_01",
        CSV_HEADER + f'{DISBURSEMENT},01,gso-34,2025-10,40,0,"unclosed\n',
        "csv",
        400,
        "malformed_csv",
        {"field": "file"},
    ),
    refused(
        "oversized-batch",
        "ubnd_01",
        [row()] * 10_001,
        "json",
        413,
        "batch_too_large",
        {"field": "observations", "got": 10_001},
    ),
    refused(
        "body-not-a-batch",
        "ubnd_01",
        [],
        "not-a-batch",
        400,
        "bad_request",
        {"field": "observations"},
    ),
    refused("wrong-content-type", "ubnd_01", "x", "text/plain", 415, "unsupported_media_type", {}),
    refused("missing-token", "none", [row()], "json", 401, "unauthenticated", {}),
    refused("wrong-token", "wrong", [row()], "json", 401, "unauthenticated", {}),
    refused("unknown-agency", "unknown", [row()], "json", 401, "unauthenticated", {}),
    refused("viewer-session-may-not-report", "viewer", [row()], "json", 403, "forbidden", {}),
]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("auth, body, kind, status, code, detail", BAD_INPUT)
async def test_bad_input_is_refused_with_the_row_and_field_named(
    shared_rt: WallRuntime,
    auth: str,
    body: Any,
    kind: str,
    status: int,
    code: str,
    detail: dict[str, Any],
) -> None:
    rt = shared_rt
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as client:
        r = await _post_bad(client, rt, auth, body, kind)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(r.json()) == {"error"} and set(error) == {"code", "message", "details"}
    assert error["code"] == code
    if detail:
        first = error["details"][0]
        for key, want in detail.items():
            assert (want in first[key]) if isinstance(want, str) else first[key] == want, first
    assert await rt.observations.latest() == []  # all-or-nothing: nothing stored


async def _post_bad(
    client: httpx.AsyncClient, rt: WallRuntime, auth: str, body: Any, kind: str
) -> httpx.Response:
    fake = "A" * 43  # the length of a real token
    headers = {
        "none": {},
        "wrong": {"Authorization": f"Bearer ubnd_01:{fake}"},
        "unknown": {"Authorization": f"Bearer ubnd_99:{fake}"},
    }.get(auth)
    if headers is None:
        viewer = auth == "viewer"
        headers = await login(client, rt, Role.VIEWER) if viewer else agency_auth(rt, auth)
    url = "/api/v1/observations"
    if kind == "json":
        return await client.post(url, json={"observations": body}, headers=headers)
    if kind == "not-a-batch":
        return await client.post(url, json=body, headers=headers)
    content_type = "text/csv" if kind == "csv" else kind
    headers = {**headers, "Content-Type": content_type}
    return await client.post(url, content=body.encode(), headers=headers)


async def test_every_problem_of_a_batch_is_reported_at_once(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    r = await post(
        client, rt, [row(value=-1), row(period="2025-09", indicator="nope"), row(period="x")]
    )
    assert r.status_code == 422
    problems = [(d["row"], d["field"], d["problem"]) for d in r.json()["error"]["details"]]
    assert problems == [
        (0, "value", "out_of_range"),
        (1, "indicator", "unknown_indicator"),
        (2, "period", "malformed_period"),
    ]


async def test_accepted_batch_is_stored_announced_and_readable(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    async with rt.bus.subscribe() as messages:
        r = await post(client, rt, [row(), row(period="2025-09", value=30, note="ước tính")])
        assert r.status_code == 201, r.text
        assert r.json() | {"received_at": 0} == {
            "agency": "ubnd_01",
            "rows": 2,
            "accepted": 2,
            "duplicates": 0,
            "received_at": 0,
        }
        async for message in messages:
            if isinstance(message, ObservationsAccepted):
                break
    assert message.agency == "ubnd_01"
    assert [o["period"] for o in message.observations] == ["2025-10", "2025-09"]

    viewer = await login(client, rt, Role.VIEWER)
    latest = (
        await client.get(f"/api/v1/observations/latest?indicator={DISBURSEMENT}", headers=viewer)
    ).json()
    assert [(o["area_key"], o["period"], o["value"]) for o in latest["observations"]] == [
        ("gso-34:01", "2025-10", 42.5)
    ]
    series = (
        await client.get(
            f"/api/v1/series?indicator={DISBURSEMENT}&area=gso-34:01&from=2025-01&to=2025-12",
            headers=viewer,
        )
    ).json()
    assert [(o["period"], o["note"]) for o in series["observations"]] == [
        ("2025-09", "ước tính"),
        ("2025-10", None),
    ]


async def test_same_report_twice_is_stored_once_and_a_revision_replaces(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    assert (await post(client, rt, [row()])).status_code == 201
    again = await post(client, rt, [row()])
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    revised = await post(client, rt, [row(value=45.0, revision=1)])
    assert revised.json()["accepted"] == 1
    stale = await post(client, rt, [row(value=44.0, revision=1)])
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "revision_conflict"
    assert stale.json()["error"]["details"][0]["period"] == "2025-10"
    key = (DISBURSEMENT, "gso-34:01", "2025-10")
    assert [(o.revision, o.value) for o in await rt.observations.history(key)] == [
        (0, 42.5),
        (1, 45.0),
    ]
    assert [o.value for o in await rt.observations.latest()] == [45.0]


async def test_a_csv_upload_is_accepted(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    body = (
        "\ufeff" + CSV_HEADER + f'{DISBURSEMENT},01,gso-34,2025-10,40.5,0,"ghi chú, có dấu phẩy"\n'
    )
    headers = {**agency_auth(rt, "ubnd_01"), "Content-Type": "text/csv; charset=utf-8"}
    r = await client.post("/api/v1/observations", content=body.encode(), headers=headers)
    assert r.status_code == 201, r.text
    (stored,) = await rt.observations.latest()
    assert (stored.value, stored.note, stored.agency) == (40.5, "ghi chú, có dấu phẩy", "ubnd_01")


async def test_a_ministry_reports_its_indicator_everywhere(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    rows = [
        row(area_code="46"),
        row(area_code="", code_list=""),
        row(area_code="33", code_list="gso-63"),
    ]
    r = await post(client, rt, rows, agency="bo_tai_chinh")
    assert r.status_code == 201, r.text
    assert {o.area.key for o in await rt.observations.latest()} == {"gso-34:46", "VN", "gso-63:33"}


async def test_reading_needs_a_viewer(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/indicators", "/api/v1/observations/latest", "/api/v1/reporting-status"):
        assert (await client.get(path)).status_code == 401
        r = await client.get(path, headers=agency_auth(rt, "ubnd_01"))
        assert r.status_code == 401, path  # an agency credential is no session
    viewer = await login(client, rt, Role.VIEWER)
    indicators = (await client.get("/api/v1/indicators", headers=viewer)).json()["indicators"]
    assert len(indicators) >= 30 and DISBURSEMENT in {i["code"] for i in indicators}
    r = await client.get("/api/v1/series?indicator=cpi_yyo", headers=viewer)
    assert r.status_code == 404 and "did you mean 'cpi_yoy'" in r.json()["error"]["message"]
    r = await client.get("/api/v1/series", headers=viewer)
    assert r.status_code == 400 and "'indicator'" in r.json()["error"]["message"]


async def test_reporting_status_names_who_is_overdue(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    assert (await post(client, rt, [row()])).status_code == 201
    viewer = await login(client, rt, Role.VIEWER)
    r = await client.get("/api/v1/reporting-status?period=2025-10", headers=viewer)
    assert r.status_code == 200, r.text
    entries = {(e["indicator"], e["area"]): e for e in r.json()["entries"]}
    hanoi, hue = entries[(DISBURSEMENT, "gso-34:01")], entries[(DISBURSEMENT, "gso-34:46")]
    assert hanoi["reported_by"] == "ubnd_01" and hanoi["status"] == "late"  # sent a year on
    assert hue["agency"] == "ubnd_46" and hue["status"] == "overdue" and hue["late_by_s"] > 86400
    assert entries[("cpi_yoy", "VN")]["agency"] == "cuc_thong_ke"
    assert ("gdp_growth", "VN") not in entries  # quarterly: not a 2025-10 report
    bad = await client.get("/api/v1/reporting-status?period=Oct", headers=viewer)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    default = await client.get("/api/v1/reporting-status", headers=viewer)
    assert default.status_code == 200 and ("gdp_growth", "VN") in {
        (e["indicator"], e["area"]) for e in default.json()["entries"]
    }


async def test_a_big_batch_goes_through(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    rows = [
        row(
            area_code=f"{code:02d}", code_list="gso-63", period=f"{2000 + i // 12}-{i % 12 + 1:02d}"
        )
        for code in (1, 2, 4, 6, 8, 10, 11, 12, 14, 15)
        for i in range(300)
    ]
    r = await post(client, rt, rows[:10_000], agency="bo_tai_chinh")
    assert r.status_code == 201, r.text[:500]
    assert r.json()["accepted"] == 3000


async def test_a_large_batch_is_announced_in_slices_with_one_acceptance_time(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    """1,200 rows go out as 500 + 500 + 200: no message holds a process's loop for long."""
    provinces = ["01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25"]
    rows = [
        {
            "indicator": "covid19_community_cases",
            "area_code": code,
            "code_list": "gso-34",
            "period": f"2025-{month:02d}-{day:02d}",
            "value": day,
        }
        for month in (1, 2, 3, 4)
        for day in range(1, 26)
        for code in provinces
    ]
    assert len(rows) == 1200
    seen: list[ObservationsAccepted] = []
    async with rt.bus.subscribe() as messages:
        r = await post(client, rt, rows, agency="bo_y_te")
        assert r.status_code == 201 and r.json()["accepted"] == 1200, r.text
        async for message in messages:
            if isinstance(message, ObservationsAccepted):
                seen.append(message)
                if sum(len(m.observations) for m in seen) >= 1200:
                    break
    assert [len(m.observations) for m in seen] == [500, 500, 200]
    assert len({m.ts for m in seen}) == 1
    announced = [(o["area"]["code"], o["period"]) for m in seen for o in m.observations]
    assert announced == [(row["area_code"], row["period"]) for row in rows]
