"""The ``<name>.errors.txt`` written beside a rejected file: every problem, Vietnamese then English.

An agency's clerk reads it, not a developer: each problem says where (line or record, the
column in words), what was wrong (the code's texts from ``feeds.problems``), what was
expected and what arrived. The codes stay in brackets so a support call can name them.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from command_center.errors import WallError
from feeds.ingest import BatchRejected
from feeds.periods import TIME_ZONE
from feeds.problems import problem_texts, rejection_texts

# A column's name in Vietnamese, for the vi line.
_FIELDS = {
    "indicator": "chỉ tiêu",
    "area_code": "mã địa bàn",
    "code_list": "danh mục mã tỉnh",
    "period": "kỳ báo cáo",
    "value": "giá trị",
    "revision": "lần điều chỉnh",
    "note": "ghi chú",
    "row": "dòng",
    "file": "tệp",
    "header": "dòng tiêu đề",
    "observations": "số dòng",
}


def render_errors(name: str, agency: str, error: WallError, at: datetime) -> str:
    """The ``<name>.errors.txt`` an agency reads: what was wrong, row by row, vi then en."""
    reason_vi, reason_en = rejection_texts(error.code)
    if isinstance(error, BatchRejected):
        details = [p.as_detail() for p in error.problems]
    else:
        details = list(error.details) or [{"expected": error.message}]
    local = at.astimezone(TIME_ZONE)
    out = [
        "TỆP BỊ TỪ CHỐI: không dòng nào được lưu; số liệu đã nhận trước đây không thay đổi.",
        "FILE REJECTED: nothing was stored; data accepted earlier is unchanged.",
        "",
        f"Tệp / File: {name}",
        f"Cơ quan / Agency: {agency}",
        f"Thời điểm / At: {local:%d/%m/%Y %H:%M:%S} (giờ Việt Nam / Vietnam time)",
        f"Lý do / Reason: {reason_vi} / {reason_en} ({error.code})",
        f"Số lỗi / Problems: {len(details)}",
        "",
    ]
    for number, detail in enumerate(details, start=1):
        out += _render_detail(number, detail, reason_vi, reason_en)
    out += [
        "Sửa các lỗi trên rồi đặt lại tệp vào thư mục.",
        "Fix every problem above, then drop the file into the folder again.",
        "",
        f"Thông báo gốc / Original message: {error.message}",
        "",
    ]
    return "\n".join(out)


def _render_detail(
    number: int, detail: dict[str, Any], reason_vi: str, reason_en: str
) -> list[str]:
    where_vi, where_en = [], []
    if detail.get("line") is not None:
        where_vi.append(f"Dòng {detail['line']}")
        where_en.append(f"Line {detail['line']}")
    elif detail.get("row") is not None:
        where_vi.append(f"Bản ghi {detail['row'] + 1}")
        where_en.append(f"Record {detail['row'] + 1}")
    if "indicator" in detail and "period" in detail:
        key = f"({detail['indicator']}, {detail.get('area')}, {detail['period']})"
        where_vi.append(f"{key}, lần điều chỉnh {detail.get('revision')}")
        where_en.append(f"{key}, revision {detail.get('revision')}")
    field = detail.get("field")
    if field is not None:
        where_vi.append(f"cột {_FIELDS.get(field, field)}")
        where_en.append(f"column {field}")
    problem_vi, problem_en = problem_texts(detail.get("problem", ""), (reason_vi, reason_en))
    expected = detail.get("expected")
    got = _shown(detail.get("got"))
    head = " · ".join(where_vi) or "Tệp"
    head_en = " · ".join(where_en) or "File"
    code = f" ({detail['problem']})" if detail.get("problem") else ""
    lines = [f"{number}. {head} / {head_en}{code}"]
    lines.append(f"   [vi] {problem_vi}. Yêu cầu: {expected}. Nhận được: {got}")
    lines.append(f"   [en] {problem_en}. Expected: {expected}. Got: {got}")
    lines.append("")
    return lines


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(trống / empty)"
    with contextlib.suppress(TypeError, ValueError):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)
