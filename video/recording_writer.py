"""The recorder's writer thread: encoded packets in, segment files out, never on the loop.

The recorder (on the event loop) puts commands on a bounded queue and never waits:
``open`` a segment, ``packet`` (kind, bytes, pts, keyframe), ``close`` the recording.
Packets beyond ``capacity`` queued are dropped and counted (a slow disk never holds the
relay back); the recorder then waits for the next keyframe so the file stays decodable.
Commands are never dropped (a few slots are kept for them).

The thread muxes with PyAV's ``add_mux_stream``: the packets' bytes go into the file as
they came (no decoder, no encoder is opened). A segment is closed (trailer, cues) and the
index rewritten (``recording_index.save``) before the next one opens, so a crash loses at
most the segment being written. Write latency (one packet's mux) is sampled for the
benchmark.
"""

from __future__ import annotations

import fractions
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from video.recording_index import Recording, Segment, save

log = logging.getLogger(__name__)

VIDEO_BASE = fractions.Fraction(1, 90_000)
AUDIO_BASE = fractions.Fraction(1, 48_000)
CONTROL_SLOTS = 8
LATENCY_SAMPLES = 10_000
# A segment's file time 0 is this far (90 kHz) before its first keyframe: 100 ms.
HEADROOM_TICKS = 9_000
# When a keyframe's header names no size (video.picture_size could not read it), the
# header says this; decoders size the picture from the stream itself.
FALLBACK_SIZE = (1280, 720)


@dataclass(frozen=True)
class OpenSegment:
    index: int
    started_at: float  # epoch s
    start_pts: int  # video clock (90 kHz) of the segment's keyframe, since the recording's
    size: tuple[int, int] = (0, 0)  # the keyframe's picture size (the muxer needs one)


@dataclass(frozen=True)
class Packet:
    kind: str  # "video" | "audio"
    data: bytes
    pts: int  # 90 kHz (video) or 48 kHz (audio) since the recording's origin
    keyframe: bool


@dataclass(frozen=True)
class Close:
    ended_at: float


def suffix(video_codec: str | None) -> str:
    return ".mkv" if video_codec == "h264" else ".webm"


class SegmentWriter:
    """One recording's thread. ``put`` from the loop; ``on_change(recording)`` is called
    from the thread after every index write (the recorder forwards it to the loop)."""

    def __init__(
        self,
        root: Path,
        recording: Recording,
        capacity: int = 600,
        on_change: Callable[[Recording], None] = lambda r: None,
    ) -> None:
        self.root = root
        self.recording = recording
        self.capacity = capacity
        self.dropped = 0
        self.late = 0  # packets too early for their segment or out of order (not written)
        self.latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)  # seconds per mux
        self.closes: deque[float] = deque(maxlen=LATENCY_SAMPLES)  # seconds per segment close
        self._queue: queue.Queue[OpenSegment | Packet | Close] = queue.Queue(
            capacity + CONTROL_SLOTS
        )
        self._on_change = on_change
        self._container: Any = None
        self._streams: dict[str, Any] = {}
        self._segment: Segment | None = None
        self._start: dict[str, int] = {}  # the open segment's origin per kind
        self._last: dict[str, int] = {}  # last pts written per kind (monotonic)
        self._thread = threading.Thread(
            target=self._run, name=f"recorder-{recording.point}", daemon=True
        )
        self._thread.start()

    # --- the loop's side ---------------------------------------------------------

    def put(self, item: OpenSegment | Packet | Close) -> bool:
        """Queue ``item``; False when a packet was dropped (the queue is full)."""
        if isinstance(item, Packet) and self._queue.qsize() >= self.capacity:
            self.dropped += 1
            return False
        try:
            self._queue.put_nowait(item)
        except queue.Full:  # only if commands pile up past their slots: never block
            self.dropped += 1
            return False
        return True

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    # --- the thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if isinstance(item, OpenSegment):
                    self._finish_segment(item.started_at)
                    self._open(item)
                elif isinstance(item, Packet):
                    self._write(item)
                else:
                    self._finish_segment(item.ended_at)
                    self.recording.ended_at = item.ended_at
                    self.recording.dropped = self.dropped
                    self._save()
                    return
            except Exception:  # a full disk, a muxer refusal: say so, keep the thread
                log.exception("recording %s: writing failed", self.recording.id)

    def _open(self, item: OpenSegment) -> None:
        rec = self.recording
        name = f"{item.index}{suffix(rec.video_codec)}"
        path = rec.folder(self.root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        container: Any = av.open(
            str(path), "w", format="matroska" if name.endswith(".mkv") else "webm"
        )
        self._streams = {}
        if rec.video_codec:
            width, height = item.size if all(item.size) else FALLBACK_SIZE
            self._streams["video"] = container.add_mux_stream(
                rec.video_codec, width=width, height=height
            )
            self._streams["video"].time_base = VIDEO_BASE
        if rec.audio_codec:
            self._streams["audio"] = container.add_mux_stream(rec.audio_codec, rate=48_000)
            self._streams["audio"].time_base = AUDIO_BASE
        self._container = container
        self._segment = Segment(item.index, item.started_at, file=name)
        # File time 0 is a little before the keyframe: sound captured just before it (and
        # arriving just after the switch) still fits in this segment.
        origin = item.start_pts - HEADROOM_TICKS
        self._start = {"video": origin, "audio": origin * 48 // 90}
        self._last = {}
        rec.segments.append(self._segment)
        self._save()

    def _write(self, item: Packet) -> None:
        stream = self._streams.get(item.kind)
        if stream is None or self._container is None:
            return
        pts = item.pts - self._start[item.kind]
        if pts < 0 or pts <= self._last.get(item.kind, -1):
            self.late += 1  # before this segment's start, or out of order: not muxable
            return
        self._last[item.kind] = pts
        packet = av.Packet(item.data)
        packet.pts = packet.dts = pts
        packet.time_base = VIDEO_BASE if item.kind == "video" else AUDIO_BASE
        packet.stream = stream
        packet.is_keyframe = item.keyframe
        started = time.perf_counter()
        self._container.mux(packet)
        self.latencies.append(time.perf_counter() - started)

    def _finish_segment(self, ended_at: float) -> None:
        segment, container = self._segment, self._container
        if segment is None or container is None:
            return
        self._segment = self._container = None
        started = time.perf_counter()
        container.close()
        self.closes.append(time.perf_counter() - started)
        video = self._last.get("video")
        audio = self._last.get("audio")
        spans = [p / 90_000 for p in (video,) if p is not None]
        spans += [a / 48_000 for a in (audio,) if a is not None]
        segment.duration_s = round(max(spans), 3) if spans else 0.0
        segment.ended_at = ended_at
        path = self.recording.folder(self.root) / segment.file
        segment.bytes = path.stat().st_size if path.exists() else 0
        self._save()

    def _save(self) -> None:
        save(self.root, self.recording)
        self._on_change(self.recording)
