"""Watching a folder where one agency drops CSV or Excel files, and reporting each once.

    run_folder_watch(folder, agency, feeds, sink, interval_s)   forever, until cancelled
    └── FolderWatch.scan_once()   one look at the folder; a FileOutcome per file handled

The folder is polled (no inotify): a ``*.csv`` or ``*.xlsx`` file is handled once its size
and modification time are the same at two scans in a row, so a file still being copied is
left alone. Each file is checked with the push API's rules under the agency's scope
(``feeds.poller.check_rows``) and, when every row passes, handed to the runtime's ``sink``
like the poller's batches. Then it moves:

    <folder>/accepted/<name>                 reported (stored by the sink)
    <folder>/rejected/<name>                 nothing stored; beside it
    <folder>/rejected/<name>.errors.txt      every problem, in Vietnamese and English
    <folder>/.processed/state.json           name, mtime, size and sha256 of each file handled

A name already in ``accepted/`` or ``rejected/`` gets a number (``report.2.csv``). The state
file makes "once" survive a restart, a file that could not be moved, and an identical copy
dropped again (moved beside the first, not reported twice); a changed file under a known
name is a new report. A sink that fails for a reason other than the data leaves the file
where it is, to be tried at the next scan.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from command_center.errors import RequestError, WallError
from feeds.csv_batch import parse_csv
from feeds.excel_batch import parse_xlsx
from feeds.ingest import BatchRejected
from feeds.loader import FeedsSpec
from feeds.periods import TIME_ZONE
from feeds.poller import Clock, Sink, check_rows, describe

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")
ACCEPTED = "accepted"
REJECTED = "rejected"
STATE_DIR = ".processed"
STATE_FILE = "state.json"
ERRORS_SUFFIX = ".errors.txt"
MAX_FILE_BYTES = 16 * 1024 * 1024  # the push API's body limit
KEEP_STATE = 1000  # files remembered; the oldest are forgotten first

Outcome = Literal["accepted", "rejected", "already_processed", "retry"]


class FileTooLarge(RequestError):
    status = 413
    code = "file_too_large"


@dataclass(frozen=True)
class Fingerprint:
    name: str
    mtime_ns: int
    size: int
    sha256: str


@dataclass(frozen=True)
class FileOutcome:
    name: str
    outcome: Outcome
    moved_to: Path | None = None  # None when the file stayed (retry, or it could not move)
    rows: int = 0


def vietnam_now() -> datetime:
    return datetime.now(TIME_ZONE)


class FolderWatch:
    """The folder of one agency and what was handled in it (``.processed/state.json``)."""

    def __init__(
        self,
        folder: Path | str,
        agency: str,
        feeds: FeedsSpec,
        sink: Sink,
        clock: Clock = vietnam_now,
    ) -> None:
        self.folder = Path(folder)
        self.agency = agency
        self.feeds = feeds
        self.reporter = feeds.reporter(agency)  # an unknown agency fails here, at once
        self.sink = sink
        self.clock = clock
        for name in (ACCEPTED, REJECTED, STATE_DIR):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        self._state_path = self.folder / STATE_DIR / STATE_FILE
        self._state = _load_state(self._state_path)
        self._seen: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) last scan

    def candidates(self) -> list[tuple[Path, tuple[int, int]]]:
        """``*.csv``/``*.xlsx`` files at the top, not hidden, not Excel's lock files, each
        with its (size, mtime_ns)."""
        found = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith((".", "~$")) or not name.lower().endswith(SUFFIXES):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                found.append((Path(entry.path), (stat.st_size, stat.st_mtime_ns)))
        return sorted(found)

    async def scan_once(self) -> list[FileOutcome]:
        """Handle every file that has stood still since the last scan."""
        outcomes: list[FileOutcome] = []
        present: set[str] = set()
        for path, signature in await asyncio.to_thread(self.candidates):
            present.add(path.name)
            stable = self._seen.get(path.name) == signature
            self._seen[path.name] = signature
            if not stable:
                continue  # new or still growing: look again at the next scan
            outcome = await self._handle(path, signature)
            if outcome is not None:
                outcomes.append(outcome)
        self._seen = {n: s for n, s in self._seen.items() if n in present}
        return outcomes

    async def _handle(self, path: Path, signature: tuple[int, int]) -> FileOutcome | None:
        size, mtime_ns = signature
        source = str(path)
        if size > MAX_FILE_BYTES:
            unread = Fingerprint(path.name, mtime_ns, size, "")
            error = FileTooLarge(
                f"file of {size} bytes is over the limit of {MAX_FILE_BYTES}; split it",
                [{"field": "file", "expected": f"at most {MAX_FILE_BYTES} bytes", "got": size}],
            )
            return await asyncio.to_thread(self._reject, path, unread, error)
        try:
            body, now = await asyncio.to_thread(_read, path)
        except FileNotFoundError:
            return None  # taken away again
        if now != signature or len(body) != size:
            self._seen[path.name] = now
            return None  # it changed while being read: wait until it stands still again
        fingerprint = Fingerprint(path.name, mtime_ns, size, hashlib.sha256(body).hexdigest())
        known = self._state.get(path.name)
        if known is not None and _same(known, fingerprint):
            return await asyncio.to_thread(self._already_processed, path, known)
        try:
            rows, count = await asyncio.to_thread(self._check, path, body)
        except WallError as exc:
            return await asyncio.to_thread(self._reject, path, fingerprint, exc)
        if not rows:
            log.info("folder %s %s: no rows, nothing to report", self.agency, source)
            moved = await asyncio.to_thread(self._settle, path, fingerprint, ACCEPTED)
            return FileOutcome(path.name, "accepted", moved)
        try:
            await self.sink(self.agency, rows, source)
        except WallError as exc:  # the data conflicts with what is stored: refused whole
            return await asyncio.to_thread(self._reject, path, fingerprint, exc)
        except Exception:
            log.exception(
                "folder %s %s: the sink could not take %d rows; trying again next scan",
                self.agency,
                source,
                count,
            )
            return FileOutcome(path.name, "retry")
        log.info("folder %s %s: reported %d rows", self.agency, source, count)
        moved = await asyncio.to_thread(self._settle, path, fingerprint, ACCEPTED)
        return FileOutcome(path.name, "accepted", moved, count)

    def _check(self, path: Path, body: bytes) -> tuple[list[Any], int]:
        if path.suffix.lower() == ".xlsx":
            sheet = parse_xlsx(body)
            rows, lines = sheet.rows, sheet.lines
        else:
            parsed = parse_csv(body)
            rows, lines = list(parsed.rows), parsed.lines
        return rows, check_rows(rows, self.feeds, self.reporter, self.clock, lines)

    def _reject(self, path: Path, fingerprint: Fingerprint, error: WallError) -> FileOutcome:
        log.error("folder %s %s: rejected, %s", self.agency, path, describe(error))
        target = _free_name(self.folder / REJECTED, path.name)
        report = target.with_name(target.name + ERRORS_SUFFIX)
        try:
            report.write_text(
                render_errors(path.name, self.agency, error, self.clock()), encoding="utf-8"
            )
        except OSError:
            log.exception("folder %s %s: could not write %s", self.agency, path, report)
        moved = self._settle(path, fingerprint, REJECTED, target)
        return FileOutcome(path.name, "rejected", moved)

    def _already_processed(self, path: Path, known: dict[str, Any]) -> FileOutcome:
        outcome = known.get("outcome", ACCEPTED)
        folder = REJECTED if outcome == REJECTED else ACCEPTED
        log.warning(
            "folder %s %s: identical to the file handled at %s (%s); not reported again",
            self.agency,
            path,
            known.get("at"),
            outcome,
        )
        target = _free_name(self.folder / folder, path.name)
        return FileOutcome(path.name, "already_processed", self._move(path, target))

    def _settle(
        self, path: Path, fingerprint: Fingerprint, outcome: str, target: Path | None = None
    ) -> Path | None:
        """Remember the file as handled, then move it; the state first, so a crash or a
        failed move in between never reports it twice."""
        target = target or _free_name(self.folder / outcome, path.name)
        self._state.pop(fingerprint.name, None)
        self._state[fingerprint.name] = {
            "mtime_ns": fingerprint.mtime_ns,
            "size": fingerprint.size,
            "sha256": fingerprint.sha256,
            "outcome": outcome,
            "moved_to": str(target.relative_to(self.folder)),
            "at": self.clock().isoformat(),
        }
        while len(self._state) > KEEP_STATE:
            self._state.pop(next(iter(self._state)))
        try:
            _save_state(self._state_path, self._state)
        except OSError:
            log.exception("folder %s: could not save %s", self.agency, self._state_path)
        return self._move(path, target)

    def _move(self, path: Path, target: Path) -> Path | None:
        try:
            os.replace(path, target)
        except OSError:
            log.exception("folder %s %s: could not move it to %s", self.agency, path, target)
            return None
        self._seen.pop(path.name, None)
        return target


def _read(path: Path) -> tuple[bytes, tuple[int, int]]:
    """The file's bytes and its (size, mtime_ns) just after reading them."""
    body = path.read_bytes()
    stat = path.stat()
    return body, (stat.st_size, stat.st_mtime_ns)


