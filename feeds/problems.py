"""The codes that name what is wrong with a report, and what each says in Vietnamese and English.

Two enums, one place: ``Problem`` names one bad field of one row (``RowProblem.problem`` in
the API's 422 details; the ``problem`` key of an error detail), ``Rejection`` names why a
whole batch or file was refused (the error envelope's ``code``). The codes are the API's
contract (clients branch on them); the texts are what an agency reads in a rejected file's
``.errors.txt`` (``feeds.folder_errors``). A code added here without texts fails at import.
"""

from __future__ import annotations

from enum import StrEnum


class Problem(StrEnum):
    """One bad field of one row. Observations and incidents share the codes they have in common."""

    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_INDICATOR = "unknown_indicator"
    NOT_PERMITTED = "not_permitted"
    MISSING = "missing"
    UNKNOWN_CODE_LIST = "unknown_code_list"
    UNKNOWN_PROVINCE = "unknown_province"
    MALFORMED_PERIOD = "malformed_period"
    WRONG_FREQUENCY = "wrong_frequency"
    FUTURE_PERIOD = "future_period"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    BAD_REVISION = "bad_revision"
    BAD_NOTE = "bad_note"
    DUPLICATE = "duplicate"

    @property
    def vi(self) -> str:
        return _PROBLEM_TEXTS[self][0]

    @property
    def en(self) -> str:
        return _PROBLEM_TEXTS[self][1]


class Rejection(StrEnum):
    """Why a whole batch or file was refused: the ``code`` of the error envelope."""

    INVALID_OBSERVATIONS = "invalid_observations"
    MALFORMED_CSV = "malformed_csv"
    MALFORMED_XLSX = "malformed_xlsx"
    BATCH_TOO_LARGE = "batch_too_large"
    FILE_TOO_LARGE = "file_too_large"
    REVISION_CONFLICT = "revision_conflict"

    @property
    def vi(self) -> str:
        return _REJECTION_TEXTS[self][0]

    @property
    def en(self) -> str:
        return _REJECTION_TEXTS[self][1]


# (vi, en) per code. Sentences an agency's clerk reads, not identifiers.
_PROBLEM_TEXTS: dict[Problem, tuple[str, str]] = {
    Problem.NOT_AN_OBJECT: ("Dòng không đúng cấu trúc", "The row is not a record"),
    Problem.UNKNOWN_FIELD: ("Cột không được hỗ trợ", "Unknown column"),
    Problem.UNKNOWN_INDICATOR: (
        "Mã chỉ tiêu không có trong danh mục",
        "Indicator not in the catalogue",
    ),
    Problem.NOT_PERMITTED: (
        "Cơ quan không được phép báo cáo chỉ tiêu/địa bàn này",
        "The agency may not report this indicator or area",
    ),
    Problem.MISSING: ("Thiếu giá trị", "Missing value"),
    Problem.UNKNOWN_CODE_LIST: ("Danh mục mã tỉnh không hợp lệ", "Unknown province code list"),
    Problem.UNKNOWN_PROVINCE: ("Mã tỉnh không tồn tại", "Unknown province code"),
    Problem.MALFORMED_PERIOD: ("Kỳ báo cáo sai định dạng", "Malformed period"),
    Problem.WRONG_FREQUENCY: (
        "Kỳ báo cáo không đúng tần suất của chỉ tiêu",
        "Period of the wrong frequency for the indicator",
    ),
    Problem.FUTURE_PERIOD: ("Kỳ báo cáo chưa đến", "Period in the future"),
    Problem.NOT_A_NUMBER: ("Giá trị không phải là số", "Value is not a number"),
    Problem.OUT_OF_RANGE: (
        "Giá trị nằm ngoài khoảng hợp lệ của chỉ tiêu",
        "Value outside the indicator's valid range",
    ),
    Problem.BAD_REVISION: ("Số lần điều chỉnh không hợp lệ", "Bad revision number"),
    Problem.BAD_NOTE: ("Ghi chú không hợp lệ", "Bad note"),
    Problem.DUPLICATE: (
        "Trùng (chỉ tiêu, địa bàn, kỳ) với một dòng khác trong tệp",
        "Same (indicator, area, period) as another row of the file",
    ),
}

_REJECTION_TEXTS: dict[Rejection, tuple[str, str]] = {
    Rejection.INVALID_OBSERVATIONS: ("Số liệu không hợp lệ", "Invalid observations"),
    Rejection.MALFORMED_CSV: ("Tệp CSV sai cấu trúc", "Malformed CSV file"),
    Rejection.MALFORMED_XLSX: ("Tệp Excel sai cấu trúc", "Malformed Excel workbook"),
    Rejection.BATCH_TOO_LARGE: ("Tệp có quá nhiều dòng", "Too many rows in the file"),
    Rejection.FILE_TOO_LARGE: ("Tệp quá lớn", "File too large"),
    Rejection.REVISION_CONFLICT: (
        "Mâu thuẫn với lần điều chỉnh đã lưu",
        "Conflicts with a stored revision",
    ),
}

# Every code has its two texts: a new code without them would print a KeyError to an agency.
if set(_PROBLEM_TEXTS) != set(Problem) or set(_REJECTION_TEXTS) != set(Rejection):
    raise RuntimeError("feeds.problems: a code has no (vi, en) texts")

REJECTED_FILE = ("Tệp bị từ chối", "File rejected")  # a code outside ``Rejection``


def rejection_texts(code: str) -> tuple[str, str]:
    """(vi, en) for an error envelope's ``code``; a generic pair for a code not listed."""
    try:
        found = Rejection(code)
    except ValueError:
        return REJECTED_FILE
    return found.vi, found.en


def problem_texts(code: str, fallback: tuple[str, str]) -> tuple[str, str]:
    """(vi, en) for a detail's ``problem`` code; ``fallback`` for one not listed (incidents'
    own codes, or none)."""
    try:
        found = Problem(code)
    except ValueError:
        return fallback
    return found.vi, found.en
