"""Bảng dữ kiện: 63 tỉnh cũ, 34 tỉnh mới và nguồn gốc sáp nhập.
/ The fact table: the 63 old units, the 34 new ones and what each merged from.

Nguồn: reference/vietnam-admin-units.md (Nghị quyết 202/2025/QH15, Quyết định 19/2025/QĐ-TTg).
Chỉ dữ liệu, không logic; `geo.provinces` kiểm tra và tra cứu. Bảng Python có kiểu thay cho YAML
để mypy bắt lỗi gõ và không cần đọc tệp lúc chạy.
/ Data only; `geo.provinces` checks and serves it. A typed Python table rather than YAML so mypy
sees typos and nothing is read from disk at run time.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

KindName = Literal["tỉnh", "thành phố"]
T: Final = "tỉnh"
TP: Final = "thành phố"

# (mã GSO, tên tiếng Việt, tên tiếng Anh, loại) / (GSO code, Vietnamese, English, kind)
OLD_63: Final[tuple[tuple[str, str, str, KindName], ...]] = (
    ("01", "Hà Nội", "Hanoi", TP),
    ("02", "Hà Giang", "Ha Giang", T),
    ("04", "Cao Bằng", "Cao Bang", T),
    ("06", "Bắc Kạn", "Bac Kan", T),
    ("08", "Tuyên Quang", "Tuyen Quang", T),
    ("10", "Lào Cai", "Lao Cai", T),
    ("11", "Điện Biên", "Dien Bien", T),
    ("12", "Lai Châu", "Lai Chau", T),
    ("14", "Sơn La", "Son La", T),
    ("15", "Yên Bái", "Yen Bai", T),
    ("17", "Hòa Bình", "Hoa Binh", T),
    ("19", "Thái Nguyên", "Thai Nguyen", T),
    ("20", "Lạng Sơn", "Lang Son", T),
    ("22", "Quảng Ninh", "Quang Ninh", T),
    ("24", "Bắc Giang", "Bac Giang", T),
    ("25", "Phú Thọ", "Phu Tho", T),
    ("26", "Vĩnh Phúc", "Vinh Phuc", T),
    ("27", "Bắc Ninh", "Bac Ninh", T),
    ("30", "Hải Dương", "Hai Duong", T),
    ("31", "Hải Phòng", "Hai Phong", TP),
    ("33", "Hưng Yên", "Hung Yen", T),
    ("34", "Thái Bình", "Thai Binh", T),
    ("35", "Hà Nam", "Ha Nam", T),
    ("36", "Nam Định", "Nam Dinh", T),
    ("37", "Ninh Bình", "Ninh Binh", T),
    ("38", "Thanh Hóa", "Thanh Hoa", T),
    ("40", "Nghệ An", "Nghe An", T),
    ("42", "Hà Tĩnh", "Ha Tinh", T),
    ("44", "Quảng Bình", "Quang Binh", T),
    ("45", "Quảng Trị", "Quang Tri", T),
    ("46", "Thừa Thiên Huế", "Thua Thien Hue", T),  # TP Huế từ 01/01/2025: HUE_RENAMING
    ("48", "Đà Nẵng", "Da Nang", TP),
    ("49", "Quảng Nam", "Quang Nam", T),
    ("51", "Quảng Ngãi", "Quang Ngai", T),
    ("52", "Bình Định", "Binh Dinh", T),
    ("54", "Phú Yên", "Phu Yen", T),
    ("56", "Khánh Hòa", "Khanh Hoa", T),
    ("58", "Ninh Thuận", "Ninh Thuan", T),
    ("60", "Bình Thuận", "Binh Thuan", T),
    ("62", "Kon Tum", "Kon Tum", T),
    ("64", "Gia Lai", "Gia Lai", T),
    ("66", "Đắk Lắk", "Dak Lak", T),
    ("67", "Đắk Nông", "Dak Nong", T),
    ("68", "Lâm Đồng", "Lam Dong", T),
    ("70", "Bình Phước", "Binh Phuoc", T),
    ("72", "Tây Ninh", "Tay Ninh", T),
    ("74", "Bình Dương", "Binh Duong", T),
    ("75", "Đồng Nai", "Dong Nai", T),
    ("77", "Bà Rịa - Vũng Tàu", "Ba Ria - Vung Tau", T),
    ("79", "Hồ Chí Minh", "Ho Chi Minh City", TP),
    ("80", "Long An", "Long An", T),
    ("82", "Tiền Giang", "Tien Giang", T),
    ("83", "Bến Tre", "Ben Tre", T),
    ("84", "Trà Vinh", "Tra Vinh", T),
    ("86", "Vĩnh Long", "Vinh Long", T),
    ("87", "Đồng Tháp", "Dong Thap", T),
    ("89", "An Giang", "An Giang", T),
    ("91", "Kiên Giang", "Kien Giang", T),
    ("92", "Cần Thơ", "Can Tho", TP),
    ("93", "Hậu Giang", "Hau Giang", T),
    ("94", "Sóc Trăng", "Soc Trang", T),
    ("95", "Bạc Liêu", "Bac Lieu", T),
    ("96", "Cà Mau", "Ca Mau", T),
)

# Thừa Thiên Huế thành TP Huế ngày 01/01/2025, giữ mã 46 (vẫn trong danh mục 63).
# / Thừa Thiên Huế became TP Huế on 2025-01-01, code 46 kept (still inside the 63 list's life).
HUE_RENAMING: Final = ("46", date(2025, 1, 1), "Huế", "Hue", TP)

# (mã mới, tên, tên tiếng Anh, loại, mã cũ hợp thành) / (new code, names, kind, old codes)
# Đơn vị sáp nhập lấy mã của tỉnh cũ đặt trụ sở: mã ấy luôn nằm trong các mã hợp thành.
# / A merged unit takes the code of the old unit holding its seat: always one of its parts.
NEW_34: Final[tuple[tuple[str, str, str, KindName, tuple[str, ...]], ...]] = (
    ("01", "Hà Nội", "Hanoi", TP, ("01",)),
    ("04", "Cao Bằng", "Cao Bang", T, ("04",)),
    ("08", "Tuyên Quang", "Tuyen Quang", T, ("02", "08")),
    ("11", "Điện Biên", "Dien Bien", T, ("11",)),
    ("12", "Lai Châu", "Lai Chau", T, ("12",)),
    ("14", "Sơn La", "Son La", T, ("14",)),
    ("15", "Lào Cai", "Lao Cai", T, ("10", "15")),
    ("19", "Thái Nguyên", "Thai Nguyen", T, ("06", "19")),
    ("20", "Lạng Sơn", "Lang Son", T, ("20",)),
    ("22", "Quảng Ninh", "Quang Ninh", T, ("22",)),
    ("24", "Bắc Ninh", "Bac Ninh", T, ("24", "27")),
    ("25", "Phú Thọ", "Phu Tho", T, ("17", "25", "26")),
    ("31", "Hải Phòng", "Hai Phong", TP, ("30", "31")),
    ("33", "Hưng Yên", "Hung Yen", T, ("33", "34")),
    ("37", "Ninh Bình", "Ninh Binh", T, ("35", "36", "37")),
    ("38", "Thanh Hóa", "Thanh Hoa", T, ("38",)),
    ("40", "Nghệ An", "Nghe An", T, ("40",)),
    ("42", "Hà Tĩnh", "Ha Tinh", T, ("42",)),
    ("44", "Quảng Trị", "Quang Tri", T, ("44", "45")),
    ("46", "Huế", "Hue", TP, ("46",)),
    ("48", "Đà Nẵng", "Da Nang", TP, ("48", "49")),
    ("51", "Quảng Ngãi", "Quang Ngai", T, ("51", "62")),
    ("52", "Gia Lai", "Gia Lai", T, ("52", "64")),
    ("56", "Khánh Hòa", "Khanh Hoa", T, ("56", "58")),
    ("66", "Đắk Lắk", "Dak Lak", T, ("54", "66")),
    ("68", "Lâm Đồng", "Lam Dong", T, ("60", "67", "68")),
    ("75", "Đồng Nai", "Dong Nai", T, ("70", "75")),
    ("79", "Hồ Chí Minh", "Ho Chi Minh City", TP, ("74", "77", "79")),
    ("80", "Tây Ninh", "Tay Ninh", T, ("72", "80")),
    ("82", "Đồng Tháp", "Dong Thap", T, ("82", "87")),
    ("86", "Vĩnh Long", "Vinh Long", T, ("83", "84", "86")),
    ("91", "An Giang", "An Giang", T, ("89", "91")),
    ("92", "Cần Thơ", "Can Tho", TP, ("92", "93", "94")),
    ("96", "Cà Mau", "Ca Mau", T, ("95", "96")),
)
