"""Lỗi của gói bản đồ tỉnh. / The errors of the provincial-map package.

    GeoError
    ├── UnknownProvinceError     một mã không có trong danh mục đã nêu / a code not in the named list
    ├── CodeListDateError        một thời điểm không quy được về ngày Việt Nam / a time with no Vietnamese date
    ├── ConversionError          không quy đổi được chuỗi số liệu / a series cannot be converted
    │   └── ConversionRefusedError   đổi 34 → 63: không bao giờ / 34 → 63: never
    ├── BoundaryDataError        tệp ranh giới dẫn xuất hỏng hoặc thiếu / a derived boundary file is bad
    └── SourceDataError          nguồn đa giác không như bản dựng chờ đợi / the polygon source surprised the build

`geo` không import gì khác của dự án (kể cả cây lỗi của `command_center`), nên nó có cây lỗi
riêng; lớp gọi có thể bọc lại. Mỗi thông điệp nêu điều được phép và điều đã nhận.
/ `geo` imports nothing else of ours, so it has its own tree; callers may wrap it. Each message
names what was allowed and what arrived.
"""

from __future__ import annotations


class GeoError(Exception):
    """Gốc mọi lỗi có chủ đích của `geo`. / Base of every error `geo` raises on purpose."""


class UnknownProvinceError(GeoError, KeyError):
    """Mã không thuộc danh mục đã nêu. / A code that is not in the named code list.

    Cũng là ``KeyError`` vì đây là một lần tra cứu hỏng. / Also a ``KeyError``: a failed lookup.
    """

    def __init__(self, code: object, code_list: str, allowed: tuple[str, ...]) -> None:
        self.code = code
        self.code_list = code_list
        self.allowed = allowed
        super().__init__(
            f"{code!r} is not a GSO code of the {code_list} list "
            f"(allowed: {', '.join(allowed)}); codes are 2-digit strings such as '01'"
        )

    def __str__(self) -> str:  # KeyError would quote the whole message again
        return str(self.args[0])


class CodeListDateError(GeoError, ValueError):
    """Một thời điểm không có múi giờ: ngày ở Việt Nam là ngày nào thì không rõ.
    / A naive datetime: which Vietnamese calendar day it falls on is unknown."""


class ConversionError(GeoError, ValueError):
    """Không quy đổi được một chuỗi số liệu theo tỉnh. / A per-province series cannot be converted."""


class ConversionRefusedError(ConversionError):
    """Đổi ngược 34 → 63 bị từ chối. / Converting from the 34 back to the 63 is refused."""


class BoundaryDataError(GeoError):
    """Tệp ranh giới dẫn xuất thiếu, hỏng, hoặc lệch danh mục. / A derived boundary file is
    missing, corrupt, or disagrees with the registry."""


class SourceDataError(GeoError):
    """Nguồn đa giác (gói npm) khác điều bản dựng chờ đợi: sai checksum, thiếu đối tượng, một đảo
    không khớp. / The polygon source differs from what the build expects: a wrong checksum, a
    missing feature, an island that matches nothing."""
