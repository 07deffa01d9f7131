"""One call's recorder: one more subscriber of a publisher's two ``MediaSource``s.

It taps the encoded frames the relay forwards (the same ``EncodedFrame`` objects every
``ForwardTrack`` is offered, never decoded), waits for a video keyframe (asking the
publisher for one, as a new subscriber does), then hands each frame to its writer thread
(``video.recording_writer``) with a presentation time:

    timestamps   from the RTP timestamps: 90 kHz video, 48 kHz audio, each unwrapped past
                 its 32-bit wrap; both kinds share one origin (the arrival of the first
                 keyframe, and each kind's first frame placed by its arrival after it), so
                 audio and video stay in step for the whole call
    segments     a new segment opens on the first keyframe once ``segment_s`` has passed;
                 a keyframe is asked for shortly before, so segments stay near their length
    back-pressure  the writer's queue is bounded: a dropped video packet means waiting for
                 the next keyframe (a decoder cannot skip a delta frame); counted, logged

Everything here runs on the event loop and costs a few dict operations per frame.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from video.aiortc_hooks import EncodedFrame
from video.picture_size import picture_size
from video.recording_index import Recording
from video.recording_writer import HEADROOM_TICKS, Close, OpenSegment, Packet, SegmentWriter
from video.source import MediaSource

log = logging.getLogger(__name__)

CLOCK = {"video": 90_000, "audio": 48_000}
WRAP = 1 << 32
# Ask for the boundary keyframe this long before a segment is due (or a tenth of a
# short segment), so it arrives close to the boundary.
KEYFRAME_LEAD_S = 1.0
# Still no keyframe this long after asking (a lost PLI, a busy encoder): ask again.
KEYFRAME_RETRY_S = 1.0


class _Unwrap:
    """32-bit RTP timestamps to a monotonic count (a step back of more than half the
    range is a wrap)."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.high = 0

    def __call__(self, timestamp: int) -> int:
        if self.last is not None:
            step = timestamp - self.last
            if step < -WRAP // 2:
                self.high += WRAP
            elif step > WRAP // 2:
                self.high -= WRAP  # a late packet from before the wrap
        self.last = timestamp
        return timestamp + self.high


class _Tap:
    """What ``MediaSource`` sees: a subscriber with ``offer``, like a ``ForwardTrack``
    (and its ``frames_sent``, which the link statistics add up)."""

    def __init__(self, recorder: CallRecorder, kind: str) -> None:
        self.recorder = recorder
        self.kind = kind
        self.want_keyframe: Callable[[], None] = lambda: None
        self.frames_sent = 0

    def offer(self, frame: EncodedFrame, stream: object) -> None:
        self.frames_sent += 1
        self.recorder.on_frame(self.kind, frame)

    def set_keyframe_callback(self, callback: Callable[[], None]) -> None:
        self.want_keyframe = callback

    def need_keyframe(self) -> None:
        if self.kind == "video":
            self.want_keyframe()


