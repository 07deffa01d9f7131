"""The video room: who publishes, who watches what, and the switchboard between them.

    publishers   one session per bridge point (the operations room is the point ``room``);
                 a new WHIP offer from the same holder replaces the old session, another
                 holder gets 409 while the slot is live
    watchers     one session per WHEP subscriber, watching a point, ``program`` (what the
                 points see: the room or the point the console chose) or ``active``
    switchboard  ``_rewire`` attaches each watcher's video and audio tracks to the right
                 publishers' ``MediaSource``s after every change (join, leave, speaker,
                 program, a new voice); attaching video asks the publisher for a keyframe
    audio        a watcher with one audio track hears the active speaker (or the room);
                 one that offered several audio sections (the room's page and headless
                 client, the bridge pages) hears up to ``audio_slots`` publishers side by
                 side, forwarded and never mixed: for a bridge point the room and the
                 program first, then the most recent speakers (``speaker.audio_floor``)
    watchdog     every ``watchdog_interval_s``: a publisher without frames for
                 ``media_timeout_s`` is "no media" (not in call) until frames return; a
                 peer that sent nothing for ``link_timeout_s`` (killed, unplugged) is
                 dropped as link_lost, long before aiortc's ICE consent (~30 s) would

    processes    with several wall processes (``node`` set), each publisher's process
                 announces it in the store (``VideoState.hold``, renewed while it
                 publishes); a watcher here of a point published elsewhere makes this
                 process pull that point once (``video.pull``) and fan it out; program,
                 pins and mutes are written to the store and re-read by every process on
                 a ``VideoControlChanged`` hint and after the bus comes back

Events go to control-channel listeners (bounded queues) and presence to the bus as
``BridgePointState``. ``open_video_room`` owns the room's lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace

from aiortc import RTCPeerConnection, RTCRtpReceiver
from aiortc.sdp import candidate_from_sdp

from command_center.bus import Bus, BusResumed
from command_center.errors import NotFoundError, RequestError
from command_center.messages import BridgePointState, VideoControlChanged
from video.aiortc_hooks import EncodedFrame, Liveness, ice_round_trip, request_keyframe
from video.config import VideoConfig
from video.errors import IceRestartUnsupported, SlotTaken, TooManySessions
from video.events import (
    ActiveSpeaker,
    Joined,
    Left,
    LinkStats,
    LinkStatsEvent,
    Muted,
    Pinned,
    PointChanged,
    PointStatus,
    ProgramChanged,
    RoomEvent,
    Roster,
)
from video.forward_track import ForwardTrack
from video.ice import IceServerWatch
from video.peers import answer_publisher, answer_watcher, asks_ice_restart, parse_candidates
from video.pull import PULL_GRACE_S, Node, Pull
from video.registry import ACTIVE, PROGRAM, ROOM, BridgePoint, BridgePointRegistry
from video.sdp_offer import check_offer
from video.shared_state import HOLDER_TTL_S, ControlState, MemoryVideoState, VideoState
from video.source import MediaSource
from video.speaker import SpeakerTracker, assign_slots, audio_floor

log = logging.getLogger(__name__)

LISTENER_QUEUE = 256
VOICE_REWIRE_S = 0.2  # a new voice joins the multi-track subscribers' floor within this
HOLD_RENEW_S = HOLDER_TTL_S / 3  # a holder renews its announcement this often
NODE_VIEWER = "node:"  # the viewer prefix of another process pulling a point
LeaveReason = str


@dataclass
class PublisherSession:
    id: str
    point: BridgePoint
    holder: str  # who holds the slot: "point:<id>" or "user:<name>"
    pc: RTCPeerConnection
    sources: dict[str, MediaSource]
    receivers: dict[str, RTCRtpReceiver] = field(default_factory=dict)
    liveness: Liveness = field(default_factory=Liveness)
    created_at: float = field(default_factory=time.monotonic)
    connected: bool = False  # ICE and DTLS up
    in_call: bool = False  # connected and frames arriving
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
    attached: dict[str, MediaSource | None] = field(default_factory=dict)
    liveness: Liveness = field(default_factory=Liveness)
    created_at: float = field(default_factory=time.monotonic)
    rtt_ms: float | None = None
    # Set once the offer is answered, before the session is listed: no placeholder
    # connection is ever made (it would be one more object aiortc never closes).
    pc: RTCPeerConnection = field(init=False)

    def audio_keys(self) -> list[str]:
        return [key for key, track in self.tracks.items() if track.kind == "audio"]


class VideoRoom:
    def __init__(
        self,
        registry: BridgePointRegistry,
        bus: Bus,
        config: VideoConfig | None = None,
        clock: Callable[[], float] = time.time,
        state: VideoState | None = None,
        node: Node | None = None,
    ) -> None:
        self.registry = registry
        self.bus = bus
        self.config = config or VideoConfig()
        self.clock = clock
        # Shared with the other processes of the wall (the store), and this process as they
        # reach it (None: a single process, nothing to pull or announce).
        self.state: VideoState = state or MemoryVideoState()
        self.node = node
        self.pulls: dict[str, Pull] = {}
        # Points published to other processes, as those report them (roster only).
        self.remote: dict[str, BridgePointState] = {}
        self._renewed = 0.0
        self._process = secrets.token_hex(8)  # tells its own bus hints from the others'
        # The configured ICE servers that answer now: an answer never waits on the others.
        self.ice = IceServerWatch(self.config.ice_servers)
        self.publishers: dict[str, PublisherSession] = {}
        self.watchers: dict[str, WatcherSession] = {}
        self.muted: set[str] = set()
        self.program = ROOM
        self.pins: dict[str, str] = {}
        self.speaker = SpeakerTracker(self.config.speech_level, self.config.speaker_hold_s)
        self._spoke_at: dict[str, float] = {}  # point -> when it last spoke (monotonic)
        self._ranked: list[str] = []  # unmuted publishers with audio, latest speaker first
        self._voice_rewire = 0.0
        self._listeners: set[asyncio.Queue[RoomEvent | None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    # --- publishing (WHIP) ---------------------------------------------------------

    async def publish(self, point_id: str, holder: str, offer: str) -> tuple[str, str]:
        """Accept ``holder``'s offer for ``point_id``: (session id, answer SDP)."""
        point = self.point(point_id)
        summary = check_offer(offer, "publish")
        old = self.publishers.get(point_id)
        if old is None:  # a point replacing its own session holds no more than before
            self._check_room_bound()
        if old is not None and old.holder != holder and _live(old.pc):
            raise SlotTaken(
                f"point '{point_id}' is already publishing (held by {old.holder}); "
                "end that call first (console: end the point's call)",
                [{"point": point_id, "held_by": old.holder}],
            )
        session_id = secrets.token_urlsafe(12)
        sources = {
            kind: MediaSource(
                point_id,
                kind,
                self._keyframe_requester(point_id, session_id, kind),
                self.config.keyframe_interval_s,
                on_audio_level=self._level_sink(point_id),
                speech_level=self.config.speech_level,
            )
            for kind in ("video", "audio")
        }
        sources["audio"].enabled = point_id not in self.muted

        def on_frame(kind: str, frame: EncodedFrame) -> None:
            sources[kind].deliver(frame)
            session = self.publishers.get(point_id)
            if session is not None and session.id == session_id and not session.in_call:
                self._update_in_call(session)  # the first frame after connecting or a stall

        pc, answer, receivers, liveness = await answer_publisher(
            offer, summary, self._answering(), on_frame
        )
        if old is not None:
            await self._drop_publisher(old, "replaced")
        session = PublisherSession(session_id, point, holder, pc, sources, receivers, liveness)
        self.publishers[point_id] = session
        pc.on("connectionstatechange", lambda: self._on_publisher_state(session))
        await self._hold(point_id)
        await self._announce(point_id)
        self._rewire()
        return session_id, answer

    def _level_sink(self, point_id: str) -> Callable[[int], None]:
        return lambda level: self._on_level(point_id, level)

    def _keyframe_requester(
        self, point_id: str, session_id: str, kind: str
    ) -> Callable[[], Awaitable[bool]]:
        async def request() -> bool:
            session = self.publishers.get(point_id)
            if session is None or session.id != session_id or kind not in session.receivers:
                return False
            receiver = session.receivers[kind]
            sources = receiver.getSynchronizationSources()
            for source in sources:
                await request_keyframe(receiver, source.source)
            return bool(sources)

        return request

    def _on_publisher_state(self, session: PublisherSession) -> None:
        state = session.pc.connectionState
        if self.publishers.get(session.point.id) is not session:
            return
        if state == "connected" and not session.connected:
            session.connected = True
            self._update_in_call(session)
        elif state in ("failed", "closed"):
            self._spawn(self._drop_publisher(session, "link_lost"))

    def _update_in_call(self, session: PublisherSession) -> None:
        """In call = connected and frames arriving; tell everyone when that changes."""
        in_call = session.connected and session.media_fresh(
            time.time(), self.config.media_timeout_s
        )
        if in_call == session.in_call:
            return
        session.in_call = in_call
        point = session.point.id
        if in_call:
            self._emit(Joined(point=point, ts=self._ms()))
        self._emit(PointChanged(status=self.status(point), ts=self._ms()))
        self._spawn(self._announce(point))
        self._rewire()

    async def end_publisher(
        self, point_id: str, reason: LeaveReason, session_id: str | None = None
    ) -> None:
        """End ``point_id``'s call (404 if it has none, or not that session)."""
        session = self.publishers.get(point_id)
        if session is None or (session_id is not None and session.id != session_id):
            raise NotFoundError(f"point '{point_id}' has no such call")
        await self._drop_publisher(session, reason)

    async def _drop_publisher(self, session: PublisherSession, reason: LeaveReason) -> None:
        point_id = session.point.id
        if self.publishers.get(point_id) is not session:
            return
        del self.publishers[point_id]
        for source in session.sources.values():
            source.close()
        self._spoke_at.pop(point_id, None)
        if self.speaker.forget(point_id):
            self._emit(ActiveSpeaker(point=None, ts=self._ms()))
        self._rewire()
        self._emit(Left(point=point_id, reason=reason, ts=self._ms()))  # type: ignore[arg-type]
        await session.pc.close()
        if reason != "replaced":
            await self._release(point_id)
            await self._announce(point_id)

    def publisher_session(self, point_id: str, session_id: str) -> PublisherSession:
        session = self.publishers.get(point_id)
        if session is None or session.id != session_id:
            raise NotFoundError(f"no WHIP session '{session_id}' for point '{point_id}'")
        return session

    # --- watching (WHEP) -----------------------------------------------------------

    def check_source(self, source: str) -> None:
        if source not in (PROGRAM, ACTIVE):
            self.point(source)

    async def watch(
        self, source: str, viewer: str, viewer_point: str | None, offer: str
    ) -> tuple[str, str]:
        self.check_source(source)
        if viewer.startswith(NODE_VIEWER) and source not in self.publishers:
            # Another process pulls only what is published here: never a pull of a pull.
            raise NotFoundError(f"point '{source}' does not publish to this process")
        summary = check_offer(offer, "watch", self.config.audio_slots)
        self._check_room_bound()
        held = sum(1 for w in self.watchers.values() if w.viewer == viewer)
        if held >= self.config.max_watchers_per_holder:
            raise TooManySessions(
                f"{viewer} already watches with {held} sessions (at most "
                f"{self.config.max_watchers_per_holder}); end one (DELETE its Location) or "
                f"retry once an unconnected one is reaped",
                retry_after_s=math.ceil(self.config.connect_timeout_s),
                details=[{"holder": viewer, "sessions": held}],
            )
        if viewer_point is None:  # the console publishing as the room never hears itself
            viewer_point = next((p for p, s in self.publishers.items() if s.holder == viewer), None)
        slots = max(1, min(summary.kinds.count("audio"), self.config.audio_slots))
        tracks = {"video": ForwardTrack("video", self.config.video_queue)}
        for slot in range(slots):
            tracks[_audio_key(slot)] = ForwardTrack("audio", self.config.audio_queue)
        session = WatcherSession(secrets.token_urlsafe(12), source, viewer, viewer_point, tracks)
        prefer = self._wanted(session)
        codecs = {
            kind: next((s.codec for k, s in prefer.items() if s and k.startswith(kind)), None)
            for kind in ("video", "audio")
        }
        session.pc, answer, session.liveness = await answer_watcher(
            offer, summary, self._answering(), tracks, codecs
        )
        self.watchers[session.id] = session
        session.pc.on("connectionstatechange", lambda: self._on_watcher_state(session))
        self._rewire()
        return session.id, answer

    def _check_room_bound(self) -> None:
        total = len(self.publishers) + len(self.watchers)
        if total >= self.config.max_sessions:
            raise TooManySessions(
                f"the video room holds {total} sessions, its limit; retry shortly",
                retry_after_s=math.ceil(self.config.connect_timeout_s),
            )

    def watcher_session(self, source: str, session_id: str) -> WatcherSession:
        session = self.watchers.get(session_id)
        if session is None or session.source != source:
            raise NotFoundError(f"no WHEP session '{session_id}' for source '{source}'")
        return session

    def _on_watcher_state(self, session: WatcherSession) -> None:
        if session.pc.connectionState in ("failed", "closed"):
            self._spawn(self.end_watcher(session.id))

    async def end_watcher(self, session_id: str) -> None:
        session = self.watchers.pop(session_id, None)
        if session is None:
            return
        for kind, source in session.attached.items():
            if source is not None:
                source.detach(session.tracks[kind])
        for track in session.tracks.values():
            track.stop()
        await session.pc.close()

    async def add_candidates(self, pc: RTCPeerConnection, fragment: str) -> None:
        """Trickle ICE (RFC 8840 fragment) into ``pc``; 400 naming a bad line. An ICE
        restart (new ufrag/pwd) gets 422, as RFC 9725 says for a session that trickles but
        cannot restart (aiortc cannot): the session keeps its ICE state, the client may
        publish or watch anew."""
        remote = pc.remoteDescription
        if remote is not None and asks_ice_restart(fragment, remote.sdp):
            raise IceRestartUnsupported(
                "ICE restart is not supported (the fragment's a=ice-ufrag/a=ice-pwd differ "
                "from the session's): the session is unchanged; POST a new offer instead",
                [{"expected": "the session's a=ice-ufrag and a=ice-pwd", "got": "new ones"}],
            )
        candidates, end = parse_candidates(fragment)
        media = pc.getTransceivers()
        if not media:
            return
        for line in candidates:
            try:
                candidate = candidate_from_sdp(line)
            except (ValueError, IndexError, AssertionError):  # aiortc asserts the field count
                raise RequestError(
                    f"bad ICE candidate 'a=candidate:{line}': expected "
                    "'<foundation> <component> <transport> <priority> <address> <port> typ <type>'"
                ) from None
            candidate.sdpMid = media[0].mid
            await pc.addIceCandidate(candidate)
        if end:
            await pc.addIceCandidate(None)  # type: ignore[arg-type]

    # --- the switchboard -----------------------------------------------------------

    def _wanted(self, session: WatcherSession) -> dict[str, MediaSource | None]:
        """The publisher source that should feed each of ``session``'s tracks now."""
        wanted: dict[str, MediaSource | None] = {
            "video": self._source(self._video_point(session), "video")
        }
        keys = session.audio_keys()
        if session.source not in (PROGRAM, ACTIVE):
            points: list[str | None] = [session.source]
        elif len(keys) == 1:  # one track: the floor, never one's own voice
            floor = self.speaker.current or ROOM
            points = [None if floor == session.viewer_point else floor]
        else:
            viewer = session.viewer_point
            always = [ROOM, self.program] if viewer not in (None, ROOM) else []
            always = [p for p in always if p in self._ranked]
            chosen = audio_floor(self._ranked, viewer, always, len(keys))
            current = [
                (s.point if (s := session.attached.get(key)) is not None else None) for key in keys
            ]
            points = list(assign_slots(current, chosen))
        for index, key in enumerate(keys):
            point = points[index] if index < len(points) else None
            wanted[key] = self._source(point, "audio")
        return wanted

    def _video_point(self, session: WatcherSession) -> str:
        if session.source not in (PROGRAM, ACTIVE):
            return session.source
        if session.source == ACTIVE and self.speaker.current is not None:
            return self.speaker.current
        return self.program

    def _source(self, point: str | None, kind: str) -> MediaSource | None:
        if point is None:
            return None
        publisher = self.publishers.get(point)
        if publisher is not None:
            return publisher.sources[kind]
        pull = self.pulls.get(point)
        return pull.sources[kind] if pull is not None else None

    def _rewire(self) -> None:
        self._ranked = self._rank()
        self._pull_wanted()
        for session in self.watchers.values():
            for key, wanted in self._wanted(session).items():
                track = session.tracks[key]
                current = session.attached.get(key)
                if wanted is current:
                    continue
                if current is not None:
                    current.detach(track)
                if wanted is not None:
                    wanted.attach(track)
                session.attached[key] = wanted

    def _pull_wanted(self) -> None:
        """Start a pull for every point a watcher here wants that publishes elsewhere
        (its video; a remote point's sound reaches only those watching that point)."""
        if self.node is None or self._closed:
            return
        for session in self.watchers.values():
            if session.viewer.startswith(NODE_VIEWER):
                continue
            point = self._video_point(session)
            if point in self.publishers or point in self.pulls or point not in self.registry:
                continue
            pull = Pull(point, self.node, self.config, self._holder_of(point), self._pull_changed)
            self.pulls[point] = pull
            pull.start()

    def _holder_of(self, point: str) -> Callable[[], Awaitable[str | None]]:
        return lambda: self.state.holder(point)

    def _pull_changed(self, pull: Pull) -> None:
        """A pulled point's media came or went: the wall's tiles and the console hear it."""
        if self.pulls.get(pull.point) is not pull or pull.point in self.publishers:
            return
        if pull.in_call:
            self._emit(Joined(point=pull.point, ts=self._ms()))
        self._emit(PointChanged(status=self.status(pull.point), ts=self._ms()))

    async def _close_unwanted_pulls(self, now: float) -> None:
        for point, pull in list(self.pulls.items()):
            if pull.wanted:
                pull.unwanted_since = None
            elif pull.unwanted_since is None:
                pull.unwanted_since = now
            elif now - pull.unwanted_since >= PULL_GRACE_S:
                del self.pulls[point]
                log.info("pull %s closed: no viewer here for %.0f s", point, PULL_GRACE_S)
                await pull.close()

    # --- the processes of one wall -------------------------------------------------

    async def _hold(self, point_id: str) -> None:
        if self.node is None:
            return
        try:
            await self.state.hold(point_id, self.node.url)
        except Exception as exc:  # the store is away: viewers elsewhere wait, ours see it
            log.warning("cannot announce %s as held here: %s", point_id, exc)

    async def _release(self, point_id: str) -> None:
        if self.node is None:
            return
        try:
            await self.state.release(point_id, self.node.url)
        except Exception as exc:  # its key expires by itself
            log.warning("cannot release %s: %s", point_id, exc)

    async def renew_holds(self, now: float) -> None:
        """The watchdog's tick: renew this process's announcements, close idle pulls,
        forget points whose process stopped holding them without a word (kill -9)."""
        await self._close_unwanted_pulls(now)
        if self.node is None or now - self._renewed < HOLD_RENEW_S:
            return
        self._renewed = now
        for point_id in list(self.publishers):
            await self._hold(point_id)
        try:
            for point_id, state in list(self.remote.items()):
                if await self.state.holder(point_id) in (None, self.node.url):
                    self._remote_state(state.model_copy(update={"online": False, "in_call": False}))
        except Exception as exc:  # the store is away: the next tick checks again
            log.warning("holders not checked: %s", exc)

    def _remote_state(self, state: BridgePointState) -> None:
        """Another process says how a point it holds (or held) is doing."""
        if state.point not in self.registry:
            return
        if state.online:
            self.remote[state.point] = state
        elif self.remote.pop(state.point, None) is None:
            return
        if state.point not in self.publishers and state.point not in self.pulls:
            if state.in_call:
                self._emit(Joined(point=state.point, ts=self._ms()))
            self._emit(PointChanged(status=self.status(state.point), ts=self._ms()))

    async def load_control(self, by: str = "sync") -> None:
        """Program, pins and mutes as the store has them (at start, on a hint from another
        process, after the bus came back): what differs is applied and told."""
        self._apply(await self.state.control(ROOM), by)

    def _apply(self, state: ControlState, by: str) -> None:
        changed = False
        if state.program != self.program and state.program in self.registry:
            self.program = state.program
            self._emit(ProgramChanged(source=state.program, by=by, ts=self._ms()))
            changed = True
        for tile in sorted(set(self.pins) | set(state.pins)):
            source = state.pins.get(tile)
            if self.pins.get(tile) != source:
                if source is None:
                    self.pins.pop(tile, None)
                else:
                    self.pins[tile] = source
                self._emit(Pinned(tile=tile, source=source, by=by, ts=self._ms()))
        for point in sorted(self.muted ^ state.muted):
            if point in self.registry:
                self._set_muted_here(point, point in state.muted, by)
                changed = True
        if changed:
            self._rewire()

    async def _share(self, by: str) -> None:
        await self.bus.publish(VideoControlChanged(node=self._process, by=by, ts=self._ms()))

    async def follow(self) -> None:
        """Re-read the shared state whenever another process says it changed, and after
        every gap in the bus (pub/sub may have lost a hint). Runs until cancelled."""
        async with self.bus.subscribe() as messages:
            try:
                await self.load_control()
            except Exception as exc:  # the store is away: the next BusResumed re-reads it
                log.warning("video state not read at start: %s", exc)
            async for message in messages:
                try:
                    if isinstance(message, BusResumed):
                        await self.load_control()
                    elif isinstance(message, VideoControlChanged) and message.node != self._process:
                        await self.load_control(message.by)
                    elif isinstance(message, BridgePointState) and message.node != self._process:
                        self._remote_state(message)
                except Exception:
                    log.exception("video state not re-read")

    def _rank(self) -> list[str]:
        """Unmuted publishers with an audio track, the latest speaker first (then in the
        order they joined)."""
        heard = [
            p for p, s in self.publishers.items() if p not in self.muted and "audio" in s.receivers
        ]
        return sorted(heard, key=lambda p: -self._spoke_at.get(p, float("-inf")))

    def _on_level(self, point: str, level: int) -> None:
        now = time.monotonic()
        eligible = {p for p in self.publishers if p not in self.muted}
        changed = self.speaker.update(point, level, now, eligible)
        rewire = changed is not None
        if changed is not None:
            self._emit(ActiveSpeaker(point=changed, ts=self._ms()))
        if level < self.config.speech_level and point in eligible:
            self._spoke_at[point] = now
            # A voice ranked below the first slots - 1 may be missing from someone's
            # floor (audio_floor): rewire, at most every VOICE_REWIRE_S (three voices at
            # once would otherwise rewire on every packet). Above that, all hear it.
            rank = self._ranked.index(point) if point in self._ranked else len(self._ranked)
            if rank >= self.config.audio_slots - 1 and now - self._voice_rewire >= VOICE_REWIRE_S:
                self._voice_rewire = now
                rewire = True
        if rewire:
            self._rewire()

    # --- console actions -----------------------------------------------------------

    async def set_muted(self, point_id: str, muted: bool, by: str) -> PointStatus:
        self.point(point_id)
        await self.state.set_muted(point_id, muted)  # the store first: it is the truth
        self._set_muted_here(point_id, muted, by)
        self._rewire()
        await self._announce(point_id)
        await self._share(by)
        return self.status(point_id)

    def _set_muted_here(self, point_id: str, muted: bool, by: str) -> None:
        if muted:
            self.muted.add(point_id)
        else:
            self.muted.discard(point_id)
        for feed in (self.publishers.get(point_id), self.pulls.get(point_id)):
            if feed is not None:
                feed.sources["audio"].enabled = not muted
        if muted and self.speaker.forget(point_id):
            self._emit(ActiveSpeaker(point=None, ts=self._ms()))
        self._emit(Muted(point=point_id, muted=muted, by=by, ts=self._ms()))

    async def set_program(self, source: str, by: str) -> None:
        if source in (PROGRAM, ACTIVE):
            raise RequestError(f"the program shows the room or a point (got '{source}')")
        self.point(source)
        await self.state.set_program(source)
        self.program = source
        self._emit(ProgramChanged(source=source, by=by, ts=self._ms()))
        self._rewire()
        await self._share(by)

    async def pin(self, tile: str, source: str | None, by: str) -> dict[str, str]:
        if not tile:
            raise RequestError("'tile' must name a wall tile")
        if source is not None:
            self.check_source(source)
        await self.state.set_pin(tile, source)
        if source is None:
            self.pins.pop(tile, None)
        else:
            self.pins[tile] = source
        self._emit(Pinned(tile=tile, source=source, by=by, ts=self._ms()))
        await self._share(by)
        return dict(self.pins)

    # --- state ---------------------------------------------------------------------

    def point(self, point_id: str) -> BridgePoint:
        try:
            return self.registry.get(point_id)
        except KeyError as exc:
            raise NotFoundError(str(exc.args[0])) from None

    def status(self, point_id: str) -> PointStatus:
        point = self.point(point_id)
        session = self.publishers.get(point_id)
        pull = self.pulls.get(point_id) if session is None else None
        remote = self.remote.get(point_id) if session is None else None
        if pull is not None and (pull.link is not None or remote is None):
            return self._pulled_status(point, pull)  # published elsewhere, pulled here
        video = session.sources["video"] if session else None
        if remote is not None:  # published to another process, as it reports it
            return PointStatus(
                id=point.id,
                name_vi=point.name_vi,
                name_en=point.name_en,
                kind=point.kind.value,
                lat=point.location.lat,
                lon=point.location.lon,
                online=remote.online,
                in_call=remote.in_call,
                no_media=remote.online and not remote.in_call,
                muted=point_id in self.muted,
                video_codec=None,
                subscribers=0,
                stats=None,
            )
        return PointStatus(
            id=point.id,
            name_vi=point.name_vi,
            name_en=point.name_en,
            kind=point.kind.value,
            lat=point.location.lat,
            lon=point.location.lon,
            online=session is not None,
            in_call=bool(session and session.in_call),
            no_media=bool(session and session.connected and not session.in_call),
            muted=point_id in self.muted,
            video_codec=video.codec if video else None,
            subscribers=len(video.subscribers) if video else 0,
            stats=session.stats if session else None,
        )

    def _pulled_status(self, point: BridgePoint, pull: Pull) -> PointStatus:
        video = pull.sources["video"]
        return PointStatus(
            id=point.id,
            name_vi=point.name_vi,
            name_en=point.name_en,
            kind=point.kind.value,
            lat=point.location.lat,
            lon=point.location.lon,
            online=pull.link is not None,
            in_call=pull.in_call,
            no_media=pull.link is not None and not pull.in_call,
            muted=point.id in self.muted,
            video_codec=video.codec,
            subscribers=len(video.subscribers),
            stats=None,
        )

    def _answering(self) -> VideoConfig:
        """The config an answer is built with: only the ICE servers that answer now."""
        return replace(self.config, ice_servers=self.ice.usable())

    def roster(self) -> Roster:
        return Roster(
            points=[self.status(p.id) for p in self.registry],
            program=self.program,
            active_speaker=self.speaker.current,
            pins=dict(self.pins),
            ts=self._ms(),
        )

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue[RoomEvent | None]]:
        """Events from now on, after a roster; ``None`` means the listener fell behind
        (or the room closed) and must reconnect."""
        queue: asyncio.Queue[RoomEvent | None] = asyncio.Queue(LISTENER_QUEUE)
        queue.put_nowait(self.roster())
        self._listeners.add(queue)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)

    def _emit(self, event: RoomEvent) -> None:
        for queue in list(self._listeners):
            if queue.qsize() >= LISTENER_QUEUE - 1:
                self._listeners.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait(event)

    async def _announce(self, point_id: str) -> None:
        status = self.status(point_id)
        point = self.point(point_id)
        await self.bus.publish(
            BridgePointState(
                point=point.id,
                name_vi=point.name_vi,
                name_en=point.name_en,
                kind=point.kind.value,
                lat=point.location.lat,
                lon=point.location.lon,
                online=status.online,
                in_call=status.in_call,
                muted=status.muted,
                ts=self._ms(),
                node=self._process,
            )
        )

    def check_links(self) -> None:
        """The watchdog's tick: media that stalled or came back, and peers that vanished
        without a DELETE (a killed process, a pulled cable)."""
        now = time.monotonic()
        for session in list(self.publishers.values()):
            if self._gone(session.liveness, session.created_at, now):
                log.info("bridge point %s: nothing heard, link lost", session.point.id)
                self._spawn(self._drop_publisher(session, "link_lost"))
            else:
                self._update_in_call(session)
        for watcher in list(self.watchers.values()):
            if self._gone(watcher.liveness, watcher.created_at, now):
                self._spawn(self.end_watcher(watcher.id))

    def _gone(self, liveness: Liveness, created_at: float, now: float) -> bool:
        if liveness.heard_at is None:
            return now - created_at > self.config.connect_timeout_s
        return now - liveness.heard_at > self.config.link_timeout_s

    async def report_stats(self) -> None:
        """Link statistics of every publishing point: our counters, aiortc's RTCP view
        (loss, jitter) and a STUN round trip on its WHIP link (RTT). The probe also
        proves the peer alive to the watchdog (watchers are probed for that alone)."""
        publishers, watchers = list(self.publishers.values()), list(self.watchers.values())
        rtts = await asyncio.gather(
            *(self._probe(s.pc, s.liveness) for s in publishers),
            *(self._probe(w.pc, w.liveness) for w in watchers),
        )
        for watcher, rtt in zip(watchers, rtts[len(publishers) :], strict=True):
            watcher.rtt_ms = _smooth(watcher.rtt_ms, rtt)
        now = time.monotonic()
        for session, rtt in zip(publishers, rtts, strict=False):
            session.rtt_ms = _smooth(session.rtt_ms, rtt)
            if self.publishers.get(session.point.id) is not session:
                continue
            video, audio = session.sources["video"], session.sources["audio"]
            nbytes, frames = video.bytes + audio.bytes, video.frames
            then, old_bytes, old_frames = session.last_report
            session.last_report = (now, nbytes, frames)
            if then == 0.0:
                continue
            span = max(now - then, 1e-6)
            loss, jitter = await _inbound(session.receivers.get("video"))
            session.stats = LinkStats(
                bitrate_kbps=round((nbytes - old_bytes) * 8 / span / 1000, 1),
                fps=round((frames - old_frames) / span, 1),
                packet_loss_pct=loss,
                jitter_ms=jitter,
                rtt_ms=None if session.rtt_ms is None else round(session.rtt_ms, 2),
                frames_forwarded=sum(t.frames_sent for t in video.subscribers),
                keyframes=video.keyframes,
            )
            self._emit(LinkStatsEvent(point=session.point.id, stats=session.stats, ts=self._ms()))

    @staticmethod
    async def _probe(pc: RTCPeerConnection, liveness: Liveness) -> float | None:
        if pc.connectionState != "connected":
            return None
        rtt = await ice_round_trip(pc)
        if rtt is not None:
            liveness.heard()
        return rtt

    async def close(self) -> None:
        self._closed = True
        for session_id in list(self.watchers):
            await self.end_watcher(session_id)
        for session in list(self.publishers.values()):
            await self._drop_publisher(session, "hangup")
        for pull in list(self.pulls.values()):
            await pull.close()
        self.pulls.clear()
        for task in list(self._tasks):
            task.cancel()
        for queue in list(self._listeners):
            queue.put_nowait(None)
        self._listeners.clear()

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _ms(self) -> float:
        return self.clock() * 1000.0


