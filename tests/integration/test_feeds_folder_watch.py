"""The folder watcher on real files in a temporary folder, reporting into a real store."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pollersupport import AGENCY, DISBURSEMENT, HANOI, clock
from wallsupport import StoringSink, wait_until

from feeds.folder_watch import FileOutcome, FolderWatch, run_folder_watch
from feeds.loader import FeedsSpec
from feeds.observation_store import EmbeddedObservationStore, ObservationStore

HEADER = "indicator,area_code,code_list,period,value,revision,note\n"


def state_of(folder: Path) -> Path:
    """The watcher's state: in the server's data folder, never in the drop folder."""
    return folder.parent.parent / "data" / "folder-watch"


def csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def good(period: str = "2025-10", value: float = 42.5, revision: str = "") -> str:
    return f"{DISBURSEMENT},01,gso-34,{period},{value},{revision},"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "drop" / "ubnd_01"


@pytest.fixture
def watch(folder: Path, feeds: FeedsSpec, sink: StoringSink) -> FolderWatch:
    return FolderWatch(folder, AGENCY, feeds, sink, clock, state_dir=state_of(folder))


async def handled(watch: FolderWatch, scans: int = 3) -> list[FileOutcome]:
    """Scan until something is handled (a new file needs two scans to be seen as still)."""
    for _ in range(scans):
        outcomes = await watch.scan_once()
        if outcomes:
            return outcomes
    return []


async def history(store: ObservationStore, period: str = "2025-10") -> list[tuple[int, float]]:
    return [(o.revision, o.value) for o in await store.history((DISBURSEMENT, HANOI, period))]


async def test_a_dropped_csv_is_reported_moved_and_remembered(
    folder: Path, feeds: FeedsSpec, sink: StoringSink, store: ObservationStore
) -> None:
    task = asyncio.create_task(
        run_folder_watch(folder, AGENCY, feeds, sink, 0.02, clock=clock, state_dir=state_of(folder))
    )
    try:
        await wait_until(lambda: (folder / "accepted").is_dir(), what="the folders made")
        body = csv(good("2025-09", 31.5), good("2025-10", 40.25))
        (folder / "bao-cao-10.csv").write_bytes(body)
        mtime_ns = (folder / "bao-cao-10.csv").stat().st_mtime_ns
        await wait_until(lambda: (folder / "accepted" / "bao-cao-10.csv").exists(), what="moved")
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sink.calls == [(AGENCY, 2, str(folder / "bao-cao-10.csv"))]
    series = await store.series(DISBURSEMENT, HANOI)
    assert [(o.period, o.value, o.agency) for o in series] == [
        ("2025-09", 31.5, AGENCY),
        ("2025-10", 40.25, AGENCY),
    ]
    state = json.loads((state_of(folder) / f"{AGENCY}.json").read_text(encoding="utf-8"))
    assert state["files"]["bao-cao-10.csv"] | {"at": None} == {
        "mtime_ns": mtime_ns,
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "outcome": "accepted",
        "moved_to": "accepted/bao-cao-10.csv",
        "at": None,
    }
    assert not (folder / "bao-cao-10.csv").exists()


async def test_a_file_still_being_copied_waits_until_it_stands_still(
    watch: FolderWatch, folder: Path, sink: StoringSink
) -> None:
    path = folder / "report.csv"
    path.write_bytes(csv(good("2025-09", 31.5)))
    assert await watch.scan_once() == []  # first seen
    with path.open("ab") as out:
        out.write(good("2025-10", 40.25).encode() + b"\n")
    assert await watch.scan_once() == []  # grew since the last scan
    assert sink.calls == [] and path.exists()
    [outcome] = await watch.scan_once()
    assert (outcome.outcome, outcome.rows) == ("accepted", 2)
    assert outcome.moved_to == folder / "accepted" / "report.csv"


async def test_a_bad_file_is_rejected_whole_with_every_error_in_vi_and_en(
    watch: FolderWatch,
    folder: Path,
    sink: StoringSink,
    store: ObservationStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (folder / "first.csv").write_bytes(csv(good()))
    assert [o.outcome for o in await handled(watch)] == ["accepted"]

    (folder / "second.csv").write_bytes(
        csv(
            good(value=99.0, revision="1"),  # line 2: fine alone, must not be stored
            f"{DISBURSEMENT},46,gso-34,2025-10,50,,",  # line 3: Huế is not Hà Nội's
            f"{DISBURSEMENT},01,gso-34,2025-09,abc,,",  # line 4: not a number
            f"{DISBURSEMENT},01,gso-34,2026-01,10,,",  # line 5: not yet due
        )
    )
    [outcome] = await handled(watch)
    assert outcome.outcome == "rejected"
    assert outcome.moved_to == folder / "rejected" / "second.csv"
    assert not (folder / "second.csv").exists()
    assert sink.calls == [(AGENCY, 1, str(folder / "first.csv"))]
    assert await history(store) == [(0, 42.5)]

    errors = (folder / "rejected" / "second.csv.errors.txt").read_text(encoding="utf-8")
    assert "TỆP BỊ TỪ CHỐI" in errors and "FILE REJECTED" in errors
    assert "Số lỗi / Problems: 3" in errors
    for expected in (
        "Dòng 3 · cột mã địa bàn / Line 3 · column area_code (not_permitted)",
        "[vi] Cơ quan không được phép báo cáo chỉ tiêu/địa bàn này",
        "[en] The agency may not report this indicator or area",
        "Dòng 4 · cột giá trị / Line 4 · column value (not_a_number)",
        '[vi] Giá trị không phải là số. Yêu cầu: a finite number. Nhận được: "abc"',
        '[en] Value is not a number. Expected: a finite number. Got: "abc"',
        "Dòng 5 · cột kỳ báo cáo / Line 5 · column period (future_period)",
        "[en] Period in the future. Expected: 2025-12 or earlier",
    ):
        assert expected in errors
    assert "Line 2" not in errors
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1 and str(folder / "second.csv") in logged[0]
    assert "line 4: value: not_a_number" in logged[0]


async def test_a_malformed_csv_lists_every_header_problem(
    watch: FolderWatch, folder: Path, sink: StoringSink
) -> None:
    (folder / "typo.csv").write_bytes(b"indicator,area_code,period,valeu\nx,01,2025-10,1\n")
    [outcome] = await handled(watch)
    assert outcome.outcome == "rejected" and sink.calls == []
    errors = (folder / "rejected" / "typo.csv.errors.txt").read_text(encoding="utf-8")
    assert "Tệp CSV sai cấu trúc / Malformed CSV file (malformed_csv)" in errors
    assert "Số lỗi / Problems: 2" in errors
    assert "Dòng 1 · cột valeu / Line 1 · column valeu" in errors
    assert "Dòng 1 · cột giá trị / Line 1 · column value" in errors


def workbook(path: Path, *rows: tuple[Any, ...]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "observations"
    sheet.append(HEADER.strip().split(","))
    for values in rows:
        sheet.append(values)
    book.save(path)


async def test_an_excel_file_is_reported_with_the_codes_excel_mangled(
    watch: FolderWatch, folder: Path, store: ObservationStore
) -> None:
    # Typed into Excel, "01" becomes the number 1; empty row 3 is skipped.
    workbook(
        folder / "bao-cao.xlsx",
        (DISBURSEMENT, 1, "gso-34", "2025-09", 31.5, None, None),
        (None,),
        (DISBURSEMENT, 1, "gso-34", "2025-10", 61, 0, "ghi chú"),
    )
    [outcome] = await handled(watch)
    assert (outcome.outcome, outcome.rows) == ("accepted", 2)
    series = await store.series(DISBURSEMENT, HANOI)
    assert [(o.period, o.value, o.note) for o in series] == [
        ("2025-09", 31.5, None),
        ("2025-10", 61.0, "ghi chú"),
    ]


async def test_a_bad_excel_file_names_its_sheet_rows(
    watch: FolderWatch, folder: Path, store: ObservationStore
) -> None:
    workbook(
        folder / "sai.xlsx",
        (DISBURSEMENT, "01", "gso-34", "2025-09", 31.5),
        (DISBURSEMENT, "01", "gso-34", "2025-10", 140),
    )
    [outcome] = await handled(watch)
    assert outcome.outcome == "rejected"
    errors = (folder / "rejected" / "sai.xlsx.errors.txt").read_text(encoding="utf-8")
    assert "Dòng 3 · cột giá trị / Line 3 · column value (out_of_range)" in errors
    assert "[vi] Giá trị nằm ngoài khoảng hợp lệ của chỉ tiêu. Yêu cầu: from 0" in errors
    assert await store.latest() == []

    (folder / "broken.xlsx").write_bytes(b"not a zip")
    [outcome] = await handled(watch)
    assert outcome.outcome == "rejected"
    errors = (folder / "rejected" / "broken.xlsx.errors.txt").read_text(encoding="utf-8")
    assert "Tệp Excel sai cấu trúc / Malformed Excel workbook (malformed_xlsx)" in errors


async def test_processed_once_across_a_restart_and_an_identical_copy(
    folder: Path, feeds: FeedsSpec, sink: StoringSink, store: ObservationStore
) -> None:
    first = FolderWatch(folder, AGENCY, feeds, sink, clock, state_dir=state_of(folder))
    (folder / "report.csv").write_bytes(csv(good()))
    assert [o.outcome for o in await handled(first)] == ["accepted"]

    # The agency copies the same file in again (same bytes, same mtime); the watcher restarted.
    shutil.copy2(folder / "accepted" / "report.csv", folder / "report.csv")
    again = FolderWatch(folder, AGENCY, feeds, sink, clock, state_dir=state_of(folder))
    [outcome] = await handled(again)
    assert outcome.outcome == "already_processed"
    assert outcome.moved_to == folder / "accepted" / "report.2.csv"
    assert len(sink.calls) == 1

    # Same name, new content: a new report.
    (folder / "report.csv").write_bytes(csv(good(value=50.0, revision="1")))
    [outcome] = await handled(again)
    assert (outcome.outcome, outcome.moved_to) == ("accepted", folder / "accepted" / "report.3.csv")
    assert await history(store) == [(0, 42.5), (1, 50.0)]
    assert len(sink.calls) == 2


async def test_a_failing_sink_leaves_the_file_for_the_next_scan(
    tmp_path: Path, folder: Path, feeds: FeedsSpec, store: ObservationStore
) -> None:
    closed = await EmbeddedObservationStore.open(tmp_path / "closed")
    await closed.close()  # a store that is down
    sink = StoringSink(clock, closed, feeds)
    watch = FolderWatch(folder, AGENCY, feeds, sink, clock, state_dir=state_of(folder))
    (folder / "report.csv").write_bytes(csv(good()))
    [outcome] = await handled(watch)
    assert (outcome.outcome, outcome.moved_to) == ("retry", None)
    assert (folder / "report.csv").exists()

    sink.store = store  # back up
    [outcome] = await watch.scan_once()
    assert outcome.outcome == "accepted"
    assert await history(store) == [(0, 42.5)]


async def test_other_files_are_left_alone(watch: FolderWatch, folder: Path) -> None:
    others = ["notes.txt", "~$bao-cao.xlsx", ".partial.csv", "report.csv.part"]
    for name in others:
        (folder / name).write_bytes(b"x")
    assert await handled(watch) == []
    assert sorted(os.listdir(folder)) == sorted([*others, "accepted", "rejected"])


def test_an_unknown_agency_fails_at_once(folder: Path, feeds: FeedsSpec, sink: StoringSink) -> None:
    with pytest.raises(KeyError, match="unknown agency 'ubnd_99'"):
        FolderWatch(folder, "ubnd_99", feeds, sink, state_dir=state_of(folder))


# --- a drop folder the agency controls: planted symlinks are never followed ---------------


def _victim(folder: Path) -> Path:
    victim = folder.parent.parent / "victim"
    victim.mkdir(exist_ok=True)
    (victim / "keep.txt").write_text("untouched")
    return victim


def _plant_accepted_link(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "accepted").symlink_to(_victim(folder))


def _plant_rejected_link(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "rejected").symlink_to(_victim(folder))


def _world_writable_accepted(folder: Path) -> None:
    (folder / "accepted").mkdir(parents=True)
    (folder / "accepted").chmod(0o777)


@pytest.mark.parametrize(
    "plant, message",
    [
        (_plant_accepted_link, "accepted is not a real directory"),
        (_plant_rejected_link, "rejected is not a real directory"),
        (_world_writable_accepted, "writable by everyone"),
    ],
    ids=["accepted-is-a-symlink", "rejected-is-a-symlink", "accepted-world-writable"],
)
def test_an_unsafe_folder_is_refused_at_start(
    plant: Any, message: str, folder: Path, feeds: FeedsSpec, sink: StoringSink
) -> None:
    plant(folder)
    with pytest.raises(OSError, match=message):
        FolderWatch(folder, AGENCY, feeds, sink, clock, state_dir=state_of(folder))
    victim = folder.parent.parent / "victim"
    assert not victim.exists() or sorted(os.listdir(victim)) == ["keep.txt"]


def test_the_state_may_not_live_in_the_drop_folder(
    folder: Path, feeds: FeedsSpec, sink: StoringSink
) -> None:
    with pytest.raises(ValueError, match="inside the drop folder"):
        FolderWatch(folder, AGENCY, feeds, sink, clock, state_dir=folder / ".processed")


async def test_a_sub_folder_swapped_for_a_symlink_later_is_not_followed(
    watch: FolderWatch, folder: Path
) -> None:
    victim = _victim(folder)
    (folder / "accepted").rename(folder / "accepted.old")
    (folder / "accepted").symlink_to(victim)
    (folder / "report.csv").write_bytes(csv(good()))
    assert [o.outcome for o in await handled(watch)] == ["accepted"]
    assert sorted(os.listdir(victim)) == ["keep.txt"]
    assert (folder / "accepted.old" / "report.csv").exists()  # the directory opened at start


async def test_a_report_that_is_a_symlink_is_neither_read_nor_moved(
    watch: FolderWatch, folder: Path, sink: StoringSink
) -> None:
    secret = _victim(folder) / "keep.txt"
    (folder / "secret.csv").symlink_to(secret)
    assert await handled(watch) == []
    assert sink.calls == []
    assert (folder / "secret.csv").is_symlink() and secret.read_text() == "untouched"


async def test_a_planted_errors_file_link_is_not_written_through(
    watch: FolderWatch, folder: Path
) -> None:
    target = _victim(folder) / "keep.txt"
    (folder / "rejected" / "bad.csv.errors.txt").symlink_to(target)
    (folder / "bad.csv").write_bytes(csv("nope,01,gso-34,2025-10,1,,"))
    assert [o.outcome for o in await handled(watch)] == ["rejected"]
    assert target.read_text() == "untouched"
    assert (folder / "rejected" / "bad.2.csv.errors.txt").exists()
