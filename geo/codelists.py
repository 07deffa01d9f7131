"""Hai danh mục mã tỉnh của Tổng cục Thống kê (GSO) và ngày chuyển.
/ The two GSO province code lists and the switch date.

Mã 15, 24, 44, 52, 80, 82, 91 chỉ vùng đất khác nhau trước và sau ngày chuyển, nên mọi số liệu
theo tỉnh mang khóa (mã, danh mục), không bao giờ chỉ mã, không bao giờ tên.
/ Codes 15, 24, 44, 52, 80, 82, 91 mean different land before and after the switch, so every
per-province datum keys on (code, code list): never the code alone, never the name.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from geo.errors import CodeListDateError

TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# Nghị quyết 202/2025/QH15: 34 đơn vị từ ngày này. / Resolution 202/2025/QH15: 34 units from here.
SWITCH_DATE = date(2025, 7, 1)


class CodeList(StrEnum):
    """Danh mục mã nào. / Which code list."""

    OLD_63 = "gso-63"  # 2004 → 30/06/2025 (Quyết định 124/2004/QĐ-TTg)
    NEW_34 = "gso-34"  # từ 01/07/2025 (Quyết định 19/2025/QĐ-TTg)


def code_list_for(day: date) -> CodeList:
    """Danh mục áp dụng cho một ngày (hoặc một thời điểm có múi giờ, tính theo giờ Việt Nam).
    / The list in force on a day (or an aware datetime, taken in Vietnam's time zone).

    Một ``datetime`` không múi giờ bị từ chối: 23:30 UTC ngày 30/06 đã là 01/07 ở Hà Nội.
    / A naive ``datetime`` is refused: 23:30 UTC on 30 June is already 1 July in Hanoi.
    """
    if isinstance(day, datetime):
        if day.tzinfo is None or day.utcoffset() is None:
            raise CodeListDateError(
                f"a datetime needs a time zone to pick a code list (got naive {day.isoformat()}); "
                "pass a date or an aware datetime"
            )
        day = day.astimezone(TIME_ZONE).date()
    return CodeList.NEW_34 if day >= SWITCH_DATE else CodeList.OLD_63
