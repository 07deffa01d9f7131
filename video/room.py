"""The video room: who publishes, who watches what, and the wiring between them. A thin
composition of its parts:

    sessions     ``video.sessions``: a publisher per bridge point (a new offer from the same
                 holder replaces it, another holder gets 409 while it is live), a watcher
                 per WHEP subscriber (a point, ``program`` or ``active``)
    switchboard  ``rewire`` attaches each watcher's tracks to the sources that
                 ``video.switchboard`` chooses, after every join, leave, speaker, program
                 or new voice; attaching video asks the publisher for a keyframe
    control      mutes, program and pins from the console (``video.control``)
    links        the watchdog and link statistics (``video.link_watch``)
    processes    the other wall processes, through the store (``video.wall_processes``)

Spans are measured on an injected monotonic ``Clock`` (``video.clock``), event timestamps
on the wall clock ``clock``. Events go to the listeners (``video.listeners``), presence to
the bus as ``BridgePointState``. ``open_video_room`` owns the room's lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import replace

from command_center.bus import Bus
from command_center.errors import NotFoundError
from command_center.tasks import cancel_all
from video import link_watch, switchboard
from video.aiortc_hooks import EncodedFrame
from video.clock import Clock, SystemClock
from video.config import VideoConfig
from video.control import ControlDesk
from video.errors import SlotTaken
from video.events import (
    ActiveSpeaker,
    Joined,
    Left,
    PointChanged,
    PointStatus,
    RoomEvent,
    Roster,
)
from video.ice import IceServerWatch
from video.link_watch import LinkWatch
from video.listeners import Listeners
from video.peers import answer_publisher, answer_watcher
from video.point_status import local_status, presence, pulled_status, remote_status
from video.pull import Node
from video.registry import ACTIVE, PROGRAM, ROOM, BridgePoint, BridgePointRegistry
from video.sdp_offer import check_offer
from video.sessions import (
    PublisherSession,
    WatcherSession,
    check_holder_bound,
    check_room_bound,
    keyframe_requester,
    live,
    publisher_sources,
    watcher_tracks,
)
from video.shared_state import MemoryVideoState, VideoState
from video.source import MediaSource
from video.speaker import SpeakerTracker
from video.wall_processes import NODE_VIEWER, WallProcesses

log = logging.getLogger(__name__)
CLOSE_WAIT_S = 2.0  # how long a closing room lets its announcements finish


class VideoRoom:
    def __init__(
        self,
        registry: BridgePointRegistry,
        bus: Bus,
        config: VideoConfig | None = None,
        clock: Callable[[], float] = time.time,
        state: VideoState | None = None,
        node: Node | None = None,
        monotonic: Clock | None = None,
    ) -> None:
        self.registry = registry
        self.bus = bus
        self.config = config or VideoConfig()
        self.clock = clock  # the wall clock, for event timestamps
        self.monotonic: Clock = monotonic or SystemClock()  # for spans and the timers
        # The configured ICE servers that answer now: an answer never waits on the others.
        self.ice = IceServerWatch(self.config.ice_servers)
        self.publishers: dict[str, PublisherSession] = {}
        self.watchers: dict[str, WatcherSession] = {}
        self.muted: set[str] = set()
        self.program = ROOM
        self.pins: dict[str, str] = {}
        self.speaker = SpeakerTracker(self.config.speech_level, self.config.speaker_hold_s)
        self._spoke_at: dict[str, float] = {}  # point -> when it last spoke (monotonic)
        self._ranked: tuple[str, ...] = ()  # unmuted publishers with audio, latest first
        self._voice_rewire = 0.0
        self._listeners = Listeners()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        # The other processes of the wall, through the store (a single process: no node).
        self.processes = WallProcesses(
            self,
            state or MemoryVideoState(),
            node,
            lambda changes, by: self.control.apply(changes, by),
        )
        self.control = ControlDesk(self)
        self.links = LinkWatch(self)

    # --- publishing (WHIP) ---------------------------------------------------------

    async def publish(self, point_id: str, holder: str, offer: str) -> tuple[str, str]:
        """Accept ``holder``'s offer for ``point_id``: (session id, answer SDP)."""
        point = self.point(point_id)
        summary = check_offer(offer, "publish")
        old = self.publishers.get(point_id)
        if old is None:  # a point replacing its own session holds no more than before
            check_room_bound(len(self.publishers) + len(self.watchers), self.config)
        if old is not None and old.holder != holder and live(old.pc):
            raise SlotTaken(
                f"point '{point_id}' is already publishing (held by {old.holder}); "
                "end that call first (console: end the point's call)",
                [{"point": point_id, "held_by": old.holder}],
            )
        session_id = secrets.token_urlsafe(12)
        sources = publisher_sources(
            point_id,
            self.config,
            keyframe_requester(lambda: self.publishers.get(point_id), session_id),
            lambda level: self._on_level(point_id, level),
        )
        sources["audio"].enabled = point_id not in self.muted

        def on_frame(kind: str, frame: EncodedFrame) -> None:
            sources[kind].deliver(frame)
            session = self.publishers.get(point_id)
            if session is not None and session.id == session_id and not session.in_call:
                self.update_in_call(session)  # the first frame after connecting or a stall

        pc, answer, receivers, liveness = await answer_publisher(
            offer, summary, self._answering(), on_frame, self.monotonic.now
        )
        if old is not None:
            await self.drop_publisher(old, "replaced")
        session = PublisherSession(
            session_id,
            point,
            holder,
            pc,
            sources,
            created_at=self.monotonic.now(),
            receivers=receivers,
            liveness=liveness,
        )
        self.publishers[point_id] = session
        pc.on("connectionstatechange", lambda: self._on_publisher_state(session))
        await self.processes.hold(point_id)
        await self.announce(point_id)
        self.rewire()
        return session_id, answer

    def _on_publisher_state(self, session: PublisherSession) -> None:
        state = session.pc.connectionState
        if self.publishers.get(session.point.id) is not session:
            return
        if state == "connected" and not session.connected:
            session.connected = True
            self.update_in_call(session)
        elif state in ("failed", "closed"):
            self.spawn(self.drop_publisher(session, "link_lost"))

    def update_in_call(self, session: PublisherSession) -> None:
        """In call = connected and frames arriving; tell everyone when that changes."""
        in_call = session.connected and session.media_fresh(
            time.time(), self.config.media_timeout_s
        )
        if in_call == session.in_call:
            return
        session.in_call = in_call
        point = session.point.id
        if in_call:
            self.emit(Joined(point=point, ts=self.now_ms()))
        self.emit(PointChanged(status=self.status(point), ts=self.now_ms()))
        self.spawn(self.announce(point))
        self.rewire()

    async def end_publisher(
        self, point_id: str, reason: str, session_id: str | None = None
    ) -> None:
        """End ``point_id``'s call (404 if it has none, or not that session)."""
        session = self.publishers.get(point_id)
        if session is None or (session_id is not None and session.id != session_id):
            raise NotFoundError(f"point '{point_id}' has no such call")
        await self.drop_publisher(session, reason)

    async def drop_publisher(self, session: PublisherSession, reason: str) -> None:
        point_id = session.point.id
        if self.publishers.get(point_id) is not session:
            return
        del self.publishers[point_id]
        for source in session.sources.values():
            source.close()
        self._spoke_at.pop(point_id, None)
        if self.speaker.forget(point_id):
            self.emit(ActiveSpeaker(point=None, ts=self.now_ms()))
        self.rewire()
        self.emit(Left(point=point_id, reason=reason, ts=self.now_ms()))  # type: ignore[arg-type]
        await session.pc.close()
        if reason != "replaced":
            await self.processes.release(point_id)
            await self.announce(point_id)

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
        check_room_bound(len(self.publishers) + len(self.watchers), self.config)
        check_holder_bound(self.watchers.values(), viewer, self.config)
        if viewer_point is None:  # the console publishing as the room never hears itself
            viewer_point = next((p for p, s in self.publishers.items() if s.holder == viewer), None)
        tracks = watcher_tracks(summary.kinds.count("audio"), self.config)
        session = WatcherSession(
            secrets.token_urlsafe(12),
            source,
            viewer,
            viewer_point,
            tracks,
            created_at=self.monotonic.now(),
        )
        prefer = self._wanted(session)
        codecs = {
            kind: next((s.codec for k, s in prefer.items() if s and k.startswith(kind)), None)
            for kind in ("video", "audio")
        }
        session.pc, answer, session.liveness = await answer_watcher(
            offer, summary, self._answering(), tracks, codecs, self.monotonic.now
        )
        self.watchers[session.id] = session
        session.pc.on("connectionstatechange", lambda: self._on_watcher_state(session))
        self.rewire()
        return session.id, answer

    def watcher_session(self, source: str, session_id: str) -> WatcherSession:
        session = self.watchers.get(session_id)
        if session is None or session.source != source:
            raise NotFoundError(f"no WHEP session '{session_id}' for source '{source}'")
        return session

    def _on_watcher_state(self, session: WatcherSession) -> None:
        if session.pc.connectionState in ("failed", "closed"):
            self.spawn(self.end_watcher(session.id))

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

    # --- the switchboard (its decisions: video.switchboard) ------------------------

    def floor(self) -> switchboard.Floor:
        return switchboard.Floor(self.program, self.speaker.current, self._ranked)

    def video_point(self, session: WatcherSession) -> str:
        return switchboard.video_point(session.source, self.floor())

    def _wanted(self, session: WatcherSession) -> dict[str, MediaSource | None]:
        """The publisher source that should feed each of ``session``'s tracks now."""
        floor = self.floor()
        wanted = {"video": self._source(switchboard.video_point(session.source, floor), "video")}
        heard = switchboard.audio_points(
            session.source, session.viewer_point, session.heard(), floor
        )
        for key, point in zip(session.audio_keys(), heard, strict=True):
            wanted[key] = self._source(point, "audio")
        return wanted

    def _source(self, point: str | None, kind: str) -> MediaSource | None:
        if point is None:
            return None
        publisher = self.publishers.get(point)
        if publisher is not None:
            return publisher.sources[kind]
        pull = self.processes.pulls.get(point)
        return pull.sources[kind] if pull is not None else None

    def rewire(self) -> None:
        heard = [
            p for p, s in self.publishers.items() if p not in self.muted and "audio" in s.receivers
        ]
        self._ranked = switchboard.rank(heard, self._spoke_at)
        if not self._closed:
            self.processes.pull_wanted()
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

    def _on_level(self, point: str, level: int) -> None:
        now = self.monotonic.now()
        eligible = {p for p in self.publishers if p not in self.muted}
        changed = self.speaker.update(point, level, now, eligible)
        rewire = changed is not None
        if changed is not None:
            self.emit(ActiveSpeaker(point=changed, ts=self.now_ms()))
        if level < self.config.speech_level and point in eligible:
            self._spoke_at[point] = now
            if switchboard.voice_rewires(
                point, self._ranked, self.config.audio_slots, now, self._voice_rewire
            ):
                self._voice_rewire = now
                rewire = True
        if rewire:
            self.rewire()

    # --- state ---------------------------------------------------------------------

    def point(self, point_id: str) -> BridgePoint:
        try:
            return self.registry.get(point_id)
        except KeyError as exc:
            raise NotFoundError(str(exc.args[0])) from None

    def status(self, point_id: str) -> PointStatus:
        point = self.point(point_id)
        muted = point_id in self.muted
        session = self.publishers.get(point_id)
        pull = self.processes.pulls.get(point_id) if session is None else None
        remote = self.processes.remote.get(point_id) if session is None else None
        if pull is not None and (pull.link is not None or remote is None):
            return pulled_status(point, pull, muted, remote)  # published elsewhere, pulled here
        if remote is not None:  # published to another process, as it reports it
            return remote_status(point, remote, muted)
        return local_status(point, session, muted)

    def _answering(self) -> VideoConfig:
        """The config an answer is built with: only the ICE servers that answer now."""
        return replace(self.config, ice_servers=self.ice.usable())

    def roster(self) -> Roster:
        return Roster(
            points=[self.status(p.id) for p in self.registry],
            program=self.program,
            active_speaker=self.speaker.current,
            pins=dict(self.pins),
            ts=self.now_ms(),
        )

    def listen(self) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[RoomEvent | None]]:
        """Events from now on, after a roster; ``None`` means the listener fell behind
        (or the room closed) and must reconnect."""
        return self._listeners.listen(self.roster())

    def emit(self, event: RoomEvent) -> None:
        self._listeners.emit(event)

    async def announce(self, point_id: str) -> None:
        status = self.status(point_id)
        point = self.point(point_id)
        await self.bus.publish(presence(point, status, self.now_ms(), self.processes.id))

    async def watchdog_tick(self) -> None:
        self.links.check()
        await self.processes.renew_holds(self.monotonic.now())

    async def close(self) -> None:
        self._closed = True
        for session_id in list(self.watchers):
            await self.end_watcher(session_id)
        for session in list(self.publishers.values()):
            await self.drop_publisher(session, "hangup")
        # Announcements and hang-ups under way finish; one stuck on a dead store is cut off.
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=CLOSE_WAIT_S)
        await cancel_all(list(self._tasks))
        await self.processes.close()
        self._listeners.close()

    def spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def now_ms(self) -> float:
        return self.clock() * 1000.0


@contextlib.asynccontextmanager
async def open_video_room(
    registry: BridgePointRegistry,
    bus: Bus,
    config: VideoConfig | None = None,
    state: VideoState | None = None,
    node: Node | None = None,
    monotonic: Clock | None = None,
) -> AsyncIterator[VideoRoom]:
    """The room, its statistics ticker, watchdog and follower of the shared state, and
    every peer connection closed at the end."""
    room = VideoRoom(registry, bus, config, state=state, node=node, monotonic=monotonic)
    if room.ice.servers:  # one round before the first answer (at most its timeout, once)
        await room.ice.check()
    clock, cfg = room.monotonic, room.config
    tasks = [
        asyncio.ensure_future(t)
        for t in (
            link_watch.every(clock, cfg.stats_interval_s, room.links.report, "link statistics"),
            link_watch.every(clock, cfg.watchdog_interval_s, room.watchdog_tick, "video watchdog"),
            room.processes.follow(),
        )
    ]
    if room.ice.servers:
        tasks.append(asyncio.ensure_future(room.ice.run()))
    try:
        yield room
    finally:
        await cancel_all(tasks)
        await room.close()
