"""63 → 34 by each aggregation rule; the reverse refused; bad inputs reported all at once."""

from __future__ import annotations

import math

import pytest

from geo import Aggregation, CodeList, codes, convert, convert_to_34
from geo.errors import ConversionError, ConversionRefusedError

OLD = codes(CodeList.OLD_63)
ONES = dict.fromkeys(OLD, 1.0)
# Hồ Chí Minh 79 ← 74 Bình Dương, 77 Bà Rịa - Vũng Tàu, 79 TP HCM; Lào Cai 15 ← 10, 15.
HCM = {"74": 2.0, "77": 4.0, "79": 9.0}
LAO_CAI = {"10": 10.0, "15": 20.0}


def test_sum_adds_the_parts() -> None:
    counts = convert_to_34(ONES, "sum")
    assert list(counts) == list(codes(CodeList.NEW_34))
    assert sum(counts.values()) == 63
    assert (counts["01"], counts["15"], counts["79"], counts["92"]) == (1, 2, 3, 3)
    assert convert_to_34(HCM | LAO_CAI, Aggregation.SUM) == {"15": 30.0, "79": 15.0}


def test_mean_is_unweighted() -> None:
    assert convert_to_34(HCM | LAO_CAI, "mean") == {"15": 15.0, "79": 5.0}


def test_weighted_mean_uses_the_weights_of_the_parts() -> None:
    weights = {"74": 1.0, "77": 1.0, "79": 2.0, "10": 3.0, "15": 1.0}
    got = convert_to_34(HCM | LAO_CAI, "weighted_mean", weights)
    assert got == {"79": (2 + 4 + 18) / 4, "15": (30 + 20) / 4}


def test_last_keeps_the_value_of_the_part_holding_the_seat() -> None:
    # The new Lào Cai (15) has its seat in old Yên Bái (15), not in old Lào Cai (10).
    assert convert_to_34(HCM | LAO_CAI, "last") == {"15": 20.0, "79": 9.0}
    assert convert_to_34({"15": 7.0}, "last") == {"15": 7.0}


def test_unchanged_units_pass_through_under_every_rule() -> None:
    for rule in Aggregation:
        weights = {"01": 5.0} if rule is Aggregation.WEIGHTED_MEAN else None
        assert convert_to_34({"01": 3.5}, rule, weights) == {"01": 3.5}


def test_an_incomplete_merged_unit_is_an_error_or_left_out_on_request() -> None:
    with pytest.raises(ConversionError, match=r"15 lacks 10; 79 lacks 77"):
        convert_to_34({"15": 1.0, "74": 1.0, "79": 1.0}, "sum")
    assert convert_to_34({"15": 1.0, "01": 2.0}, "sum", missing="omit") == {"01": 2.0}


@pytest.mark.parametrize(
    ("values", "rule", "weights", "message"),
    [
        ({"01": 1.0}, "total", None, r"must be one of \['sum', .*\(got 'total'\)"),
        ({"01": 1.0}, "weighted-mean", None, r"did you mean 'weighted_mean'\?"),
        ({"03": 1.0, "99": 2.0}, "sum", None, r"codes not in the gso-63 list: 03, 99"),
        ({"01": math.nan}, "sum", None, r"non-finite values .*: 01"),
        ({"01": 1.0}, "weighted_mean", None, r"'weighted_mean' needs weights"),
        ({"01": 1.0, "04": 1.0}, "weighted_mean", {"01": 1.0}, r"no weight for: 04"),
        ({"01": 1.0}, "weighted_mean", {"01": -1.0}, r"finite and ≥ 0: 01"),
        ({"01": 1.0}, "weighted_mean", {"01": 0.0}, r"weights of 01 \(→ 01\) sum to 0"),
        ({"01": 1.0}, "sum", {"01": 1.0}, r"only used by 'weighted_mean' \(rule is 'sum'\)"),
    ],
    ids=[
        "unknown-rule",
        "near-miss-rule",
        "unknown-codes",
        "nan",
        "no-weights",
        "weight-missing",
        "negative-weight",
        "zero-weights",
        "weights-unused",
    ],
)
def test_bad_inputs(
    values: dict[str, float], rule: str, weights: dict[str, float] | None, message: str
) -> None:
    with pytest.raises(ConversionError, match=message):
        convert_to_34(values, rule, weights)


def test_problems_are_reported_together() -> None:
    with pytest.raises(ConversionError, match=r"gso-63 list: 03; non-finite .*: 01"):
        convert_to_34({"03": 1.0, "01": math.inf}, "sum")


def test_convert_picks_the_direction() -> None:
    assert convert(HCM, CodeList.OLD_63, CodeList.NEW_34, "sum") == {"79": 15.0}
    assert convert({"52": 1.0}, CodeList.NEW_34, CodeList.NEW_34, "sum") == {"52": 1.0}
    with pytest.raises(ConversionError, match=r"not in the gso-34 list: 64"):
        convert({"64": 1.0}, CodeList.NEW_34, CodeList.NEW_34, "sum")


def test_converting_the_34_back_to_the_63_is_refused_saying_why() -> None:
    with pytest.raises(
        ConversionRefusedError, match=r"34 units back to the 63 is refused: .*share"
    ):
        convert({"79": 15.0}, CodeList.NEW_34, CodeList.OLD_63, "sum")
