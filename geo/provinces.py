"""Danh mục tỉnh: hai danh mục mã, tên, loại, và phép chuyển 63 → 34.
/ The province registry: both code lists, names, kinds, and the 63 → 34 mapping.

Mọi tra cứu theo (mã, danh mục), không bao giờ theo tên: tên có thể trùng giữa hai danh mục
mà chỉ vùng đất khác (Lào Cai 10 cũ ≠ Lào Cai 15 mới). Sổ đăng ký bất biến, dựng một lần khi
import từ `geo.province_table`.
/ Every lookup is by (code, code list), never by name: one name can mean different land in the
two lists (old Lào Cai 10 ≠ new Lào Cai 15). The registry is immutable, built once at import.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from geo import province_table
from geo.codelists import SWITCH_DATE, CodeList
from geo.errors import UnknownProvinceError


class Kind(StrEnum):
    """Tỉnh hay thành phố trực thuộc trung ương. / Province or centrally-run city."""

    PROVINCE = "tỉnh"
    CITY = "thành phố"


@dataclass(frozen=True)
class Renaming:
    """Một lần đổi tên/loại giữ nguyên mã và đất. / A rename keeping the code and the land."""

    on: date
    name_vi: str
    name_en: str
    kind: Kind


@dataclass(frozen=True)
class Province:
    """Một đơn vị cấp tỉnh trong một danh mục. / One provincial unit of one code list."""

    code: str
    code_list: CodeList
    name_vi: str
    name_en: str
    kind: Kind
    renaming: Renaming | None = None

    @property
    def key(self) -> tuple[str, CodeList]:
        """Khóa nối số liệu. / The key to join data on."""
        return (self.code, self.code_list)

    @property
    def label_vi(self) -> str:
        """Nhãn trên bản đồ: "TP. Đà Nẵng", "Khánh Hòa". / The map label in Vietnamese."""
        return f"TP. {self.name_vi}" if self.kind is Kind.CITY else self.name_vi

    def on(self, day: date) -> Province:
        """Tên và loại như ngày `day`. / Names and kind as they were on `day`."""
        r = self.renaming
        if r is None or day < r.on:
            return self
        return dataclasses.replace(
            self, name_vi=r.name_vi, name_en=r.name_en, kind=r.kind, renaming=None
        )


def _nfc(text: str) -> str:
    # Dấu tiếng Việt có hai cách mã hóa; giữ một (NFC) để so sánh chuỗi đúng.
    # / Vietnamese diacritics have two encodings; keep one (NFC) so strings compare equal.
    return unicodedata.normalize("NFC", text)


def _build() -> tuple[
    Mapping[CodeList, Mapping[str, Province]],
    Mapping[str, str],
    Mapping[str, tuple[str, ...]],
]:
    code, day, name_vi, name_en, kind = province_table.HUE_RENAMING
    hue = Renaming(day, _nfc(name_vi), name_en, Kind(kind))
    old = {
        c: Province(c, CodeList.OLD_63, _nfc(vi), en, Kind(k), hue if c == code else None)
        for c, vi, en, k in province_table.OLD_63
    }
    new = {
        c: Province(c, CodeList.NEW_34, _nfc(vi), en, Kind(k))
        for c, vi, en, k, _ in province_table.NEW_34
    }
    parts = {c: parts for c, _, _, _, parts in province_table.NEW_34}
    merged_into = {old_code: c for c, ps in parts.items() for old_code in ps}
    by_list = {CodeList.OLD_63: MappingProxyType(old), CodeList.NEW_34: MappingProxyType(new)}
    return MappingProxyType(by_list), MappingProxyType(merged_into), MappingProxyType(parts)


_BY_LIST, _MERGED_INTO, _PARTS = _build()


def province(code: str, code_list: CodeList) -> Province:
    """Đơn vị có mã `code` trong `code_list`. / The unit with `code` in `code_list`."""
    units = _BY_LIST[CodeList(code_list)]
    found = units.get(code) if isinstance(code, str) else None
    if found is None:
        raise UnknownProvinceError(code, str(code_list), tuple(units))
    return found


def provinces(code_list: CodeList) -> tuple[Province, ...]:
    """Mọi đơn vị của một danh mục, theo thứ tự mã. / All units of a list, in code order."""
    return tuple(_BY_LIST[CodeList(code_list)].values())


def codes(code_list: CodeList) -> tuple[str, ...]:
    """Mọi mã của một danh mục. / Every code of a list, in order."""
    return tuple(_BY_LIST[CodeList(code_list)])


def successor(old_code: str) -> Province:
    """Đơn vị mới (34) mà đơn vị cũ `old_code` (63) nhập vào. / The 34-list unit it went into."""
    province(old_code, CodeList.OLD_63)  # raises with the allowed codes
    return _BY_LIST[CodeList.NEW_34][_MERGED_INTO[old_code]]


def predecessors(new_code: str) -> tuple[Province, ...]:
    """Các đơn vị cũ (63) hợp thành `new_code` (34). / The 63-list units `new_code` formed from."""
    province(new_code, CodeList.NEW_34)
    return tuple(_BY_LIST[CodeList.OLD_63][c] for c in _PARTS[new_code])


def codes_that_changed_meaning() -> frozenset[str]:
    """Mã có mặt ở cả hai danh mục nhưng gọi tên tỉnh khác (15, 24, 44, 52, 80, 82, 91).
    / Codes in both lists that name a different province after the switch."""
    last_old_day = date.fromordinal(SWITCH_DATE.toordinal() - 1)
    old, new = _BY_LIST[CodeList.OLD_63], _BY_LIST[CodeList.NEW_34]
    return frozenset(
        c for c in new if c in old and old[c].on(last_old_day).name_vi != new[c].name_vi
    )
