"""One publisher's track of one kind (video or audio), fanned out to its subscribers.

Frames arrive on the event loop from the receiver hook and are offered to every
subscriber's ``ForwardTrack`` without awaiting anything, so no subscriber can delay
another. Keyframe requests from subscribers are paced and sent to the publisher as PLI.
Each audio frame reports a level: the RFC 6464 header extension when the publisher sent
one, else a stand-in from the Opus packet's size (``PacketActivity``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from video.aiortc_hooks import EncodedFrame
from video.forward_track import ForwardTrack
from video.speaker import PacketActivity

log = logging.getLogger(__name__)


class MediaSource:
    def __init__(
        self,
        point: str,
        kind: str,
        request_keyframe: Callable[[], Awaitable[bool]],
        keyframe_interval_s: float,
        on_audio_level: Callable[[int], None] = lambda level: None,
        speech_level: int = 50,
    ) -> None:
        self.point = point
        self.kind = kind
        self.codec: str | None = None
        self.enabled = True  # False while muted: audio reaches nobody
        self.subscribers: set[ForwardTrack] = set()
        self._request_keyframe = request_keyframe
        self._interval = keyframe_interval_s
        self._on_audio_level = on_audio_level
        self._activity = PacketActivity(speech_level)
        self._last_request = 0.0
        self._pending: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        # counters (read for link statistics)
        self.frames = 0
        self.bytes = 0
        self.keyframes = 0
        self.keyframe_requests = 0
        self.last_frame_at: float | None = None
        self.levels_from_header = 0  # audio frames with an RFC 6464 level
        self.levels_from_size = 0  # audio frames judged by packet size

    def deliver(self, frame: EncodedFrame) -> None:
        self.frames += 1
        self.bytes += len(frame.data)
        self.last_frame_at = frame.received_at
        self.codec = frame.codec
        if frame.keyframe and self.kind == "video":
            self.keyframes += 1
        if frame.audio_level is not None:
            self.levels_from_header += 1
            self._on_audio_level(frame.audio_level)
        elif self.kind == "audio":
            self.levels_from_size += 1
            self._on_audio_level(self._activity.level(len(frame.data), frame.received_at))
        if not self.enabled:
            return
        for track in list(self.subscribers):
            track.offer(frame, self)

    def attach(self, track: ForwardTrack) -> None:
        self.subscribers.add(track)
        track.set_keyframe_callback(self.want_keyframe)
        track.need_keyframe()

    def detach(self, track: ForwardTrack) -> None:
        self.subscribers.discard(track)

    def want_keyframe(self) -> None:
        """A subscriber needs a keyframe: ask the publisher, at most once per interval."""
        if self.kind != "video" or self._pending is not None or self._closed:
            return
        loop = asyncio.get_running_loop()
        wait = self._last_request + self._interval - time.monotonic()
        self._pending = loop.call_later(max(0.0, wait), self._send_request)

    def _send_request(self) -> None:
        self._pending = None
        self._last_request = time.monotonic()
        task = asyncio.ensure_future(self._request())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _request(self) -> None:
        if await self._request_keyframe():
            self.keyframe_requests += 1
        elif self.subscribers:
            # No packet yet, so no SSRC to name: ask again once media flows.
            self.want_keyframe()

    def close(self) -> None:
        self._closed = True
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self.subscribers.clear()