def _same(known: dict[str, Any], fingerprint: Fingerprint) -> bool:
    return (
        known.get("mtime_ns") == fingerprint.mtime_ns
        and known.get("size") == fingerprint.size
        and known.get("sha256") == fingerprint.sha256
    )


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``stem.N.suffix`` with the first N free (with its errors file)."""
    stem, suffix = os.path.splitext(name)
    candidate = folder / name
    number = 1
    while candidate.exists() or candidate.with_name(candidate.name + ERRORS_SUFFIX).exists():
        number += 1
        candidate = folder / f"{stem}.{number}{suffix}"
    return candidate


def _load_state(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("%s is unreadable (%s); starting with no files remembered", path, exc)
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        log.warning("%s has no 'files' map; starting with no files remembered", path)
        return {}
    return {str(k): v for k, v in files.items() if isinstance(v, dict)}


def _save_state(path: Path, files: dict[str, dict[str, Any]]) -> None:
    """Written whole to a temporary file, flushed, then renamed over the old one."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        json.dump({"version": 1, "files": files}, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


# --- the errors file: every problem, in Vietnamese then English -------------------------

_REASONS = {
    "invalid_observations": ("Số liệu không hợp lệ", "Invalid observations"),
    "malformed_csv": ("Tệp CSV sai cấu trúc", "Malformed CSV file"),
    "malformed_xlsx": ("Tệp Excel sai cấu trúc", "Malformed Excel workbook"),
    "batch_too_large": ("Tệp có quá nhiều dòng", "Too many rows in the file"),
    "file_too_large": ("Tệp quá lớn", "File too large"),
    "revision_conflict": (
        "Mâu thuẫn với lần điều chỉnh đã lưu",
        "Conflicts with a stored revision",
    ),
}

