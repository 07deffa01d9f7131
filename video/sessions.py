"""The room's two kinds of session and what each owns.

``PublisherSession``: one bridge point's WHIP link (its peer connection, receivers and the
two ``MediaSource``s its frames feed), who holds the slot, and its link figures.
``WatcherSession``: one WHEP subscriber's link, what it watches, its ``ForwardTrack``s
(one video, one or more audio) and which source feeds each track now. Both carry a
``Liveness`` and the (monotonic) time they were made, for the watchdog
(``video.link_watch``). The helpers below build a publisher's sources and hold the
room's session bounds.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from aiortc import RTCPeerConnection, RTCRtpReceiver

from video.aiortc_hooks import Liveness, request_keyframe
from video.config import VideoConfig
from video.errors import TooManySessions
from video.events import LinkStats
from video.forward_track import ForwardTrack
from video.registry import BridgePoint
from video.source import MediaSource


@dataclass
class PublisherSession:
    id: str
    point: BridgePoint
    holder: str  # who holds the slot: "point:<id>" or "user:<name>"
    pc: RTCPeerConnection
    sources: dict[str, MediaSource]
    created_at: float  # on the room's monotonic clock
    receivers: dict[str, RTCRtpReceiver] = field(default_factory=dict)
    liveness: Liveness = field(default_factory=Liveness)
    connected: bool = False  # ICE and DTLS up
    in_call: bool = False  # connected and frames arriving
    recording: bool = False  # a recorder subscribes (video.recordings): ĐANG GHI · REC
    # link statistics: the counters at the last report
    last_report: tuple[float, int, int] = (0.0, 0, 0)  # (time, bytes, frames)
    rtt_ms: float | None = None  # smoothed STUN round trip
    stats: LinkStats | None = None

    def media_fresh(self, now: float, timeout: float) -> bool:
        """A frame (video or audio) arrived within ``timeout`` s of ``now`` (time.time)."""
        times = [s.last_frame_at for s in self.sources.values() if s.last_frame_at is not None]
        return bool(times) and now - max(times) < timeout


@dataclass
class WatcherSession:
    id: str
    source: str  # a point id, PROGRAM or ACTIVE
    viewer: str  # "point:<id>", "screen:<id>" or "user:<name>"
    viewer_point: str | None  # the point watching, so it never hears itself
    tracks: dict[str, ForwardTrack]  # "video", then "audio", "audio1", … (one per slot)
    created_at: float  # on the room's monotonic clock
    attached: dict[str, MediaSource | None] = field(default_factory=dict)
    liveness: Liveness = field(default_factory=Liveness)
    rtt_ms: float | None = None
    # Set once the offer is answered, before the session is listed: no placeholder
    # connection is ever made (it would be one more object aiortc never closes).
    pc: RTCPeerConnection = field(init=False)

    def audio_keys(self) -> list[str]:
        return [key for key, track in self.tracks.items() if track.kind == "audio"]

    def heard(self) -> list[str | None]:
        """The point each audio track carries now, in ``audio_keys`` order."""
        return [
            (s.point if (s := self.attached.get(key)) is not None else None)
            for key in self.audio_keys()
        ]


def audio_key(slot: int) -> str:
    return "audio" if slot == 0 else f"audio{slot}"


def watcher_tracks(offered_audio: int, config: VideoConfig) -> dict[str, ForwardTrack]:
    """A watcher's tracks: one video, and one audio per offered audio section (at least
    one, at most ``audio_slots``)."""
    tracks = {"video": ForwardTrack("video", config.video_queue)}
    for slot in range(max(1, min(offered_audio, config.audio_slots))):
        tracks[audio_key(slot)] = ForwardTrack("audio", config.audio_queue)
    return tracks


def live(pc: RTCPeerConnection) -> bool:
    return pc.connectionState in ("new", "connecting", "connected")


def publisher_sources(
    point_id: str,
    config: VideoConfig,
    requester: Callable[[str], Callable[[], Awaitable[bool]]],
    on_level: Callable[[int], None],
) -> dict[str, MediaSource]:
    """A publisher's two sources; ``requester(kind)`` asks its point for a keyframe."""
    return {
        kind: MediaSource(
            point_id,
            kind,
            requester(kind),
            config.keyframe_interval_s,
            on_audio_level=on_level,
            speech_level=config.speech_level,
        )
        for kind in ("video", "audio")
    }


def keyframe_requester(
    current: Callable[[], PublisherSession | None], session_id: str
) -> Callable[[str], Callable[[], Awaitable[bool]]]:
    """Keyframe requests for session ``session_id`` of a point (``current`` is the
    point's session now): a replaced session's sources ask nobody."""

    def for_kind(kind: str) -> Callable[[], Awaitable[bool]]:
        async def request() -> bool:
            session = current()
            if session is None or session.id != session_id or kind not in session.receivers:
                return False
            receiver = session.receivers[kind]
            sources = receiver.getSynchronizationSources()
            for source in sources:
                await request_keyframe(receiver, source.source)
            return bool(sources)

        return request

    return for_kind


def check_room_bound(sessions: int, config: VideoConfig) -> None:
    """429 (too_many_sessions) once the room holds ``max_sessions`` sessions."""
    if sessions >= config.max_sessions:
        raise TooManySessions(
            f"the video room holds {sessions} sessions, its limit; retry shortly",
            retry_after_s=math.ceil(config.connect_timeout_s),
        )


def check_holder_bound(
    watchers: Iterable[WatcherSession], viewer: str, config: VideoConfig
) -> None:
    """429 (too_many_sessions) once ``viewer`` watches with ``max_watchers_per_holder``
    sessions."""
    held = sum(1 for w in watchers if w.viewer == viewer)
    if held >= config.max_watchers_per_holder:
        raise TooManySessions(
            f"{viewer} already watches with {held} sessions (at most "
            f"{config.max_watchers_per_holder}); end one (DELETE its Location) or "
            f"retry once an unconnected one is reaped",
            retry_after_s=math.ceil(config.connect_timeout_s),
            details=[{"holder": viewer, "sessions": held}],
        )
