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
    <folder>/rejected/<name>.errors.txt      every problem, vi and en (``feeds.folder_errors``)
    <state_dir>/<agency>.json                name, mtime, size and sha256 of each file handled

A name already in ``accepted/`` or ``rejected/`` gets a number (``report.2.csv``). The state
file (``feeds.folder_state``, kept outside the drop folder, which the agency controls) makes
"once" survive a restart, a file that could not be moved, and an identical copy dropped
again (moved beside the first, not reported twice); a changed file under a known name is a
new report. A sink that fails for a reason other than the data leaves the file where it is,
to be tried at the next scan. The folder is touched only through directory descriptors
(``feeds.drop_folder``): no symlink planted there is ever followed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from command_center.errors import RequestError, WallError
from feeds.csv_batch import parse_csv
from feeds.drop_folder import ACCEPTED, REJECTED, DropFolder
from feeds.excel_batch import parse_xlsx
from feeds.folder_errors import render_errors
from feeds.folder_state import FolderState
from feeds.loader import FeedsSpec
from feeds.periods import TIME_ZONE
from feeds.poller import Clock, Sink, check_rows, describe
from feeds.problems import Rejection

log = logging.getLogger(__name__)

SUFFIXES = (".csv", ".xlsx")
ERRORS_SUFFIX = ".errors.txt"
MAX_FILE_BYTES = 16 * 1024 * 1024  # the push API's body limit

Outcome = Literal["accepted", "rejected", "already_processed", "retry"]


class FileTooLarge(RequestError):
    status = 413
    code: str = Rejection.FILE_TOO_LARGE.value


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
    """The folder of one agency and what was handled in it (``<state_dir>/<agency>.json``).
    ``close()`` releases the folder's descriptors."""

    def __init__(
        self,
        folder: Path | str,
        agency: str,
        feeds: FeedsSpec,
        sink: Sink,
        clock: Clock = vietnam_now,
        *,
        state_dir: Path,
    ) -> None:
        self.folder = Path(folder)
        self.agency = agency
        self.feeds = feeds
        self.reporter = feeds.reporter(agency)  # an unknown agency fails here, at once
        self.sink = sink
        self.clock = clock
        if state_dir.resolve().is_relative_to(self.folder.resolve()):
            raise ValueError(
                f"state folder {state_dir} is inside the drop folder {self.folder}, which "
                "the agency controls: keep it in the server's data folder"
            )
        self._state = FolderState(state_dir / f"{agency}.json")
        self._drop = DropFolder.open(self.folder)  # refuses planted symlinks at once
        self._seen: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) last scan

    def close(self) -> None:
        self._drop.close()

    def candidates(self) -> list[tuple[Path, tuple[int, int]]]:
        """``*.csv``/``*.xlsx`` files at the top, not hidden, not Excel's lock files, not
        symlinks, each with its (size, mtime_ns)."""
        found = []
        for entry in self._drop.entries():
            name = entry.name
            if name.startswith((".", "~$")) or not name.lower().endswith(SUFFIXES):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            found.append((self.folder / name, (stat.st_size, stat.st_mtime_ns)))
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
            body, now = await asyncio.to_thread(self._drop.read, path.name, MAX_FILE_BYTES)
        except FileNotFoundError:
            return None  # taken away again
        except OSError as exc:  # swapped for a symlink or a folder since the scan
            log.warning("folder %s %s: not read (%s)", self.agency, path, exc)
            return None
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
        batch = parse_xlsx(body) if path.suffix.lower() == ".xlsx" else parse_csv(body)
        return batch.rows, check_rows(
            batch.rows, self.feeds, self.reporter, self.clock, batch.lines
        )

    def _reject(self, path: Path, fingerprint: Fingerprint, error: WallError) -> FileOutcome:
        log.error("folder %s %s: rejected, %s", self.agency, path, describe(error))
        target = self._drop.free_name(REJECTED, path.name, ERRORS_SUFFIX)
        report = target + ERRORS_SUFFIX
        try:
            self._drop.write_new(
                REJECTED, report, render_errors(path.name, self.agency, error, self.clock())
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
        target = self._drop.free_name(folder, path.name, ERRORS_SUFFIX)
        return FileOutcome(path.name, "already_processed", self._move(path, folder, target))

    def _settle(
        self, path: Path, fingerprint: Fingerprint, outcome: str, target: str | None = None
    ) -> Path | None:
        """Remember the file as handled, then move it; the state first, so a crash or a
        failed move in between never reports it twice."""
        target = target or self._drop.free_name(outcome, path.name, ERRORS_SUFFIX)
        entry = {
            "mtime_ns": fingerprint.mtime_ns,
            "size": fingerprint.size,
            "sha256": fingerprint.sha256,
            "outcome": outcome,
            "moved_to": f"{outcome}/{target}",
            "at": self.clock().isoformat(),
        }
        try:
            self._state.remember(fingerprint.name, entry)
        except OSError:
            log.exception("folder %s: could not save %s", self.agency, self._state.path)
        return self._move(path, outcome, target)

    def _move(self, path: Path, folder: str, target: str) -> Path | None:
        try:
            moved = self._drop.move(path.name, folder, target)
        except OSError:
            log.exception("folder %s %s: could not move it to %s", self.agency, path, target)
            return None
        self._seen.pop(path.name, None)
        return moved


def _same(known: dict[str, Any], fingerprint: Fingerprint) -> bool:
    return (
        known.get("mtime_ns") == fingerprint.mtime_ns
        and known.get("size") == fingerprint.size
        and known.get("sha256") == fingerprint.sha256
    )


async def run_folder_watch(
    folder: Path | str,
    agency: str,
    feeds: FeedsSpec,
    sink: Sink,
    interval_s: float,
    *,
    state_dir: Path,
    clock: Clock = vietnam_now,
) -> None:
    """Scan ``folder`` every ``interval_s`` for ``agency`` until cancelled."""
    watch = FolderWatch(folder, agency, feeds, sink, clock, state_dir=state_dir)
    log.info("folder %s %s: watching every %g s", agency, watch.folder, interval_s)
    try:
        while True:
            try:
                await watch.scan_once()
            except Exception:  # the folder gone or unreadable for a while: say so, go on
                log.exception("folder %s %s: scan failed; trying again", agency, watch.folder)
            await asyncio.sleep(interval_s)
    finally:
        watch.close()
