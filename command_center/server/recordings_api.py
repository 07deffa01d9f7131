"""Recorded bridge calls (``video.recordings``): admin and duty officer only (a viewer 403).

    GET  /api/v1/recordings[?from=&to=&point=]            the list (contract.md)
    GET  /api/v1/recordings/<id>/segments/<index>         one file, with HTTP Range
    POST /api/v1/recordings/<point>/start                 record the point's call
    POST /api/v1/recordings/<point>/stop                  stop recording it

Start and stop are audited (``recording_start``/``recording_stop``) by ``video.recordings``;
a refused person is audited as the other video actions are. A segment is streamed from
disk in chunks read off the loop.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from command_center.errors import ForbiddenError, NotFoundError, RequestError
from command_center.server.http_base import JsonHandler
from command_center.server.video_handler import VideoHandler
from command_center.server.video_parts import VideoParts
from video.recordings import Recordings

CHUNK = 256 * 1024
ID_PATTERN = r"[A-Za-z0-9_-]{1,64}"
POINT_PATTERN = r"[a-z0-9-]{1,48}"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
MEDIA_TYPES = {".webm": "video/webm", ".mkv": "video/x-matroska"}


def parse_time(name: str, value: str | None) -> float | None:
    """An ISO 8601 query parameter as epoch seconds (400 naming it when malformed)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise RequestError(
            f"'{name}' must be an ISO 8601 time such as 2026-12-04T14:05:00+07:00",
            [{"parameter": name, "got": value[:64]}],
        ) from None
    if moment.tzinfo is None:
        raise RequestError(
            f"'{name}' must carry an offset (+07:00 or Z)", [{"parameter": name, "got": value[:64]}]
        )
    return moment.timestamp()


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``Range: bytes=`` request; None for the whole file."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or (not match[1] and not match[2]):
        return None  # a range we do not serve (several, other units): the whole file
    if not match[1]:  # the last N bytes
        return max(0, size - int(match[2])), size - 1
    first = int(match[1])
    last = min(int(match[2]), size - 1) if match[2] else size - 1
    return first, last


class RecordingsHandler(VideoHandler):
    def initialize(self, parts: VideoParts, recordings: Recordings) -> None:  # type: ignore[override]
        super().initialize(parts)
        self.recordings = recordings

    async def manager(self) -> None:
        """Admin or duty officer (people only); others 403, nobody 401."""
        caller = await self.caller()
        if not caller.may_operate():
            raise ForbiddenError(
                f"role '{caller.role}' may not use recordings (roles that may: admin, duty_officer)"
            )


class ListHandler(RecordingsHandler):
    async def get(self) -> None:
        await self.manager()
        start = parse_time("from", self.get_query_argument("from", None))
        end = parse_time("to", self.get_query_argument("to", None))
        point = self.get_query_argument("point", None)
        if point is not None:
            self.room.point(point)
        listed = await self.recordings.listed(start, end, point)
        self.write_json({"recordings": listed})


class SegmentHandler(RecordingsHandler):
    async def get(self, recording_id: str, index: str) -> None:
        await self.manager()
        if not index.isdigit():
            raise NotFoundError(f"segment '{index}' is not a segment index (0, 1, …)")
        path = await self.recordings.segment_file(recording_id, int(index))
        size = (await asyncio.to_thread(path.stat)).st_size
        wanted = byte_range(self.request.headers.get("Range"), size)
        self.set_header("Content-Type", MEDIA_TYPES.get(path.suffix, "application/octet-stream"))
        self.set_header("Accept-Ranges", "bytes")
        name = f"{self.recordings_name(recording_id)}-{index}{path.suffix}"
        self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        first, last = 0, size - 1
        if wanted is not None:
            first, last = wanted
            if first >= size or first > last:
                self.set_status(416)
                self.set_header("Content-Range", f"bytes */{size}")
                self.finish()
                return
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.set_header("Content-Length", str(last - first + 1))
        await self._send(path, first, last - first + 1)

    @staticmethod
    def recordings_name(recording_id: str) -> str:
        return f"recording-{recording_id}"

    async def _send(self, path: Path, offset: int, length: int) -> None:
        handle = await asyncio.to_thread(open, path, "rb")
        try:
            await asyncio.to_thread(handle.seek, offset)
            while length > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK, length))
                if not chunk:
                    break
                length -= len(chunk)
                self.write(chunk)
                await self.flush()
        finally:
            handle.close()
        self.finish()


class StartHandler(RecordingsHandler):
    async def post(self, point_id: str) -> None:
        who = await self.person("recording_start", point_id)
        self.write_json(await self.recordings.start(point_id, who))


class StopHandler(RecordingsHandler):
    async def post(self, point_id: str) -> None:
        who = await self.person("recording_stop", point_id)
        self.write_json(await self.recordings.stop(point_id, who))


RECORDING_ROUTES: list[tuple[str, type[JsonHandler]]] = [
    (r"/api/v1/recordings", ListHandler),
    (rf"/api/v1/recordings/({ID_PATTERN})/segments/([0-9a-z]{{1,6}})", SegmentHandler),
    (rf"/api/v1/recordings/({POINT_PATTERN})/start", StartHandler),
    (rf"/api/v1/recordings/({POINT_PATTERN})/stop", StopHandler),
]


def recording_routes(
    parts: VideoParts, recordings: Recordings
) -> list[tuple[str, Any, dict[str, Any]]]:
    deps = {"parts": parts, "sessions": parts.sessions, "recordings": recordings}
    return [(pattern, handler, deps) for pattern, handler in RECORDING_ROUTES]
