"""How the video room runs: queue bounds, keyframe pacing, speaker detection, ICE."""

from __future__ import annotations

from dataclasses import dataclass

from video.ice import IceServer


@dataclass(frozen=True)
class VideoConfig:
    # ICE host candidates on exactly these addresses; None gathers on every interface
    # except loopback (aioice's default). Tests on 127.0.0.1 pass ("127.0.0.1",).
    host_addresses: tuple[str, ...] | None = None
    # STUN/TURN servers (``video/ice.py``): none by default, never aiortc's public one.
    ice_servers: tuple[IceServer, ...] = ()
    # Frames a subscriber may lag before it is dropped to the next keyframe (~270 ms at 30 fps).
    video_queue: int = 8
    audio_queue: int = 25  # 500 ms of 20 ms packets; audio drops the oldest packet
    # At most one keyframe request per publisher per this many seconds (PLI storms
    # from many new tiles at once would flood the publisher's encoder).
    keyframe_interval_s: float = 0.3
    # Active speaker: louder than this (-dBov, RFC 6464: 0 loudest, 127 silence) counts as
    # speech; a new speaker must lead for ``speaker_hold_s`` before the switch.
    speech_level: int = 50
    speaker_hold_s: float = 0.8
    stats_interval_s: float = 2.0
    # Audio tracks a subscriber may take (one per offered audio section): it hears that
    # many publishers side by side, forwarded, never mixed (its browser plays them all).
    audio_slots: int = 3
    # A publisher with no frame for this long is "no media" (not in call) until frames
    # come back; a peer that sent nothing at all (no RTP, RTCP or STUN, and answered no
    # probe) for ``link_timeout_s`` is gone: its session ends as link_lost. Before its
    # first datagram a new session gets ``connect_timeout_s``.
    media_timeout_s: float = 3.0
    link_timeout_s: float = 6.0
    connect_timeout_s: float = 10.0
    # Bounds a client cannot grow past: WHEP sessions per credential (a screen with a few
    # video tiles, each resubscribing after a drop, stays well under) and sessions in all.
    max_watchers_per_holder: int = 16
    max_sessions: int = 200
    watchdog_interval_s: float = 0.5
