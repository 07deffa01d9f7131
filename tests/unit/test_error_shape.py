"""Error details are bounded: a hostile body never becomes an answer many times its size."""

from __future__ import annotations

import json

import pytest

from command_center.errors import MAX_DETAILS, RequestError, capped
from feeds.csv_batch import MalformedCsv, parse_csv


def test_details_past_the_limit_become_one_count() -> None:
    details = [{"row": i} for i in range(250)]
    error = RequestError("bad", details)
    assert error.details[:MAX_DETAILS] == details[:MAX_DETAILS]
    assert error.details[MAX_DETAILS:] == [{"more": 150}]


def test_a_count_passed_by_the_caller_is_added_in() -> None:
    assert capped([{"row": 1}, {"more": 7}]) == [{"row": 1}, {"more": 7}]
    assert capped([*({"row": i} for i in range(101)), {"more": 7}])[-1] == {"more": 8}
    assert capped([{"row": 1}]) == [{"row": 1}]


def test_a_megabyte_header_of_one_name_is_checked_linearly_and_reported_once() -> None:
    body = ("indicator,period,value," + ",".join(["x"] * 500_000) + "\n").encode()
    with pytest.raises(MalformedCsv) as caught:
        parse_csv(body)
    (only,) = caught.value.details
    assert (only["line"], only["field"], only["got"]) == (1, "x", "x")


@pytest.mark.parametrize("rows", [150, 40_000])
def test_rows_with_the_wrong_field_count_are_listed_up_to_the_limit(rows: int) -> None:
    body = b"indicator,period,value\n" + b"a,b\n" * rows
    with pytest.raises(MalformedCsv) as caught:
        parse_csv(body)
    details = caught.value.details
    assert len(details) == MAX_DETAILS + 1
    assert details[-1] == {"more": rows - MAX_DETAILS}
    assert f"{rows} malformed row(s)" in caught.value.message
    assert len(json.dumps(caught.value.envelope())) < 20_000
