"""An Excel workbook (.xlsx) turned into the raw rows ``feeds.ingest`` checks, like a CSV.

The sheet read is the one named ``observations`` if there is one, else the first. Row 1 is
the header, with the CSV's columns (``feeds.csv_batch``); each later row that is not empty
is one raw row, and its sheet row number is its line. Cells keep what Excel typed where
``validate_batch`` takes it (a number stays a number), with three repairs for what Excel
does to codes typed into a cell:

* a whole-number ``area_code`` (Excel drops the leading zero of "01") becomes two digits;
* a whole-number ``period`` (a year typed as 2025) or ``revision`` becomes its digits;
* a date cell becomes ``YYYY-MM-DD`` (a daily period); for a month, type the text "2025-10".

Every structural problem (unknown, missing or repeated column, a value right of the
header's columns) is collected with its row before ``MalformedExcel`` is raised.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from datetime import date, datetime, time
from typing import Any

from command_center.errors import RequestError
from feeds.csv_batch import RawBatch, check_header
from feeds.field_rules import FIELDS
from feeds.ingest import MAX_ROWS, check_size
from feeds.problems import Rejection

SHEET = "observations"


class MalformedExcel(RequestError):
    status = 400
    code: str = Rejection.MALFORMED_XLSX.value


# A workbook is a zip: its size says little about what it expands to. These bound what
# openpyxl may inflate (10,000 rows of the push API's columns are ~2 MB of sheet XML).
MAX_ENTRIES = 200
MAX_ENTRY_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, per entry


def check_archive(body: bytes) -> None:
    """Refuse a zip bomb from its central directory, before anything is inflated (the
    declared sizes bound what zipfile will ever produce, so they can be trusted)."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise MalformedExcel(
            f"not a readable .xlsx workbook: {exc}",
            [{"field": "file", "expected": "an Excel .xlsx workbook", "got": type(exc).__name__}],
        ) from None
    problems: list[dict[str, object]] = []
    if len(entries) > MAX_ENTRIES:
        problems.append(
            {"field": "file", "expected": f"at most {MAX_ENTRIES} parts", "got": len(entries)}
        )
    total = sum(e.file_size for e in entries)
    if total > MAX_TOTAL_BYTES:
        problems.append(
            {"field": "file", "expected": f"at most {MAX_TOTAL_BYTES} bytes unpacked", "got": total}
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > MAX_ENTRY_BYTES or ratio > MAX_RATIO:
            problems.append(
                {
                    "field": entry.filename[:128],
                    "expected": f"at most {MAX_ENTRY_BYTES} bytes and {MAX_RATIO}× compression",
                    "got": f"{entry.file_size} bytes, {ratio:.0f}×",
                }
            )
    if problems:
        raise MalformedExcel(
            "workbook refused before opening: it would unpack to more than a report holds "
            "(a zip bomb?): " + "; ".join(f"{p['field']}: {p['got']}" for p in problems[:5]),
            problems,
        )


def parse_xlsx(body: bytes) -> RawBatch:
    """The raw rows of the workbook, or ``MalformedExcel`` naming every structural problem."""
    # openpyxl has no stubs; it is imported here so the wall starts without it.
    import openpyxl

    check_archive(body)
    try:
        with warnings.catch_warnings():
            # Style and extension warnings say nothing about the data.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise MalformedExcel(
            f"not a readable .xlsx workbook: {exc}",
            [{"field": "file", "expected": "an Excel .xlsx workbook", "got": type(exc).__name__}],
        ) from None
    try:
        return _read(workbook)
    finally:
        workbook.close()


def _read(workbook: Any) -> RawBatch:
    sheets = workbook.worksheets
    if not sheets:
        raise MalformedExcel("the workbook has no worksheet")
    sheet = next((s for s in sheets if s.title.strip().lower() == SHEET), sheets[0])
    records = sheet.iter_rows(values_only=True)
    header = next(records, None)
    problems: list[dict[str, object]] = []
    columns = [_text(cell).strip() for cell in header or ()]
    while columns and not columns[-1]:
        columns.pop()  # blank cells right of the header
    if not columns:
        raise MalformedExcel(
            f"sheet '{sheet.title}' has no header in row 1: expected " + ",".join(FIELDS),
            [{"line": 1, "field": "header", "expected": ",".join(FIELDS), "got": None}],
        )
    check_header(columns, problems)
    if problems:
        raise MalformedExcel(
            f"sheet '{sheet.title}' header is wrong: " + _summary(problems), problems
        )
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for number, record in enumerate(records, start=2):
        cells = list(record)
        if not any(_filled(c) for c in cells):
            continue
        beyond = [c for c in cells[len(columns) :] if _filled(c)]
        if beyond:
            problems.append(
                {
                    "line": number,
                    "field": "row",
                    "expected": f"values only in the {len(columns)} header columns",
                    "got": _jsonable(beyond[0]),
                }
            )
            continue
        cells += [None] * (len(columns) - len(cells))
        rows.append({name: _cell(name, cells[i]) for i, name in enumerate(columns)})
        lines.append(number)
        if len(rows) > MAX_ROWS:
            check_size(len(rows))  # stop reading a huge sheet early
    if problems:
        raise MalformedExcel(
            f"sheet '{sheet.title}' rows are malformed: " + _summary(problems), problems
        )
    return RawBatch(rows, lines)


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _whole(cell: object) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return None


def _cell(column: str, cell: object) -> Any:
    """What ``validate_batch`` should see for one cell of ``column``."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat()
    if isinstance(cell, date | time):
        return cell.isoformat()
    whole = _whole(cell)
    if whole is not None and whole >= 0:
        if column == "area_code":
            return f"{whole:02d}"
        if column in ("period", "revision", "indicator", "code_list", "note"):
            return str(whole)
    if isinstance(cell, str | int | float | bool):
        return cell
    return _text(cell)


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)


def _jsonable(cell: object) -> object:
    return cell if isinstance(cell, str | int | float | bool) or cell is None else str(cell)


def _summary(problems: list[dict[str, object]]) -> str:
    return "; ".join(
        f"row {p['line']}: {p['field']}: expected {p['expected']} (got {p.get('got')!r})"
        for p in problems[:5]
    )
