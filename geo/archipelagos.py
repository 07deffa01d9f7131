"""Quần đảo Hoàng Sa và Trường Sa: dữ kiện, tỉnh chủ quản, nhãn.
/ The Hoàng Sa and Trường Sa archipelagos: facts, parent unit, labels.

Bản đồ chính thức của Việt Nam luôn vẽ hai quần đảo là của Việt Nam; tường hình cũng vậy. Cả
hai mã tỉnh chủ quản (48, 56) có mặt ở cả hai danh mục, nên nhãn không đổi qua ngày chuyển.
/ Vietnam's official maps always draw both as Vietnamese, and so does the wall. Both parent
codes (48, 56) exist in both code lists, so the labels hold across the switch.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.codelists import CodeList
from geo.provinces import Province, province


@dataclass(frozen=True)
class Archipelago:
    """Một quần đảo và đơn vị chủ quản. / One archipelago and the unit it belongs to."""

    key: str
    name_vi: str
    name_en: str
    parent_code: str
    # (kinh độ, vĩ độ) tâm nhãn; (tây, nam, đông, bắc) phạm vi — CIA World Factbook.
    # / (lon, lat) label centre; (west, south, east, north) extent — CIA World Factbook.
    centre: tuple[float, float]
    extent: tuple[float, float, float, float]

    def parent(self, code_list: CodeList = CodeList.NEW_34) -> Province:
        """Đơn vị chủ quản trong một danh mục. / The parent unit in a code list."""
        return province(self.parent_code, code_list)

    @property
    def label_vi(self) -> str:
        """ "QĐ. Hoàng Sa (TP. Đà Nẵng)" """
        short = self.name_vi.removeprefix("Quần đảo ")
        return f"QĐ. {short} ({self.parent().label_vi})"

    @property
    def label_en(self) -> str:
        """ "Hoang Sa (Paracel) Islands (Da Nang)" """
        return f"{self.name_en} ({self.parent().name_en})"


HOANG_SA = Archipelago(
    key="hoang-sa",
    name_vi="Quần đảo Hoàng Sa",
    name_en="Hoang Sa (Paracel) Islands",
    parent_code="48",
    centre=(112.0, 16.5),  # 16°30′N 112°00′E
    extent=(111.0, 15.8, 113.0, 17.0),
)
TRUONG_SA = Archipelago(
    key="truong-sa",
    name_vi="Quần đảo Trường Sa",
    name_en="Truong Sa (Spratly) Islands",
    parent_code="56",
    centre=(111.0 + 55 / 60, 8.0 + 38 / 60),  # đảo Trường Sa Lớn, 8°38′N 111°55′E
    extent=(111.9, 7.5, 115.9, 11.5),
)
ARCHIPELAGOS: tuple[Archipelago, ...] = (HOANG_SA, TRUONG_SA)
