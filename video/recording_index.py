"""What is recorded, on disk: one folder per recording, ``<root>/<point>/<id>/``, holding its
segments (``0.webm``, ``1.webm``, … or ``.mkv`` for H.264) and ``index.json``, rewritten
atomically (a temporary file renamed over it) whenever a segment opens or closes, so
after a crash the index names every finished segment and the one being written.

Plain functions on files; the recorder calls them from its writer thread, the API through
``asyncio.to_thread``. Listing is bounded (``MAX_LISTED`` recordings, newest first).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
INDEX = "index.json"
MAX_LISTED = 2_000
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def iso(epoch_s: float | None) -> str | None:
    """An epoch time as ISO 8601 in the centre's zone (+07:00), to the millisecond."""
    if epoch_s is None:
        return None
    return datetime.fromtimestamp(epoch_s, ZONE).isoformat(timespec="milliseconds")


@dataclass
class Segment:
    index: int
    started_at: float  # epoch seconds (wall clock of its first frame)
    ended_at: float | None = None  # None while written
    duration_s: float | None = None
    bytes: int = 0
    file: str = ""  # the file name in the recording's folder


@dataclass
class Recording:
    id: str
    point: str
    name_vi: str
    name_en: str
    started_at: float
    ended_at: float | None = None
    video_codec: str | None = None  # "vp8" | "h264"
    audio_codec: str | None = None  # "opus"
    segments: list[Segment] = field(default_factory=list)
    dropped: int = 0  # packets the writer could not keep up with (slow disk)

    def folder(self, root: Path) -> Path:
        return root / self.point / self.id

    def public(self) -> dict[str, Any]:
        """As ``GET /api/v1/recordings`` lists it (contract.md)."""
        return {
            "id": self.id,
            "point": self.point,
            "point_name": {"vi": self.name_vi, "en": self.name_en},
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at),
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "segments": [
                {
                    "index": s.index,
                    "started_at": iso(s.started_at),
                    "ended_at": iso(s.ended_at),
                    "duration_s": s.duration_s,
                    "bytes": s.bytes,
                    "url": f"/api/v1/recordings/{self.id}/segments/{s.index}",
                }
                for s in self.segments
            ],
        }


def save(root: Path, recording: Recording) -> None:
    """Write ``recording``'s index durably (temporary file, fsync, rename)."""
    folder = recording.folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{INDEX}.tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(asdict(recording), out, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, folder / INDEX)


def _load(path: Path) -> Recording | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        segments = [Segment(**s) for s in raw.pop("segments")]
        return Recording(**raw, segments=segments)
    except (OSError, ValueError, TypeError, KeyError):
        return None  # a torn or foreign file: not listed


def load_all(root: Path, limit: int = MAX_LISTED) -> list[Recording]:
    """Every readable recording under ``root``, newest first, at most ``limit``."""
    found = [r for path in root.glob(f"*/*/{INDEX}") if (r := _load(path)) is not None]
    found.sort(key=lambda r: r.started_at, reverse=True)
    return found[:limit]


def find(root: Path, recording_id: str) -> Recording | None:
    if not _ID.match(recording_id):
        return None
    for path in root.glob(f"*/{recording_id}/{INDEX}"):
        return _load(path)
    return None


def segment_path(root: Path, recording: Recording, index: int) -> Path | None:
    """The file of segment ``index``, if the index lists it and it exists."""
    for segment in recording.segments:
        if segment.index == index and segment.file:
            path = recording.folder(root) / segment.file
            return path if path.is_file() else None
    return None


def close_interrupted(root: Path) -> list[str]:
    """Recordings a stopped process left open (``kill -9``, power loss): each ends where its
    last finished segment ended; the segment being written stays listed (``ended_at`` null:
    its file has no cues and may be cut short). The ids closed. Call before recording."""
    closed = []
    for path in root.glob(f"*/*/{INDEX}"):
        recording = _load(path)
        if recording is None or recording.ended_at is not None:
            continue
        ends = [s.ended_at for s in recording.segments if s.ended_at is not None]
        recording.ended_at = max(ends, default=recording.started_at)
        save(root, recording)
        closed.append(recording.id)
    return closed


def delete_older(root: Path, cutoff_s: float, keep: set[str] | None = None) -> list[str]:
    """Delete every finished recording that ended before ``cutoff_s`` (epoch seconds),
    except the ids in ``keep``; the ids deleted."""
    deleted = []
    for path in root.glob(f"*/*/{INDEX}"):
        recording = _load(path)
        if recording is None or (keep and recording.id in keep):
            continue
        ended = recording.ended_at
        if ended is None and recording.segments:
            ended = max((s.ended_at or s.started_at) for s in recording.segments)
        if (ended if ended is not None else recording.started_at) < cutoff_s:
            shutil.rmtree(path.parent, ignore_errors=True)
            deleted.append(recording.id)
    return deleted
