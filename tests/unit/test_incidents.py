"""Search-and-rescue incident rows: who may report, and one clear problem per bad field."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from incidentsupport import LANDSLIDE

from command_center.errors import ForbiddenError
from feeds.incidents import (
    MAX_INCIDENTS,
    IncidentKind,
    IncidentsRejected,
    IncidentStatus,
    incident_provinces,
    validate_incidents,
)
from feeds.ingest import BatchTooLarge
from feeds.loader import load_feeds

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
AGENCIES = load_feeds().agencies
ROW = LANDSLIDE


def row(**changes: Any) -> dict[str, Any]:
    out = {**ROW, **changes}
    return {k: v for k, v in out.items() if v is not ...}


def test_a_good_row_becomes_an_incident() -> None:
    (incident,) = validate_incidents([ROW], "trung_tam_tkcn", None, NOW)
    assert incident.kind is IncidentKind.LANDSLIDE and incident.status is IncidentStatus.RESPONDING
    assert (
        incident.occurred_at
        == datetime(2026, 11, 27, 0, 30, tzinfo=ZoneInfo("UTC")).timestamp() * 1000
    )
    assert incident.received_at == NOW.timestamp() * 1000
    assert incident.key == "trung_tam_tkcn|TKCN-2026-0142"


@pytest.mark.parametrize(
    "bad, field, problem",
    [
        (row(id=""), "id", "bad_id"),
        (row(id="has space"), "id", "bad_id"),
        (row(kind="landslip"), "kind", "unknown_kind"),
        (row(status="done"), "status", "unknown_status"),
        (row(occurred_at="27/11/2026 07:30"), "occurred_at", "bad_time"),
        (row(occurred_at="2026-11-27T07:30:00"), "occurred_at", "bad_time"),
        (row(occurred_at="2026-11-28T07:30:00+07:00"), "occurred_at", "in_future"),
        (row(province="10"), "province", "unknown_province"),
        (row(province=15), "province", "unknown_province"),
        (row(lat=104.1), "lat", "out_of_range"),
        (row(lon="104,1"), "lon", "not_a_number"),
        (row(lat=True), "lat", "not_a_number"),
        (row(people_deployed=-1), "people_deployed", "bad_count"),
        (row(people_deployed=2.5), "people_deployed", "bad_count"),
        (row(note="x" * 501), "note", "bad_note"),
        (row(kind=...), "kind", "unknown_kind"),
        (row(extra=1), "extra", "unknown_field"),
        ("not an object", "row", "not_an_object"),
    ],
    ids=[
        "empty-id",
        "id-with-space",
        "unknown-kind",
        "unknown-status",
        "time-not-iso",
        "time-without-zone",
        "time-in-future",
        "old-63-code",
        "code-not-text",
        "lat-out-of-range",
        "decimal-comma",
        "boolean-lat",
        "negative-people",
        "fractional-people",
        "note-too-long",
        "kind-missing",
        "unknown-field",
        "row-not-object",
    ],
)
def test_each_bad_field_is_named(bad: object, field: str, problem: str) -> None:
    with pytest.raises(IncidentsRejected) as caught:
        validate_incidents([ROW, bad], "trung_tam_tkcn", None, NOW)
    details = caught.value.envelope()["error"]["details"]
    assert caught.value.status == 422 and caught.value.code == "invalid_incidents"
    assert {(d["row"], d["field"], d["problem"]) for d in details} == {(1, field, problem)}


def test_every_problem_of_a_batch_is_reported_at_once() -> None:
    with pytest.raises(IncidentsRejected) as caught:
        validate_incidents(
            [row(kind="x", lat=99.0), row(id="b", status="y")], "trung_tam_tkcn", None, NOW
        )
    fields = [(d["row"], d["field"]) for d in caught.value.details]
    assert fields == [(0, "kind"), (0, "lat"), (1, "status")]


def test_the_same_id_twice_in_a_batch_is_refused() -> None:
    with pytest.raises(IncidentsRejected, match="duplicate"):
        validate_incidents([ROW, ROW], "trung_tam_tkcn", None, NOW)


def test_a_province_reports_only_its_own_incidents() -> None:
    lao_cai = incident_provinces(AGENCIES.get("ubnd_15"))
    assert validate_incidents([ROW], "ubnd_15", lao_cai, NOW)
    with pytest.raises(IncidentsRejected, match="not_permitted"):
        validate_incidents([row(province="01")], "ubnd_15", lao_cai, NOW)


def test_the_search_and_rescue_centre_reports_anywhere() -> None:
    assert incident_provinces(AGENCIES.get("trung_tam_tkcn")) is None


def test_a_ministry_does_not_report_incidents() -> None:
    with pytest.raises(ForbiddenError, match="does not report search-and-rescue incidents"):
        incident_provinces(AGENCIES.get("bo_tai_chinh"))


def test_a_batch_over_the_limit_is_refused_before_any_check() -> None:
    with pytest.raises(BatchTooLarge, match="over the limit"):
        validate_incidents([ROW] * (MAX_INCIDENTS + 1), "trung_tam_tkcn", None, NOW)
