"""Workbooks that would inflate past what a report holds are refused from the zip's
directory, before openpyxl opens anything; a real workbook still reads."""

from __future__ import annotations

import io
import zipfile

import pytest

from feeds.excel_batch import MAX_ENTRIES, MalformedExcel, parse_xlsx


def archive(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "entries, message",
    [
        ({"xl/worksheets/sheet1.xml": b"\0" * (40 * 1024 * 1024)}, "zip bomb"),
        ({"xl/sharedStrings.xml": b"<a/>" * 1_000_000}, "zip bomb"),
        ({f"part{i}.xml": b"<a/>" for i in range(MAX_ENTRIES + 1)}, f"at most {MAX_ENTRIES} parts"),
    ],
    ids=["one-huge-sheet", "highly-compressible-strings", "too-many-parts"],
)
def test_refused_before_inflating(entries: dict[str, bytes], message: str) -> None:
    body = archive(entries)
    assert len(body) < 1024 * 1024  # small on the wire
    with pytest.raises(MalformedExcel, match="refused before opening") as caught:
        parse_xlsx(body)
    assert message in caught.value.message or any(
        message in str(d.get("expected")) for d in caught.value.details
    )


def test_not_a_zip_is_named() -> None:
    with pytest.raises(MalformedExcel, match=r"not a readable \.xlsx workbook"):
        parse_xlsx(b"PK\x03\x04 not really")


def test_a_real_workbook_still_reads() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "period", "value"])
    sheet.append(["cpi_yoy", "2026-10", 3.21])
    out = io.BytesIO()
    book.save(out)
    batch = parse_xlsx(out.getvalue())
    assert batch.rows == [{"indicator": "cpi_yoy", "period": "2026-10", "value": 3.21}]
