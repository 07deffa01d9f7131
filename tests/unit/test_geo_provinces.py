"""The province registry against the reference tables: codes, names, kinds, the 63 → 34 map."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from geo import CodeList, Kind, code_list_for, codes, predecessors, province, provinces, successor
from geo.errors import CodeListDateError, UnknownProvinceError
from geo.provinces import codes_that_changed_meaning

# Copied from reference/vietnam-admin-units.md by hand, not from geo/: the test is a second reading.
REFERENCE_63 = [
    f"{n:02d}"
    for n in (
        *(1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33),
        *(34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66),
        *(67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96),
    )
]
REFERENCE_34 = {
    "01": ("Hà Nội", Kind.CITY, "01"),
    "04": ("Cao Bằng", Kind.PROVINCE, "04"),
    "08": ("Tuyên Quang", Kind.PROVINCE, "02 08"),
    "11": ("Điện Biên", Kind.PROVINCE, "11"),
    "12": ("Lai Châu", Kind.PROVINCE, "12"),
    "14": ("Sơn La", Kind.PROVINCE, "14"),
    "15": ("Lào Cai", Kind.PROVINCE, "10 15"),
    "19": ("Thái Nguyên", Kind.PROVINCE, "06 19"),
    "20": ("Lạng Sơn", Kind.PROVINCE, "20"),
    "22": ("Quảng Ninh", Kind.PROVINCE, "22"),
    "24": ("Bắc Ninh", Kind.PROVINCE, "24 27"),
    "25": ("Phú Thọ", Kind.PROVINCE, "17 25 26"),
    "31": ("Hải Phòng", Kind.CITY, "30 31"),
    "33": ("Hưng Yên", Kind.PROVINCE, "33 34"),
    "37": ("Ninh Bình", Kind.PROVINCE, "35 36 37"),
    "38": ("Thanh Hóa", Kind.PROVINCE, "38"),
    "40": ("Nghệ An", Kind.PROVINCE, "40"),
    "42": ("Hà Tĩnh", Kind.PROVINCE, "42"),
    "44": ("Quảng Trị", Kind.PROVINCE, "44 45"),
    "46": ("Huế", Kind.CITY, "46"),
    "48": ("Đà Nẵng", Kind.CITY, "48 49"),
    "51": ("Quảng Ngãi", Kind.PROVINCE, "51 62"),
    "52": ("Gia Lai", Kind.PROVINCE, "52 64"),
    "56": ("Khánh Hòa", Kind.PROVINCE, "56 58"),
    "66": ("Đắk Lắk", Kind.PROVINCE, "54 66"),
    "68": ("Lâm Đồng", Kind.PROVINCE, "60 67 68"),
    "75": ("Đồng Nai", Kind.PROVINCE, "70 75"),
    "79": ("Hồ Chí Minh", Kind.CITY, "74 77 79"),
    "80": ("Tây Ninh", Kind.PROVINCE, "72 80"),
    "82": ("Đồng Tháp", Kind.PROVINCE, "82 87"),
    "86": ("Vĩnh Long", Kind.PROVINCE, "83 84 86"),
    "91": ("An Giang", Kind.PROVINCE, "89 91"),
    "92": ("Cần Thơ", Kind.CITY, "92 93 94"),
    "96": ("Cà Mau", Kind.PROVINCE, "95 96"),
}


def test_the_63_codes_are_exactly_the_reference_list() -> None:
    assert list(codes(CodeList.OLD_63)) == REFERENCE_63


def test_the_34_units_match_the_reference_table() -> None:
    assert list(codes(CodeList.NEW_34)) == list(REFERENCE_34)
    for code, (name, kind, parts) in REFERENCE_34.items():
        unit = province(code, CodeList.NEW_34)
        assert (unit.name_vi, unit.kind) == (name, kind), code
        assert [p.code for p in predecessors(code)] == parts.split(), code


def test_28_provinces_and_6_cities_since_the_switch() -> None:
    kinds = [p.kind for p in provinces(CodeList.NEW_34)]
    assert (kinds.count(Kind.PROVINCE), kinds.count(Kind.CITY)) == (28, 6)


def test_every_old_code_is_merged_exactly_once_and_each_seat_keeps_its_code() -> None:
    merged = [p.code for new in codes(CodeList.NEW_34) for p in predecessors(new)]
    assert sorted(merged) == REFERENCE_63
    for new in codes(CodeList.NEW_34):
        assert new in [p.code for p in predecessors(new)]
        assert all(successor(p.code).code == new for p in predecessors(new))


def test_seven_codes_name_a_different_province_after_the_switch() -> None:
    # Lào Cai 10→15, Bắc Ninh 27→24, Quảng Trị 45→44, Gia Lai 64→52, Tây Ninh 72→80,
    # Đồng Tháp 87→82, An Giang 89→91.
    moved = {"Lào Cai": ("10", "15"), "Bắc Ninh": ("27", "24"), "Quảng Trị": ("45", "44")}
    moved |= {"Gia Lai": ("64", "52"), "Tây Ninh": ("72", "80"), "Đồng Tháp": ("87", "82")}
    moved |= {"An Giang": ("89", "91")}
    assert codes_that_changed_meaning() == {new for _, new in moved.values()}
    for name, (old, new) in moved.items():
        assert province(old, CodeList.OLD_63).name_vi == name
        assert province(new, CodeList.NEW_34).name_vi == name
        assert province(new, CodeList.OLD_63).name_vi != name
        assert successor(old).code == new


def test_lookups_take_code_and_list_and_never_a_name() -> None:
    assert province("15", CodeList.OLD_63).name_vi == "Yên Bái"
    assert province("15", CodeList.NEW_34).name_vi == "Lào Cai"
    assert province("15", CodeList.NEW_34).key == ("15", CodeList.NEW_34)
    with pytest.raises(UnknownProvinceError, match=r"'Lào Cai' is not a GSO code of the gso-34"):
        province("Lào Cai", CodeList.NEW_34)
    with pytest.raises(UnknownProvinceError, match=r"'10' is not .* gso-34 list \(allowed: 01, 04"):
        province("10", CodeList.NEW_34)
    with pytest.raises(UnknownProvinceError, match=r"^1 is not a GSO code"):
        province(1, CodeList.OLD_63)  # type: ignore[arg-type]


def test_thua_thien_hue_became_tp_hue_on_1_january_2025_keeping_code_46() -> None:
    old = province("46", CodeList.OLD_63)
    assert (old.name_vi, old.kind, old.label_vi) == (
        "Thừa Thiên Huế",
        Kind.PROVINCE,
        "Thừa Thiên Huế",
    )
    assert old.on(date(2024, 12, 31)) == old
    renamed = old.on(date(2025, 1, 1))
    assert (renamed.code, renamed.code_list) == ("46", CodeList.OLD_63)
    assert (renamed.name_vi, renamed.name_en, renamed.kind) == ("Huế", "Hue", Kind.CITY)
    assert renamed.label_vi == "TP. Huế"
    assert province("46", CodeList.NEW_34).label_vi == "TP. Huế"
    assert successor("46").code == "46"


def test_names_carry_diacritics_in_one_normal_form_and_english_is_ascii() -> None:
    for unit in provinces(CodeList.OLD_63) + provinces(CodeList.NEW_34):
        assert unicodedata.is_normalized("NFC", unit.name_vi)
        assert unit.name_en.isascii()
    assert province("87", CodeList.OLD_63).name_vi == "Đồng Tháp"
    assert province("79", CodeList.NEW_34).label_vi == "TP. Hồ Chí Minh"
    assert province("56", CodeList.NEW_34).label_vi == "Khánh Hòa"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (date(2025, 6, 30), CodeList.OLD_63),
        (date(2025, 7, 1), CodeList.NEW_34),
        (date(2004, 1, 1), CodeList.OLD_63),
        # 17:30 UTC on 30 June is 00:30 on 1 July in Hanoi (UTC+7).
        (datetime(2025, 6, 30, 17, 30, tzinfo=UTC), CodeList.NEW_34),
        (datetime(2025, 6, 30, 16, 59, tzinfo=UTC), CodeList.OLD_63),
        (datetime(2025, 7, 1, 0, 30, tzinfo=timezone(timedelta(hours=9))), CodeList.OLD_63),
    ],
    ids=["last-old-day", "switch-day", "2004", "utc-evening", "utc-before", "tokyo-midnight"],
)
def test_code_list_for_a_day_in_vietnam(moment: date, expected: CodeList) -> None:
    assert code_list_for(moment) is expected


def test_a_naive_datetime_has_no_vietnamese_day() -> None:
    with pytest.raises(CodeListDateError, match="needs a time zone"):
        code_list_for(datetime(2025, 7, 1, 0, 30))
