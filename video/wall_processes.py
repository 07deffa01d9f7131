"""The other wall processes, as one room sees them through the store and the bus.

With several wall processes (``node`` set), each publisher's process announces it in the
store (``VideoState.hold``, renewed while it publishes); a watcher here of a point
published elsewhere makes this process pull that point once (``video.pull``) and fan it
out; a pull no viewer wants for ``PULL_GRACE_S`` is closed. Program, pins and mutes are
written to the store by the process that changes them, hinted on the bus
(``VideoControlChanged``) and re-read by every other process on that hint and after the
bus comes back (a hint may have been lost). Presence of points held elsewhere arrives as
their ``BridgePointState``s and is forgotten when their holder stops holding them.

A single process (no ``node``) announces nothing and pulls nothing, but still shares its
control state through the store and the bus. The room is reached through ``Host``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from command_center.bus import Bus, BusResumed
from command_center.messages import BridgePointState, VideoControlChanged
from command_center.tasks import stop_if_cancelled
from video.config import VideoConfig
from video.events import Joined, PointChanged, PointStatus, RoomEvent
from video.pull import PULL_GRACE_S, Node, Pull
from video.registry import ROOM, BridgePointRegistry
from video.sessions import PublisherSession, WatcherSession
from video.shared_state import HOLDER_TTL_S, VideoState
from video.switchboard import ControlChanges, control_changes

log = logging.getLogger(__name__)

HOLD_RENEW_S = HOLDER_TTL_S / 3  # a holder renews its announcement this often
NODE_VIEWER = "node:"  # the viewer prefix of another process pulling a point


class Host(Protocol):
    """What of the room this needs."""

    @property
    def registry(self) -> BridgePointRegistry: ...
    @property
    def config(self) -> VideoConfig: ...
    @property
    def bus(self) -> Bus: ...
    @property
    def publishers(self) -> Mapping[str, PublisherSession]: ...
    @property
    def watchers(self) -> Mapping[str, WatcherSession]: ...
    @property
    def program(self) -> str: ...
    @property
    def pins(self) -> Mapping[str, str]: ...
    @property
    def muted(self) -> set[str]: ...
    def video_point(self, session: WatcherSession) -> str: ...
    def status(self, point_id: str) -> PointStatus: ...
    def emit(self, event: RoomEvent) -> None: ...
    def now_ms(self) -> float: ...


class WallProcesses:
    def __init__(
        self,
        host: Host,
        state: VideoState,
        node: Node | None,
        apply: Callable[[ControlChanges, str], None],
    ) -> None:
        self.host = host
        self._apply = apply  # control changes read from the store, applied in the room
        # Shared with the other processes of the wall (the store), and this process as they
        # reach it (None: a single process, nothing to pull or announce).
        self.state = state
        self.node = node
        self.pulls: dict[str, Pull] = {}
        # Points published to other processes, as those report them (roster only).
        self.remote: dict[str, BridgePointState] = {}
        self.id = secrets.token_hex(8)  # tells this process's bus hints from the others'
        self._renewed = 0.0

    # --- pulls ---------------------------------------------------------------------

    def pull_wanted(self) -> None:
        """Start a pull for every point a watcher here wants that publishes elsewhere
        (its video; a remote point's sound reaches only those watching that point)."""
        if self.node is None:
            return
        host = self.host
        for session in host.watchers.values():
            if session.viewer.startswith(NODE_VIEWER):
                continue
            point = host.video_point(session)
            if point in host.publishers or point in self.pulls or point not in host.registry:
                continue
            pull = Pull(point, self.node, host.config, self._holder_of(point), self._pull_changed)
            self.pulls[point] = pull
            pull.start()

    def _holder_of(self, point: str) -> Callable[[], Awaitable[str | None]]:
        return lambda: self.state.holder(point)

    def _pull_changed(self, pull: Pull) -> None:
        """A pulled point's media came or went: the wall's tiles and the console hear it."""
        if self.pulls.get(pull.point) is not pull or pull.point in self.host.publishers:
            return
        if pull.in_call:
            self.host.emit(Joined(point=pull.point, ts=self.host.now_ms()))
        self.host.emit(PointChanged(status=self.host.status(pull.point), ts=self.host.now_ms()))

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

    # --- holding -------------------------------------------------------------------

    async def hold(self, point_id: str) -> None:
        if self.node is None:
            return
        try:
            await self.state.hold(point_id, self.node.url)
        except Exception as exc:  # the store is away: viewers elsewhere wait, ours see it
            log.warning("cannot announce %s as held here: %s", point_id, exc)

    async def release(self, point_id: str) -> None:
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
        for point_id in list(self.host.publishers):
            await self.hold(point_id)
        try:
            for point_id, state in list(self.remote.items()):
                if await self.state.holder(point_id) in (None, self.node.url):
                    self._remote_state(state.model_copy(update={"online": False, "in_call": False}))
        except Exception as exc:  # the store is away: the next tick checks again
            log.warning("holders not checked: %s", exc)

    def _remote_state(self, state: BridgePointState) -> None:
        """Another process says how a point it holds (or held) is doing."""
        host = self.host
        if state.point not in host.registry:
            return
        if state.online:
            self.remote[state.point] = state
        elif self.remote.pop(state.point, None) is None:
            return
        if state.point in host.publishers:
            return
        if state.point not in self.pulls and state.in_call:
            host.emit(Joined(point=state.point, ts=host.now_ms()))
        # Pulled here too: the holder's word is what says the call is recorded.
        host.emit(PointChanged(status=host.status(state.point), ts=host.now_ms()))

    # --- the shared control state --------------------------------------------------

    async def load_control(self, by: str = "sync") -> None:
        """Program, pins and mutes as the store has them (at start, on a hint from another
        process, after the bus came back): what differs is applied and told."""
        host = self.host
        target = await self.state.control(ROOM)
        changes = control_changes(
            host.program, host.pins, host.muted, target, (p.id for p in host.registry)
        )
        self._apply(changes, by)

    async def share(self, by: str) -> None:
        """Tell the other processes that the control state changed (in the store)."""
        await self.host.bus.publish(VideoControlChanged(node=self.id, by=by, ts=self.host.now_ms()))

    async def follow(self) -> None:
        """Re-read the shared state whenever another process says it changed, and after
        every gap in the bus (pub/sub may have lost a hint). Runs until cancelled."""
        async with self.host.bus.subscribe() as messages:
            try:
                await self.load_control()
            except Exception as exc:  # the store is away: the next BusResumed re-reads it
                stop_if_cancelled()
                log.warning("video state not read at start: %s", exc)
            stop_if_cancelled()  # a cancel that redis-py swallowed inside the read
            async for message in messages:
                try:
                    if isinstance(message, BusResumed):
                        await self.load_control()
                    elif isinstance(message, VideoControlChanged) and message.node != self.id:
                        await self.load_control(message.by)
                    elif isinstance(message, BridgePointState) and message.node != self.id:
                        self._remote_state(message)
                except Exception:
                    stop_if_cancelled()
                    log.exception("video state not re-read")

    async def close(self) -> None:
        for pull in list(self.pulls.values()):
            await pull.close()
        self.pulls.clear()
