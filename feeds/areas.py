"""The nine thematic areas of the Prime Minister's indicator set (Bộ chỉ tiêu, 200 indicators).

The printed list reads as ten items; merging the last pair (infrastructure, science and
technology) gives the nine the set announces. That grouping is unverified, see the reference.
"""

from __future__ import annotations

from enum import StrEnum


class ThematicArea(StrEnum):
    GROWTH = "growth"
    PUBLIC_FINANCE = "public_finance"
    MACRO_STABILITY = "macro_stability"
    BUSINESS_ENVIRONMENT = "business_environment"
    LABOUR = "labour"
    SOCIAL = "social"
    ENVIRONMENT = "environment"
    PUBLIC_ADMINISTRATION = "public_administration"
    INFRASTRUCTURE_SCIENCE = "infrastructure_science"

    @property
    def name_vi(self) -> str:
        return _NAMES[self][0]

    @property
    def name_en(self) -> str:
        return _NAMES[self][1]


_NAMES = {
    ThematicArea.GROWTH: ("Tăng trưởng kinh tế", "Economic growth"),
    ThematicArea.PUBLIC_FINANCE: ("Tài chính công", "Public finance"),
    ThematicArea.MACRO_STABILITY: ("Ổn định kinh tế vĩ mô", "Macroeconomic stability"),
    ThematicArea.BUSINESS_ENVIRONMENT: ("Môi trường kinh doanh", "Business environment"),
    ThematicArea.LABOUR: ("Lao động, việc làm", "Labour and employment"),
    ThematicArea.SOCIAL: ("Các vấn đề xã hội", "Social issues"),
    ThematicArea.ENVIRONMENT: ("Môi trường", "Environment"),
    ThematicArea.PUBLIC_ADMINISTRATION: (
        "Hành chính công phục vụ người dân",
        "Public administration serving citizens",
    ),
    ThematicArea.INFRASTRUCTURE_SCIENCE: (
        "Kết cấu hạ tầng và khoa học công nghệ",
        "Infrastructure, science and technology",
    ),
}