def _smooth(old_ms: float | None, rtt_s: float | None) -> float | None:
    """RTT in ms, smoothed; a lost probe keeps the last figure."""
    if rtt_s is None:
        return old_ms
    new_ms = rtt_s * 1000.0
    return new_ms if old_ms is None else 0.7 * old_ms + 0.3 * new_ms


def _audio_key(slot: int) -> str:
    return "audio" if slot == 0 else f"audio{slot}"


def _live(pc: RTCPeerConnection) -> bool:
    return pc.connectionState in ("new", "connecting", "connected")


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


@contextlib.asynccontextmanager
async def open_video_room(
    registry: BridgePointRegistry,
    bus: Bus,
    config: VideoConfig | None = None,
    state: VideoState | None = None,
    node: Node | None = None,
) -> AsyncIterator[VideoRoom]:
    """The room, its statistics ticker, watchdog and follower of the shared state, and
    every peer connection closed at the end."""
    room = VideoRoom(registry, bus, config, state=state, node=node)
    if room.ice.servers:  # one round before the first answer (at most its timeout, once)
        await room.ice.check()

    async def ticker() -> None:
        while True:
            await asyncio.sleep(room.config.stats_interval_s)
            try:
                await room.report_stats()
            except Exception:  # a stats hiccup must not stop the room
                log.exception("link statistics failed")

    async def watchdog() -> None:
        while True:
            await asyncio.sleep(room.config.watchdog_interval_s)
            try:
                room.check_links()
                await room.renew_holds(time.monotonic())
            except Exception:
                log.exception("video watchdog failed")

    tasks = [asyncio.ensure_future(t) for t in (ticker(), watchdog(), room.follow())]
    if room.ice.servers:
        tasks.append(asyncio.ensure_future(room.ice.run()))
    try:
        yield room
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await room.close()
