"""Watching the room's links: who went silent, and how each publisher's link is doing.

    liveness     a peer that sent nothing for ``link_timeout_s`` (killed, unplugged), or
                 never anything within ``connect_timeout_s`` of its offer, is gone
                 (``gone``), long before aiortc's ICE consent (~30 s) would say so
    probes       a STUN round trip on each connected link (``probe``) gives its RTT and
                 proves the peer alive
    statistics   a publisher's bitrate and frame rate between two reports, with aiortc's
                 RTCP view of loss and jitter (``measure``)
    pacing       ``every`` runs a tick on the room's clock until cancelled; an error in one
                 tick is logged and the next tick runs

``LinkWatch`` applies these to the room (reached through ``Host``): ``check`` is the
watchdog's tick, ``report`` the statistics ticker's. Times are on the room's monotonic
``Clock`` (``video.clock``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Protocol

from aiortc import RTCPeerConnection, RTCRtpReceiver

from command_center.tasks import stop_if_cancelled
from video.aiortc_hooks import Liveness, ice_round_trip
from video.clock import Clock
from video.config import VideoConfig
from video.events import LinkStats, LinkStatsEvent, RoomEvent
from video.sessions import PublisherSession, WatcherSession

log = logging.getLogger(__name__)


def gone(liveness: Liveness, created_at: float, now: float, config: VideoConfig) -> bool:
    """Nothing heard from the peer for too long (or never, since its offer)."""
    if liveness.heard_at is None:
        return now - created_at > config.connect_timeout_s
    return now - liveness.heard_at > config.link_timeout_s


async def probe(pc: RTCPeerConnection, liveness: Liveness) -> float | None:
    """A STUN round trip (s) on a connected link; an answer marks the peer heard."""
    if pc.connectionState != "connected":
        return None
    rtt = await ice_round_trip(pc)
    if rtt is not None:
        liveness.heard()
    return rtt


def smooth(old_ms: float | None, rtt_s: float | None) -> float | None:
    """RTT in ms, smoothed; a lost probe keeps the last figure."""
    if rtt_s is None:
        return old_ms
    new_ms = rtt_s * 1000.0
    return new_ms if old_ms is None else 0.7 * old_ms + 0.3 * new_ms


async def measure(session: PublisherSession, now: float) -> LinkStats | None:
    """The publisher's link figures since its last report (None at its first report,
    which only sets the counters)."""
    video, audio = session.sources["video"], session.sources["audio"]
    nbytes, frames = video.bytes + audio.bytes, video.frames
    then, old_bytes, old_frames = session.last_report
    session.last_report = (now, nbytes, frames)
    if then == 0.0:
        return None
    span = max(now - then, 1e-6)
    loss, jitter = await _inbound(session.receivers.get("video"))
    return LinkStats(
        bitrate_kbps=round((nbytes - old_bytes) * 8 / span / 1000, 1),
        fps=round((frames - old_frames) / span, 1),
        packet_loss_pct=loss,
        jitter_ms=jitter,
        rtt_ms=None if session.rtt_ms is None else round(session.rtt_ms, 2),
        frames_forwarded=sum(t.frames_sent for t in video.subscribers),
        keyframes=video.keyframes,
    )


async def _inbound(receiver: RTCRtpReceiver | None) -> tuple[float | None, float | None]:
    """Packet loss (%) and jitter (ms) of a receiver, from aiortc's inbound-rtp stats."""
    if receiver is None:
        return None, None
    report = await receiver.getStats()
    for stats in report.values():
        if getattr(stats, "type", None) == "inbound-rtp":
            received, lost = stats.packetsReceived, stats.packetsLost
            loss = 100.0 * lost / (received + lost) if received + lost else 0.0
            return round(loss, 2), round(stats.jitter / 90.0, 2)
    return None, None


async def every(
    clock: Clock, interval_s: float, tick: Callable[[], Awaitable[None]], what: str
) -> None:
    """``tick`` every ``interval_s`` on ``clock``, until cancelled; a failed tick must not
    stop the room."""
    while True:
        await clock.sleep(interval_s)
        try:
            await tick()
        except Exception:
            stop_if_cancelled()
            log.exception("%s failed", what)


class Host(Protocol):
    """What of the room this needs."""

    @property
    def config(self) -> VideoConfig: ...
    @property
    def monotonic(self) -> Clock: ...
    @property
    def publishers(self) -> Mapping[str, PublisherSession]: ...
    @property
    def watchers(self) -> Mapping[str, WatcherSession]: ...
    def update_in_call(self, session: PublisherSession) -> None: ...
    async def drop_publisher(self, session: PublisherSession, reason: str) -> None: ...
    async def end_watcher(self, session_id: str) -> None: ...
    def spawn(self, coro: Coroutine[object, object, None]) -> None: ...
    def emit(self, event: RoomEvent) -> None: ...
    def now_ms(self) -> float: ...


class LinkWatch:
    def __init__(self, host: Host) -> None:
        self.host = host

    def check(self) -> None:
        """The watchdog's tick: media that stalled or came back, and peers that vanished
        without a DELETE (a killed process, a pulled cable)."""
        host = self.host
        now = host.monotonic.now()
        for session in list(host.publishers.values()):
            if gone(session.liveness, session.created_at, now, host.config):
                log.info("bridge point %s: nothing heard, link lost", session.point.id)
                host.spawn(host.drop_publisher(session, "link_lost"))
            else:
                host.update_in_call(session)
        for watcher in list(host.watchers.values()):
            if gone(watcher.liveness, watcher.created_at, now, host.config):
                host.spawn(host.end_watcher(watcher.id))

    async def report(self) -> None:
        """Link statistics of every publishing point: our counters, aiortc's RTCP view
        (loss, jitter) and a STUN round trip on its WHIP link (RTT). The probe also
        proves the peer alive to the watchdog (watchers are probed for that alone)."""
        host = self.host
        publishers, watchers = list(host.publishers.values()), list(host.watchers.values())
        rtts = await asyncio.gather(
            *(probe(s.pc, s.liveness) for s in publishers),
            *(probe(w.pc, w.liveness) for w in watchers),
        )
        for watcher, rtt in zip(watchers, rtts[len(publishers) :], strict=True):
            watcher.rtt_ms = smooth(watcher.rtt_ms, rtt)
        now = host.monotonic.now()
        for session, rtt in zip(publishers, rtts, strict=False):
            session.rtt_ms = smooth(session.rtt_ms, rtt)
            if host.publishers.get(session.point.id) is not session:
                continue
            stats = await measure(session, now)
            if stats is not None:
                session.stats = stats
                host.emit(LinkStatsEvent(point=session.point.id, stats=stats, ts=host.now_ms()))
