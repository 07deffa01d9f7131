"""One subscriber's outgoing track: encoded frames in, ``av.Packet`` out to aiortc's sender.

The relay pushes frames without waiting (``offer``); each track has a bounded queue so the
slowest subscriber never sets the pace. A video track that falls behind drops everything
queued and waits for the next keyframe (never single frames: a decoder cannot skip a
delta frame), asking the publisher for one; an audio track drops its oldest packet.
Timestamps are rebased so the outgoing stream stays monotonic when the source switches
(active speaker, the console's program) or a publisher reconnects.
"""

from __future__ import annotations

import asyncio
import fractions
from collections import deque
from collections.abc import Callable

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from video.aiortc_hooks import EncodedFrame

CLOCK = {"video": 90_000, "audio": 48_000}
STEP = {"video": 3_000, "audio": 960}  # one frame at 30 fps; one 20 ms packet


class ForwardTrack(MediaStreamTrack):
    """Encoded frames of whichever source currently feeds this subscriber."""

    def __init__(
        self,
        kind: str,
        capacity: int,
        on_keyframe_needed: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.codec: str | None = None  # the negotiated codec; others are not sent
        self._capacity = capacity
        self._queue: deque[tuple[EncodedFrame, int]] = deque()
        self._ready = asyncio.Event()
        self._on_keyframe_needed = on_keyframe_needed
        self._need_keyframe = kind == "video"
        self._stream: object | None = None  # identity of the stream the last frame came from
        self._offset = 0
        self._last_in = 0
        self._last_out: int | None = None  # pts of the last frame queued
        self._time_base = fractions.Fraction(1, CLOCK[kind])
        # counters for the roster and the tests
        self.frames_in = 0
        self.frames_sent = 0
        self.dropped = 0
        self.resyncs = 0  # times the queue was dropped to the next keyframe
        self.wrong_codec = 0

    def set_keyframe_callback(self, callback: Callable[[], None]) -> None:
        self._on_keyframe_needed = callback

    def offer(self, frame: EncodedFrame, stream: object) -> None:
        """Queue ``frame`` from ``stream`` (never blocks; drops as described above)."""
        if self.readyState != "live":
            return
        self.frames_in += 1
        if self.codec is not None and frame.codec.lower() != self.codec.lower():
            self.wrong_codec += 1
            return
        # A new source, or the publisher's clock went back (it reconnected): rebase.
        if stream is not self._stream or frame.timestamp < self._last_in:
            self._rebase(frame, stream)
        self._last_in = frame.timestamp
        if self.kind == "video":
            if frame.keyframe and (self._need_keyframe or len(self._queue) >= self._capacity):
                # A keyframe makes everything queued before it moot.
                self.dropped += len(self._queue)
                self._queue.clear()
                self._need_keyframe = False
            elif self._need_keyframe:
                self.dropped += 1
                return
            elif len(self._queue) >= self._capacity:
                self.dropped += len(self._queue) + 1
                self._queue.clear()
                self.resyncs += 1
                self.need_keyframe()
                return
        elif len(self._queue) >= self._capacity:
            self._queue.popleft()
            self.dropped += 1
        pts = frame.timestamp + self._offset
        self._last_out = pts
        self._queue.append((frame, pts))
        self._ready.set()

    def need_keyframe(self) -> None:
        """Send nothing until the next keyframe, and ask the source for one."""
        if self.kind == "video":
            self._need_keyframe = True
            self._on_keyframe_needed()

    def _rebase(self, frame: EncodedFrame, stream: object) -> None:
        self._stream = stream
        if self._last_out is not None:
            self._offset = self._last_out + STEP[self.kind] - frame.timestamp
        else:
            self._offset = -frame.timestamp
        if self.kind == "video" and not frame.keyframe:
            self.need_keyframe()

    async def recv(self) -> av.Packet:  # type: ignore[override, type-arg]
        while not self._queue:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        frame, pts = self._queue.popleft()
        packet = av.Packet(frame.data)
        packet.pts = pts
        packet.time_base = self._time_base
        self.frames_sent += 1
        return packet

    def stop(self) -> None:
        super().stop()
        self._ready.set()  # wake a waiting recv so the sender ends
