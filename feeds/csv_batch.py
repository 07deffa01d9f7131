"""A CSV upload turned into the raw rows ``feeds.ingest`` checks, with their line numbers.

Header (any order; ``indicator``, ``period`` and ``value`` required)::

    indicator,area_code,code_list,period,value,revision,note

An empty ``area_code`` is the national value. UTF-8, with or without Excel's byte-order
mark. Every structural problem (unknown column, wrong field count, broken quoting) is
collected with its line before ``MalformedCsv`` is raised.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from command_center.errors import MAX_DETAILS, RequestError
from feeds.field_rules import FIELDS, REQUIRED
from feeds.ingest import MAX_ROWS, check_size
from feeds.problems import Rejection


class MalformedCsv(RequestError):
    status = 400
    code: str = Rejection.MALFORMED_CSV.value


@dataclass(frozen=True)
class RawBatch:
    """The raw rows of a CSV file or an Excel sheet (``excel_batch``), as ``feeds.ingest``
    checks them, each with where it stood: its file line or sheet row (the header is 1)."""

    rows: list[dict[str, Any]]
    lines: list[int]


def parse_csv(body: bytes) -> RawBatch:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedCsv(
            f"CSV must be UTF-8: byte {exc.start} is not ({exc.reason})",
            [{"line": text_line(body, exc.start), "field": "file", "expected": "UTF-8"}],
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[dict[str, object]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise MalformedCsv("CSV is empty: expected the header " + ",".join(FIELDS))
        columns = [name.strip() for name in header]
        check_header(columns, problems)
        if problems:
            raise MalformedCsv("CSV header is wrong: " + _summary(problems), problems)
        rows: list[dict[str, Any]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        uncounted = 0  # bad rows past the listed ones: counted, not kept
        for record in reader:
            if record and any(cell.strip() for cell in record):
                if len(record) != len(columns):
                    if len(problems) >= MAX_DETAILS:
                        uncounted += 1
                    else:
                        problems.append(
                            {
                                "line": start,
                                "field": "row",
                                "expected": f"{len(columns)} fields",
                                "got": len(record),
                            }
                        )
                else:
                    rows.append(dict(zip(columns, record, strict=True)))
                    lines.append(start)
                    if len(rows) > MAX_ROWS:
                        check_size(len(rows))  # stop reading a huge file early
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append({"line": reader.line_num, "field": "file", "expected": "valid CSV"})
        raise MalformedCsv(f"CSV line {reader.line_num} is broken: {exc}", problems) from None
    if problems:
        total = len(problems) + uncounted
        raise MalformedCsv(
            f"CSV has {total} malformed row(s): " + _summary(problems),
            problems + [{"more": uncounted}] * bool(uncounted),
        )
    return RawBatch(rows, lines)


def check_header(columns: list[str], problems: list[dict[str, object]]) -> None:
    """The header's problems (CSV and Excel alike), each distinct name once. Linear in the
    header's length: a client may send megabytes of it."""
    counts = Counter(columns)
    for name in counts:  # in header order
        if name not in FIELDS:
            problems.append(
                {
                    "line": 1,
                    "field": name[:64] or "(blank)",
                    "expected": "one of " + ",".join(FIELDS),
                    "got": name[:64],
                }
            )
    for name in REQUIRED:
        if name not in counts:
            problems.append({"line": 1, "field": name, "expected": "a column", "got": None})
    for name in sorted(n for n, count in counts.items() if count > 1 and n in FIELDS):
        problems.append({"line": 1, "field": name, "expected": "once", "got": "repeated"})


def _summary(problems: list[dict[str, object]]) -> str:
    return "; ".join(
        f"line {p['line']}: {p['field']}: expected {p['expected']} (got {p.get('got')!r})"
        for p in problems[:5]
    )


def text_line(body: bytes, offset: int) -> int:
    return body.count(b"\n", 0, offset) + 1