_PROBLEMS = {
    "unknown_indicator": ("Mã chỉ tiêu không có trong danh mục", "Indicator not in the catalogue"),
    "not_permitted": (
        "Cơ quan không được phép báo cáo chỉ tiêu/địa bàn này",
        "The agency may not report this indicator or area",
    ),
    "unknown_field": ("Cột không được hỗ trợ", "Unknown column"),
    "not_an_object": ("Dòng không đúng cấu trúc", "The row is not a record"),
    "missing": ("Thiếu giá trị", "Missing value"),
    "unknown_code_list": ("Danh mục mã tỉnh không hợp lệ", "Unknown province code list"),
    "unknown_province": ("Mã tỉnh không tồn tại", "Unknown province code"),
    "malformed_period": ("Kỳ báo cáo sai định dạng", "Malformed period"),
    "wrong_frequency": (
        "Kỳ báo cáo không đúng tần suất của chỉ tiêu",
        "Period of the wrong frequency for the indicator",
    ),
    "future_period": ("Kỳ báo cáo chưa đến", "Period in the future"),
    "not_a_number": ("Giá trị không phải là số", "Value is not a number"),
    "out_of_range": (
        "Giá trị nằm ngoài khoảng hợp lệ của chỉ tiêu",
        "Value outside the indicator's valid range",
    ),
    "bad_revision": ("Số lần điều chỉnh không hợp lệ", "Bad revision number"),
    "bad_note": ("Ghi chú không hợp lệ", "Bad note"),
    "duplicate": (
        "Trùng (chỉ tiêu, địa bàn, kỳ) với một dòng khác trong tệp",
        "Same (indicator, area, period) as another row of the file",
    ),
}

