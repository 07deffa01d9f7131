"""Bản đồ tỉnh của tường hình: danh mục tỉnh (63 và 34), quy đổi, ranh giới.
/ The wall's provincial maps: the province registry (63 and 34), conversion, boundaries.

Không import gì khác của dự án. / Imports nothing else of this project.
"""

from geo.codelists import SWITCH_DATE, CodeList, code_list_for
from geo.conversion import Aggregation, convert, convert_to_34
from geo.provinces import Kind, Province, codes, predecessors, province, provinces, successor

__all__ = [
    "SWITCH_DATE",
    "Aggregation",
    "CodeList",
    "Kind",
    "Province",
    "code_list_for",
    "codes",
    "convert",
    "convert_to_34",
    "predecessors",
    "province",
    "provinces",
    "successor",
]
