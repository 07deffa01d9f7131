"""The problem codes and their texts (feeds.problems), and the field table (feeds.field_rules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeds.csv_batch import check_header
from feeds.field_rules import FIELD_RULES, FIELDS, INVALID, REQUIRED
from feeds.ingest import BatchRejected, Reporter, validate_batch
from feeds.loader import load_feeds
from feeds.problems import Problem, Rejection, problem_texts, rejection_texts
from geo.codelists import CodeList


@pytest.mark.parametrize("code", [*Problem, *Rejection], ids=str)
def test_every_code_says_what_it_means_in_both_languages(code: Problem | Rejection) -> None:
    assert code.vi.strip() and code.en.strip()
    assert code.vi != code.en


def test_a_code_not_listed_reads_as_its_fallback() -> None:
    assert rejection_texts("no_such_code") == ("Tệp bị từ chối", "File rejected")
    assert problem_texts("bad_id", ("a", "b")) == ("a", "b")
    assert problem_texts("duplicate", ("a", "b")) == (Problem.DUPLICATE.vi, Problem.DUPLICATE.en)


def test_the_table_gives_the_columns_and_which_a_header_needs() -> None:
    assert FIELDS == ("indicator", "area_code", "code_list", "period", "value", "revision", "note")
    assert REQUIRED == ("indicator", "period", "value")
    problems: list[dict[str, object]] = []
    check_header(["indicator", "note"], problems)
    assert [p["field"] for p in problems] == ["period", "value"]


@pytest.mark.parametrize(
    "field, raw",
    [
        ("value", True),
        ("value", "nan"),
        ("value", "3,5"),
        ("revision", -1),
        ("revision", "²"),
        ("note", 5),
        ("indicator", ["cpi_yoy"]),
        ("period", 202610),
    ],
)
def test_a_value_the_rule_refuses_is_reported_with_the_rules_code(field: str, raw: object) -> None:
    rule = next(r for r in FIELD_RULES if r.name == field)
    assert rule.parse(raw) is INVALID
    feeds = load_feeds()
    row = {"indicator": "cpi_yoy", "period": "2026-10", "value": 1, field: raw}
    with pytest.raises(BatchRejected) as caught:
        validate_batch(
            [row],
            feeds.catalogue,
            Reporter(feeds.scope("cuc_thong_ke"), CodeList.NEW_34),
            datetime(2026, 11, 20, 3, tzinfo=UTC),
        )
    found = [(p.field, p.problem) for p in caught.value.problems]
    assert (field, rule.problem) in found, found
    assert all(Problem(code) for _, code in found)