_FIELDS = {
    "indicator": "chỉ tiêu",
    "area_code": "mã địa bàn",
    "code_list": "danh mục mã tỉnh",
    "period": "kỳ báo cáo",
    "value": "giá trị",
    "revision": "lần điều chỉnh",
    "note": "ghi chú",
    "row": "dòng",
    "file": "tệp",
    "header": "dòng tiêu đề",
    "observations": "số dòng",
}


def render_errors(name: str, agency: str, error: WallError, at: datetime) -> str:
    """The ``<name>.errors.txt`` an agency reads: what was wrong, row by row, vi then en."""
    reason_vi, reason_en = _REASONS.get(error.code, ("Tệp bị từ chối", "File rejected"))
    if isinstance(error, BatchRejected):
        details = [p.as_detail() for p in error.problems]
    else:
        details = list(error.details) or [{"expected": error.message}]
    local = at.astimezone(TIME_ZONE)
    out = [
        "TỆP BỊ TỪ CHỐI: không dòng nào được lưu; số liệu đã nhận trước đây không thay đổi.",
        "FILE REJECTED: nothing was stored; data accepted earlier is unchanged.",
        "",
        f"Tệp / File: {name}",
        f"Cơ quan / Agency: {agency}",
        f"Thời điểm / At: {local:%d/%m/%Y %H:%M:%S} (giờ Việt Nam / Vietnam time)",
        f"Lý do / Reason: {reason_vi} / {reason_en} ({error.code})",
        f"Số lỗi / Problems: {len(details)}",
        "",
    ]
    for number, detail in enumerate(details, start=1):
        out += _render_detail(number, detail, reason_vi, reason_en)
    out += [
        "Sửa các lỗi trên rồi đặt lại tệp vào thư mục.",
        "Fix every problem above, then drop the file into the folder again.",
        "",
        f"Thông báo gốc / Original message: {error.message}",
        "",
    ]
    return "\n".join(out)


def _render_detail(
    number: int, detail: dict[str, Any], reason_vi: str, reason_en: str
) -> list[str]:
    where_vi, where_en = [], []
    if detail.get("line") is not None:
        where_vi.append(f"Dòng {detail['line']}")
        where_en.append(f"Line {detail['line']}")
    elif detail.get("row") is not None:
        where_vi.append(f"Bản ghi {detail['row'] + 1}")
        where_en.append(f"Record {detail['row'] + 1}")
    if "indicator" in detail and "period" in detail:
        key = f"({detail['indicator']}, {detail.get('area')}, {detail['period']})"
        where_vi.append(f"{key}, lần điều chỉnh {detail.get('revision')}")
        where_en.append(f"{key}, revision {detail.get('revision')}")
    field = detail.get("field")
    if field is not None:
        where_vi.append(f"cột {_FIELDS.get(field, field)}")
        where_en.append(f"column {field}")
    problem_vi, problem_en = _PROBLEMS.get(detail.get("problem", ""), (reason_vi, reason_en))
    expected = detail.get("expected")
    got = _shown(detail.get("got"))
    head = " · ".join(where_vi) or "Tệp"
    head_en = " · ".join(where_en) or "File"
    code = f" ({detail['problem']})" if detail.get("problem") else ""
    lines = [f"{number}. {head} / {head_en}{code}"]
    lines.append(f"   [vi] {problem_vi}. Yêu cầu: {expected}. Nhận được: {got}")
    lines.append(f"   [en] {problem_en}. Expected: {expected}. Got: {got}")
    lines.append("")
    return lines


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(trống / empty)"
    with contextlib.suppress(TypeError, ValueError):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


async def run_folder_watch(
    folder: Path | str,
    agency: str,
    feeds: FeedsSpec,
    sink: Sink,
    interval_s: float,
    *,
    clock: Clock = vietnam_now,
) -> None:
    """Scan ``folder`` every ``interval_s`` for ``agency`` until cancelled."""
    watch = FolderWatch(folder, agency, feeds, sink, clock)
    log.info("folder %s %s: watching every %g s", agency, watch.folder, interval_s)
    while True:
        try:
            await watch.scan_once()
        except Exception:  # the folder gone or unreadable for a while: say so, go on
            log.exception("folder %s %s: scan failed; trying again", agency, watch.folder)
        await asyncio.sleep(interval_s)
