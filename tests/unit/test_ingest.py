"""Batch validation and CSV parsing: pure functions, no server, no store."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from command_center.messages import BUS_MESSAGE, ObservationsAccepted
from command_center.server.observations_api import OBSERVATION_ROUTES
from command_center.server.openapi import OPENAPI_ROUTES
from feeds.acceptance import accepted_observations, announcement
from feeds.csv_batch import MalformedCsv, parse_csv
from feeds.ingest import (
    MAX_ROWS,
    BatchRejected,
    BatchTooLarge,
    Reporter,
    _FastCheck,
    _RowCheck,
    validate_batch,
)
from feeds.loader import FeedsSpec, load_feeds
from feeds.observations import Area, Observation, area_of, checked_observation
from geo.codelists import CodeList

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def feeds() -> FeedsSpec:
    return load_feeds()


def reporter(feeds: FeedsSpec, agency: str) -> Reporter:
    return Reporter(feeds.scope(agency), CodeList.NEW_34)


def test_good_rows_become_typed_observations(feeds: FeedsSpec) -> None:
    rows = [
        {"indicator": "cpi_yoy", "period": "2026-10", "value": 3.25, "note": "sơ bộ"},
        {"indicator": "cpi_yoy", "area_code": "", "period": "2026-09", "value": "3.1"},
    ]
    found = validate_batch(rows, feeds.catalogue, reporter(feeds, "cuc_thong_ke"), NOW)
    assert [(o.area, o.period, o.value, o.revision, o.note) for o in found] == [
        (Area(), "2026-10", 3.25, 0, "sơ bộ"),
        (Area(), "2026-09", 3.1, 0, None),
    ]
    assert {o.agency for o in found} == {"cuc_thong_ke"}
    assert found[0].received_at == NOW.timestamp() * 1000.0


def test_current_period_is_accepted_the_next_is_future(feeds: FeedsSpec) -> None:
    # 20 Nov is past the 14th cut-off: the current public-investment report is December's.
    row = {"indicator": "public_investment_disbursement", "area_code": "01", "code_list": "gso-34"}
    ok = validate_batch(
        [row | {"period": "2026-12", "value": 80}],
        feeds.catalogue,
        reporter(feeds, "ubnd_01"),
        NOW,
    )
    assert ok[0].period == "2026-12"
    with pytest.raises(BatchRejected, match=r"future_period: expected 2026-12 or earlier"):
        validate_batch(
            [row | {"period": "2027-01", "value": 80}],
            feeds.catalogue,
            reporter(feeds, "ubnd_01"),
            NOW,
        )


@pytest.mark.parametrize(
    "row, message",
    [
        ([1, 2], r"row 0: row: not_an_object"),
        ({"indicator": "cpi_yoy", "period": "2026-10", "value": True}, r"value: not_a_number"),
        ({"indicator": "cpi_yoy", "period": "2026-10", "value": "nan"}, r"value: not_a_number"),
        (
            {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "revision": -1},
            r"revision: bad_revision",
        ),
        (
            {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "note": "x" * 2001},
            r"note: bad_note",
        ),
        (
            {"indicator": "cpi_yoy", "code_list": "gso-34", "period": "2026-10", "value": 1},
            r"area_code: missing",
        ),
        ({"indicator": "cpi_yoy", "period": "2026-02-30", "value": 1}, r"not a real daily"),
    ],
    ids=[
        "not-an-object",
        "bool",
        "nan",
        "negative-revision",
        "long-note",
        "list-no-code",
        "feb-30",
    ],
)
def test_bad_rows(feeds: FeedsSpec, row: object, message: str) -> None:
    with pytest.raises(BatchRejected, match=message):
        validate_batch([row], feeds.catalogue, reporter(feeds, "cuc_thong_ke"), NOW)


def test_oversized_batch_is_refused_before_any_row_is_read(feeds: FeedsSpec) -> None:
    with pytest.raises(BatchTooLarge, match="10001 rows"):
        validate_batch([None] * (MAX_ROWS + 1), feeds.catalogue, reporter(feeds, "ubnd_01"), NOW)


def test_csv_rows_keep_their_lines() -> None:
    body = (
        "\ufeffperiod,indicator,value,area_code,code_list\r\n"
        'cpi_yoy_is_not_here,"multi\nline",1,,\r\n'
        "\r\n"
        "2026-10,cpi_yoy,3.2,,\r\n"
    ).encode()
    batch = parse_csv(body)
    assert batch.lines == [2, 5]
    assert batch.rows[1] == {
        "period": "2026-10",
        "indicator": "cpi_yoy",
        "value": "3.2",
        "area_code": "",
        "code_list": "",
    }


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "CSV is empty"),
        (b"indicator,period\n", r"value: expected a column"),
        (b"indicator,period,value,value\n", r"value: expected once"),
        (b"indicator,period,value\n\xff\n", "must be UTF-8"),
        (b"indicator,period,value\na,b\n", r"line 2: row: expected 3 fields"),
    ],
    ids=["empty", "missing-column", "repeated-column", "not-utf8", "short-row"],
)
def test_malformed_csv(body: bytes, message: str) -> None:
    with pytest.raises(MalformedCsv, match=message):
        parse_csv(body)


@pytest.mark.parametrize(
    "route", [r for r, _ in [*OBSERVATION_ROUTES, *OPENAPI_ROUTES]], ids=lambda r: r
)
def test_every_reporting_route_is_documented(route: str) -> None:
    readable = re.sub(r"\(.*?\)", "<", route).split("<")[0]
    assert readable.replace("/api/v1", "") in README, f"README does not name {route}"


# Rows the fast path must either pass exactly as the full check does or leave to it.
TRICKY_ROWS: list[object] = [
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 3.25},
    {"indicator": "cpi_yoy", "area_code": "", "code_list": "", "period": "2026-10", "value": 3},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": " 3.5 ", "revision": " 2 "},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": "3,5"},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": "inf"},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1e9},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": False},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": None},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": [1]},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "revision": "²"},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "revision": True},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "revision": 1.0},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "note": ""},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "note": "x" * 2000},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "note": 5},
    {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, "extra": 1},
    {"indicator": "cpi_yoy", "period": "2026-12", "value": 1},
    {"indicator": "cpi_yoy", "period": "2026-Q3", "value": 1},
    {"indicator": "cpi_yoy", "period": ["2026-10"], "value": 1},
    {"indicator": "cpi_yoy", "area_code": "01", "code_list": "gso-34", "period": "2026-10"},
    {"indicator": ["cpi_yoy"], "period": "2026-10", "value": 1},
    {"indicator": "cpi_yoi", "period": "2026-10", "value": 1},
    {"indicator": "public_investment_disbursement", "period": "2026-10", "value": 1},
    {"indicator": "public_investment_disbursement", "area_code": "01", "period": "2026-10"},
    {
        "indicator": "public_investment_disbursement",
        "area_code": "01",
        "code_list": "gso-34",
        "period": "2026-10",
        "value": "80",
    },
    {
        "indicator": "public_investment_disbursement",
        "area_code": "01",
        "code_list": "gso-63",
        "period": "2026-10",
        "value": 80,
    },
    {
        "indicator": "public_investment_disbursement",
        "area_code": "02",
        "code_list": "gso-34",
        "period": "2026-10",
        "value": 80,
    },
    {
        "indicator": "public_investment_disbursement",
        "area_code": ["01"],
        "code_list": "gso-34",
        "period": "2026-10",
        "value": 80,
    },
    # The fast path caches by raw value: None and '' alike, 1 and True apart from text,
    # and an unhashable value left to the full check.
    {"indicator": "cpi_yoy", "area_code": None, "code_list": None, "period": "2026-10", "value": 1},
    {"indicator": "cpi_yoy", "area_code": True, "code_list": 1, "period": "2026-10", "value": 1},
    {"indicator": {"code": "cpi_yoy"}, "period": "2026-10", "value": 1},
    {"indicator": "cpi_yoy", "period": {"key": "2026-10"}, "value": 1},
    ["not", "a", "row"],
    None,
]


@pytest.mark.parametrize("agency", ["cuc_thong_ke", "ubnd_01"])
def test_fast_path_accepts_exactly_what_the_full_check_accepts(
    feeds: FeedsSpec, agency: str
) -> None:
    who = reporter(feeds, agency)
    received_at = NOW.timestamp() * 1000.0
    fast = _FastCheck(feeds.catalogue, who, NOW, received_at)
    accepted = 0
    for index, raw in enumerate(TRICKY_ROWS):
        full = _RowCheck(index, None).check(raw, feeds.catalogue, who, NOW, received_at)
        quick = fast.check(raw)
        # Every row here has the usual JSON and CSV types: none is left to the full check
        # but the bad ones.
        assert quick == full, raw
        if full is not None:
            accepted += 1
            assert quick is not None and quick.model_dump() == full.model_dump(), raw
    assert accepted >= 1


def test_batch_errors_read_the_same_whichever_path_found_the_row_good(
    feeds: FeedsSpec,
) -> None:
    good = {"indicator": "cpi_yoy", "period": "2026-10", "value": 1}
    rows = [good, {**good, "value": "x"}, dict(good), {**good, "value": 2, "revision": 1}]
    with pytest.raises(BatchRejected) as caught:
        validate_batch(rows, feeds.catalogue, reporter(feeds, "cuc_thong_ke"), NOW, [2, 3, 5, 6])
    assert [(p.row, p.line, p.field, p.problem) for p in caught.value.problems] == [
        (1, 3, "value", "not_a_number"),
        (2, 5, "period", "duplicate"),
        (3, 6, "period", "duplicate"),
    ]


def test_checked_observation_is_the_validated_model(feeds: FeedsSpec) -> None:
    fields = {
        "indicator": "cpi_yoy",
        "area": Area(code="01", code_list="gso-34"),
        "period": "2026-10",
        "value": 3.5,
        "revision": 2,
        "note": "sơ bộ",
        "agency": "cuc_thong_ke",
        "received_at": 1.5,
    }
    validated = Observation(**fields)
    checked = checked_observation(**fields)
    assert checked == validated and hash(checked) == hash(validated)
    assert checked.model_dump_json() == validated.model_dump_json()
    assert Observation.model_validate(checked.model_dump()) == validated
    assert checked.key == ("cpi_yoy", "gso-34:01", "2026-10")


def test_cached_key_follows_a_copy_with_other_fields() -> None:
    hanoi = Area(code="01", code_list="gso-34")
    obs = Observation(
        indicator="cpi_yoy", area=hanoi, period="2026-10", value=1, agency="a", received_at=1
    )
    assert obs.key == ("cpi_yoy", "gso-34:01", "2026-10")
    moved = obs.model_copy(update={"period": "2026-09", "area": area_of("46", "gso-34")})
    assert moved.key == ("cpi_yoy", "gso-34:46", "2026-09")
    assert hanoi.model_copy(update={"code": "46"}).key == "gso-34:46"
    assert obs.model_copy().key == obs.key and "key" not in obs.model_dump()


def test_announcement_is_the_contract_and_hands_this_process_the_typed_rows(
    feeds: FeedsSpec,
) -> None:
    rows = [
        {"indicator": "cpi_yoy", "period": "2026-10", "value": 3.25, "note": "sơ bộ"},
        {"indicator": "cpi_yoy", "period": "2026-09", "value": 3},
    ]
    batch = validate_batch(rows, feeds.catalogue, reporter(feeds, "cuc_thong_ke"), NOW)
    message = announcement("cuc_thong_ke", batch, 5.0)
    contract = ObservationsAccepted(
        agency="cuc_thong_ke", observations=[o.model_dump(mode="json") for o in batch], ts=5.0
    )
    assert message.observations == contract.observations
    payload = BUS_MESSAGE.dump_json(message, serialize_as_any=True)
    assert payload == BUS_MESSAGE.dump_json(contract)
    assert accepted_observations(message) is batch  # same process: nothing to validate
    crossed = BUS_MESSAGE.validate_json(payload)  # from Redis: validated
    assert isinstance(crossed, ObservationsAccepted)
    assert accepted_observations(crossed) == batch
    bad = ObservationsAccepted(agency="x", observations=[{"indicator": "cpi_yoy"}], ts=1.0)
    with pytest.raises(ValidationError):
        accepted_observations(bad)
