"""Which calls are recorded, and the rules around it: start and stop per point (the console,
the API), every call when ``record_calls`` is set, retention, and the audit.

A recording is one call of one point: it starts on a person's word (or, with
``record_calls``, when the point's media reaches the centre) and ends when they stop it,
or when the call ends (a new call of a point under ``record_calls`` is a new recording).
While a point is recorded its ``PublisherSession.recording`` is set, so its status (the
roster, the ``point`` event on the control channel) says so: the bridge page and the
wall's video tiles show **ĐANG GHI · REC** from it. Every start and stop is audited
(``recording_start`` / ``recording_stop``, target the point, detail the recording's id and
why), a person's or the system's (``system:record_calls``, ``system:call_ended``…).

Retention: recordings that ended more than ``days`` ago are deleted at start and hourly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from command_center.audit import AuditStore, audit
from command_center.auth import Principal
from command_center.errors import ConflictError, NotFoundError
from command_center.tasks import cancel_all, stop_if_cancelled
from video import recording_index
from video.events import PointChanged
from video.recorder import CallRecorder
from video.recording_index import ZONE, Recording

if TYPE_CHECKING:
    from video.room import VideoRoom
    from video.sessions import PublisherSession

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 3600.0
RECONCILE_EVERY_S = 0.5
SYSTEM = "system:record_calls"


@dataclass(frozen=True)
class RecordingConfig:
    root: Path  # <data dir>/recordings
    segment_s: float = 300.0
    record_calls: bool = False
    days: float = 90.0
    queue: int = 600  # packets the writer may hold (~10 s of a call) before dropping


class Recordings:
    def __init__(self, room: VideoRoom, config: RecordingConfig, store: AuditStore) -> None:
        self.room = room
        self.config = config
        self.store = store
        self.active: dict[str, tuple[PublisherSession, CallRecorder]] = {}
        self._closing = False
        self._tasks: list[asyncio.Task[None]] = []
        self.retention_rounds = 0  # rounds done (the first at start)

    def run(self) -> None:
        """Follow the room's calls and keep the retention, until ``close``."""
        self.config.root.mkdir(parents=True, exist_ok=True)
        self._tasks = [
            asyncio.create_task(self.follow()),
            asyncio.create_task(self.keep_retention()),
        ]

    # --- start and stop -----------------------------------------------------------

    async def start(self, point_id: str, who: Principal | str) -> dict[str, Any]:
        """Record ``point_id``'s call (409 when it has none); the recording, as listed."""
        point = self.room.point(point_id)
        session = self.room.publishers.get(point_id)
        if session is None:
            raise ConflictError(
                f"point '{point_id}' is not in a call: nothing to record",
                [{"point": point_id, "in_call": False}],
            )
        current = self.active.get(point_id)
        if current is not None and current[0] is not session:  # a call before this one
            await self._finish(point_id, "system:call_ended", "call_ended")
            current = self.active.get(point_id)  # someone may have started it meanwhile
        if current is not None:
            return current[1].recording.public()
        now = time.time()
        stamp = datetime.fromtimestamp(now, ZONE).strftime("%Y%m%dT%H%M%S")
        recording = Recording(
            id=f"{stamp}-{secrets.token_hex(4)}",
            point=point_id,
            name_vi=point.name_vi,
            name_en=point.name_en,
            started_at=now,
        )
        recorder = CallRecorder(
            self.config.root,
            recording,
            session.sources,
            set(session.receivers),
            self.config.segment_s,
            self.config.queue,
        )
        self.active[point_id] = (session, recorder)
        recorder.attach()
        self._mark(session, True)
        await audit(self.store, who, "recording_start", point_id, {"recording": recording.id})
        return recording.public()

    async def stop(self, point_id: str, who: Principal | str) -> dict[str, Any]:
        """Stop recording ``point_id`` (404 when it is not recorded)."""
        self.room.point(point_id)
        if point_id not in self.active:
            raise NotFoundError(f"point '{point_id}' is not being recorded")
        return await self._finish(point_id, who, "stopped")

    async def _finish(self, point_id: str, who: Principal | str, reason: str) -> dict[str, Any]:
        entry = self.active.pop(point_id, None)
        if entry is None:  # stopped meanwhile (by a person, or the call's end)
            raise NotFoundError(f"point '{point_id}' is not being recorded")
        session, recorder = entry
        recorder.close()
        self._mark(session, False)
        listed = recorder.recording.public()
        await audit(
            self.store,
            who,
            "recording_stop",
            point_id,
            {"recording": recorder.recording.id, "reason": reason},
        )
        return listed

    def recording(self, point_id: str) -> bool:
        return point_id in self.active

    def _mark(self, session: PublisherSession, on: bool) -> None:
        session.recording = on
        point = session.point.id
        if self.room.publishers.get(point) is session:
            self.room.emit(PointChanged(status=self.room.status(point), ts=self.room.now_ms()))
            self.room.spawn(self.room.announce(point))  # the other processes' screens too

    # --- calls coming and going ---------------------------------------------------

    async def reconcile(self) -> None:
        """End recordings whose call ended; with ``record_calls``, record every call."""
        for point_id, (session, _) in list(self.active.items()):
            still = self.active.get(point_id)  # (an await below may have ended it)
            ended = self.room.publishers.get(point_id) is not session
            if still is not None and still[0] is session and ended:
                await self._finish(point_id, "system:call_ended", "call_ended")
        if self.config.record_calls and not self._closing:
            for point_id, session in list(self.room.publishers.items()):
                if session.in_call and point_id not in self.active:
                    await self.start(point_id, SYSTEM)

    async def follow(self) -> None:
        while True:
            try:
                await self.reconcile()
            except Exception:
                log.exception("recordings: reconcile failed")
            await asyncio.sleep(RECONCILE_EVERY_S)

    # --- the files ----------------------------------------------------------------

    async def listed(
        self, start: float | None = None, end: float | None = None, point: str | None = None
    ) -> list[dict[str, Any]]:
        """Recordings overlapping [start, end] (epoch s), of ``point``, newest first."""
        found = await asyncio.to_thread(recording_index.load_all, self.config.root)
        listed = []
        for rec in found:
            ended = rec.ended_at if rec.ended_at is not None else time.time()
            if point is not None and rec.point != point:
                continue
            if (start is not None and ended < start) or (end is not None and rec.started_at > end):
                continue
            listed.append(rec.public())
        return listed

    async def segment_file(self, recording_id: str, index: int) -> Path:
        root = self.config.root
        recording = await asyncio.to_thread(recording_index.find, root, recording_id)
        if recording is None:
            raise NotFoundError(f"no recording '{recording_id}'")
        path = recording_index.segment_path(root, recording, index)
        if path is None:
            raise NotFoundError(f"recording '{recording_id}' has no segment {index}")
        return path

    async def enforce_retention(self) -> list[str]:
        cutoff = time.time() - self.config.days * 86_400
        keep = {recorder.recording.id for _, recorder in self.active.values()}
        deleted = await asyncio.to_thread(
            recording_index.delete_older, self.config.root, cutoff, keep
        )
        self.retention_rounds += 1
        if deleted:
            log.info("recordings: %d past %g days deleted", len(deleted), self.config.days)
        return deleted

    async def keep_retention(self) -> None:
        closed = await asyncio.to_thread(recording_index.close_interrupted, self.config.root)
        if closed:
            log.warning("recordings: %d left open by a stopped process, closed", len(closed))
        while True:
            try:
                await self.enforce_retention()
            except Exception:
                stop_if_cancelled()
                log.exception("recordings: retention failed")
            await asyncio.sleep(RETENTION_EVERY_S)

    async def close(self) -> None:
        """End every recording and wait (off the loop) for its last segment to close."""
        self._closing = True
        await cancel_all(self._tasks)
        writers = [r.writer for _, r in self.active.values() if r.writer is not None]
        for point_id in list(self.active):
            await self._finish(point_id, "system:shutdown", "shutdown")
        for writer in writers:
            await asyncio.to_thread(writer.join, 5.0)


@contextlib.asynccontextmanager
async def open_recordings(
    room: VideoRoom, config: RecordingConfig, store: AuditStore
) -> AsyncIterator[Recordings]:
    """The recordings of ``room``'s calls; every recording ends (its index closed) at exit."""
    recordings = Recordings(room, config, store)
    recordings.run()
    try:
        yield recordings
    finally:
        await recordings.close()


def recording_config(settings: Any) -> RecordingConfig:
    """From the server's ``Settings`` (``record_calls``, ``recording_days``,
    ``recording_segment_s``; files under ``<data dir>/recordings``)."""
    return RecordingConfig(
        settings.data_dir / "recordings",
        segment_s=settings.recording_segment_s,
        record_calls=settings.record_calls,
        days=settings.recording_days,
    )
