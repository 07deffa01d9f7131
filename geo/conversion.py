"""Quy đổi chuỗi số liệu theo tỉnh từ 63 sang 34 theo quy tắc gộp của chỉ tiêu.
/ Converting a per-province series from the 63 to the 34 by the indicator's aggregation rule.

Chỉ chiều 63 → 34: gộp thì xác định, tách thì không (tổng cần tỷ trọng từng phần, trung bình
cần giá trị riêng từng phần, mà danh mục 34 không có). Chiều ngược bị từ chối, có nêu lý do.
/ Only 63 → 34: merging is determined, splitting is not (a sum needs each part's share, a mean
each part's own value, which the 34 list does not carry). The reverse is refused, saying why.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Literal

from geo.codelists import CodeList
from geo.errors import ConversionError, ConversionRefusedError
from geo.provinces import codes, predecessors

Missing = Literal["error", "omit"]


class Aggregation(StrEnum):
    """Quy tắc gộp của một chỉ tiêu (từ danh mục chỉ tiêu). / An indicator's aggregation rule."""

    SUM = "sum"  # số đếm, sản lượng / counts, volumes
    MEAN = "mean"  # trung bình không trọng số / unweighted mean of the parts
    WEIGHTED_MEAN = (
        "weighted_mean"  # tỷ lệ: trọng số như dân số / rates, weighted by e.g. population
    )
    # Giá trị của tỉnh cũ đặt trụ sở (mã được giữ): cho mức độ, trạng thái.
    # / The value of the part holding the seat (whose code was kept): for levels and statuses.
    LAST = "last"


def _rule(rule: Aggregation | str) -> Aggregation:
    try:
        return Aggregation(rule)
    except ValueError:
        allowed = [a.value for a in Aggregation]
        close = difflib.get_close_matches(str(rule), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ConversionError(
            f"aggregation rule must be one of {allowed} (got {rule!r}){hint}"
        ) from None


def _check_inputs(
    values: Mapping[str, float], rule: Aggregation, weights: Mapping[str, float] | None
) -> None:
    # Mọi lỗi đầu vào báo một lần. / Every input problem reported at once.
    known = set(codes(CodeList.OLD_63))
    problems = []
    unknown = sorted(str(c) for c in values if c not in known)
    if unknown:
        problems.append(f"codes not in the gso-63 list: {', '.join(unknown)}")
    bad = sorted(c for c, v in values.items() if not math.isfinite(v))
    if bad:
        problems.append(f"non-finite values (leave a missing value out instead): {', '.join(bad)}")
    if rule is Aggregation.WEIGHTED_MEAN:
        if weights is None:
            problems.append("rule 'weighted_mean' needs weights by old code")
        else:
            lacking = sorted(c for c in values if c in known and c not in weights)
            if lacking:
                problems.append(f"no weight for: {', '.join(lacking)}")
            negative = sorted(c for c, w in weights.items() if not (math.isfinite(w) and w >= 0))
            if negative:
                problems.append(f"weights must be finite and ≥ 0: {', '.join(negative)}")
    elif weights is not None:
        problems.append(f"weights are only used by 'weighted_mean' (rule is {rule.value!r})")
    if problems:
        raise ConversionError("cannot convert to the 34: " + "; ".join(problems))


def _merge(
    new_code: str,
    parts: tuple[str, ...],
    values: Mapping[str, float],
    rule: Aggregation,
    weights: Mapping[str, float] | None,
) -> float:
    if rule is Aggregation.LAST:
        return values[new_code]  # mã mới = mã tỉnh đặt trụ sở / the new code is the seat's
    xs = [values[c] for c in parts]
    if rule is Aggregation.SUM:
        return math.fsum(xs)
    if rule is Aggregation.MEAN:
        return math.fsum(xs) / len(xs)
    assert weights is not None  # _check_inputs đã bảo đảm / ensured by _check_inputs
    ws = [weights[c] for c in parts]
    total = math.fsum(ws)
    if total == 0:
        raise ConversionError(f"weights of {', '.join(parts)} (→ {new_code}) sum to 0")
    return math.fsum(w * x for w, x in zip(ws, xs, strict=True)) / total


def convert_to_34(
    values_by_old_code: Mapping[str, float],
    rule: Aggregation | str,
    weights: Mapping[str, float] | None = None,
    *,
    missing: Missing = "error",
) -> dict[str, float]:
    """Gộp giá trị theo mã cũ (63) thành giá trị theo mã mới (34).
    / Merge values keyed by old (63) codes into values keyed by new (34) codes.

    Đơn vị mới thiếu phần cần thiết: ``missing="error"`` báo tất cả, ``"omit"`` bỏ đơn vị đó
    (một tổng thiếu phần là sai mà trông như đúng). Với ``last`` chỉ cần phần đặt trụ sở.
    / A new unit lacking a needed part: ``"error"`` lists them all, ``"omit"`` leaves it out
    (a sum missing a part is wrong yet looks right). ``last`` needs only the seat's part.
    """
    agg = _rule(rule)
    _check_inputs(values_by_old_code, agg, weights)
    result: dict[str, float] = {}
    incomplete: list[str] = []
    for new_code in codes(CodeList.NEW_34):
        parts = tuple(p.code for p in predecessors(new_code))
        needed = (new_code,) if agg is Aggregation.LAST else parts
        if not any(c in values_by_old_code for c in parts):
            continue  # không có dữ liệu nào cho đơn vị này / no data at all for this unit
        absent = [c for c in needed if c not in values_by_old_code]
        if absent:
            incomplete.append(f"{new_code} lacks {', '.join(absent)}")
            continue
        result[new_code] = _merge(new_code, parts, values_by_old_code, agg, weights)
    if incomplete and missing == "error":
        raise ConversionError(
            "cannot convert to the 34: incomplete merged units (pass missing='omit' to leave "
            "them out): " + "; ".join(incomplete)
        )
    return result


def convert(
    values: Mapping[str, float],
    source: CodeList,
    target: CodeList,
    rule: Aggregation | str,
    weights: Mapping[str, float] | None = None,
    *,
    missing: Missing = "error",
) -> dict[str, float]:
    """Đưa một chuỗi về danh mục `target`. / Bring a series to the `target` code list.

    34 → 63 luôn bị từ chối. / 34 → 63 is always refused.
    """
    source, target = CodeList(source), CodeList(target)
    if source is target:
        known = set(codes(source))
        unknown = sorted(str(c) for c in values if c not in known)
        if unknown:
            raise ConversionError(f"codes not in the {source} list: {', '.join(unknown)}")
        return dict(values)
    if source is CodeList.OLD_63:
        return convert_to_34(values, rule, weights, missing=missing)
    raise ConversionRefusedError(
        "converting from the 34 units back to the 63 is refused: 23 units of the 34 each "
        "merged 2 or 3 old units, and splitting a merged value needs what the 34-unit series "
        "does not carry (each old unit's share of a sum, each old unit's own rate or level); "
        "show the series on the 34-unit map, or get the 63-unit series from its source"
    )