class CallRecorder:
    def __init__(
        self,
        root: Path,
        recording: Recording,
        sources: dict[str, MediaSource],
        kinds: set[str],
        segment_s: float,
        capacity: int = 600,
    ) -> None:
        self.recording = recording
        self.sources = sources
        self.kinds = kinds  # what the publisher sends ("video", "audio")
        self.segment_ticks = max(1, round(segment_s * CLOCK["video"]))
        self.lead_ticks = round(min(KEYFRAME_LEAD_S, segment_s / 10) * CLOCK["video"])
        recording.audio_codec = "opus" if "audio" in kinds else None
        self.writer: SegmentWriter | None = None
        self._root = root
        self._capacity = capacity
        self._taps = {kind: _Tap(self, kind) for kind in sources}
        self._unwrap = {kind: _Unwrap() for kind in CLOCK}
        self._first: dict[str, int] = {}  # each kind's first unwrapped timestamp
        self._base: dict[str, int] = {}  # …and where it sits on the common origin
        self._origin: float | None = None  # epoch s of the first keyframe's arrival
        self._need_keyframe = "video" in kinds
        self._segment = -1
        self._segment_start = 0
        self._asked = False  # the boundary keyframe was asked for this segment
        self._asked_at = 0.0  # when a keyframe to start or resync on was last asked for
        self.frames = {"video": 0, "audio": 0}
        self.resyncs = 0
        self.closed = False

    @property
    def started(self) -> bool:
        return self._origin is not None

    def attach(self) -> None:
        for kind, tap in self._taps.items():
            self.sources[kind].attach(tap)  # type: ignore[arg-type]

    def detach(self) -> None:
        for kind, tap in self._taps.items():
            self.sources[kind].detach(tap)  # type: ignore[arg-type]

    def _ask_keyframe(self, now: float | None = None) -> None:
        self._asked_at = time.time() if now is None else now
        self._taps["video"].want_keyframe()

    def _waiting(self, frame: EncodedFrame) -> None:
        """A delta frame while waiting for a keyframe: ask again now and then."""
        if frame.received_at - self._asked_at >= KEYFRAME_RETRY_S:
            self._ask_keyframe(frame.received_at)

    def on_frame(self, kind: str, frame: EncodedFrame) -> None:
        if self.closed:
            return
        if self._origin is None:
            leading = "video" if "video" in self.kinds else "audio"
            if kind == "video" and not frame.keyframe:
                self._waiting(frame)
            if kind != leading or (kind == "video" and not frame.keyframe):
                return
            self._origin = frame.received_at
            self.recording.started_at = frame.received_at
            if kind == "video":
                self.recording.video_codec = frame.codec.lower()
            self.writer = SegmentWriter(self._root, self.recording, self._capacity)
        assert self.writer is not None
        ticks = self._unwrap[kind](frame.timestamp)
        if kind not in self._first:
            self._first[kind] = ticks
            self._base[kind] = round((frame.received_at - self._origin) * CLOCK[kind])
        pts = ticks - self._first[kind] + self._base[kind]
        leads = kind == "video" or "video" not in self.kinds
        if leads and not self._video(frame, pts, kind):
            return
        if not self.writer.put(Packet(kind, frame.data, pts, frame.keyframe)):
            if self.writer.dropped % 1000 == 1:  # the first, then every thousandth
                log.warning(
                    "recording %s: the disk does not keep up, %d packets dropped so far",
                    self.recording.id,
                    self.writer.dropped,
                )
            if kind == "video":
                self._need_keyframe = True
                self.resyncs += 1
                self._ask_keyframe()
            return
        self.frames[kind] += 1

    def _video(self, frame: EncodedFrame, pts: int, kind: str) -> bool:
        """Segment bookkeeping on the leading kind; False: leave this frame out."""
        assert self.writer is not None and self._origin is not None
        if kind == "video" and self._need_keyframe:
            if not frame.keyframe:
                self._waiting(frame)
                return False
            self._need_keyframe = False
        ticks = pts if kind == "video" else pts * CLOCK["video"] // CLOCK["audio"]
        due = ticks - self._segment_start >= self.segment_ticks
        if self._segment < 0 or (due and frame.keyframe):
            self._segment += 1
            self._segment_start = ticks
            self._asked = False
            # the wall-clock time of the file's time 0 (HEADROOM before the keyframe)
            started = self._origin + (ticks - HEADROOM_TICKS) / CLOCK["video"]
            size = picture_size(frame.codec, frame.data) if kind == "video" else (0, 0)
            self.writer.put(OpenSegment(self._segment, started, ticks, size))
        elif (
            kind == "video" and ticks - self._segment_start >= self.segment_ticks - self.lead_ticks
        ):
            if not self._asked:
                self._asked = True
                self._ask_keyframe(frame.received_at)
            elif due:  # overdue: the request was lost or ignored, ask again now and then
                self._waiting(frame)
        return True

    def close(self, ended_at: float | None = None) -> None:
        """Stop taking frames; the writer closes the last segment and the index."""
        if self.closed:
            return
        self.closed = True
        self.detach()
        if self.writer is not None:
            self.writer.put(Close(ended_at if ended_at is not None else time.time()))
        if self.writer is not None and self.writer.dropped:
            log.warning(
                "recording %s: %d packets dropped (the disk did not keep up)",
                self.recording.id,
                self.writer.dropped,
            )
