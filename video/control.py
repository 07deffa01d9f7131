"""The console's hold on the room: mutes, the program and the pinned tiles.

An action writes the store first (it is the truth every wall process re-reads), then
applies here, tells the listeners, rewires and hints the other processes
(``video.wall_processes``). Changes read back from the store (another process's action,
a resync) go through ``apply``, which tells and rewires the same way. The room's
``program``, ``pins`` and ``muted`` are what this changes; the room is reached through
``Host``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from command_center.errors import RequestError
from video.events import ActiveSpeaker, Muted, Pinned, PointStatus, ProgramChanged, RoomEvent
from video.pull import Pull
from video.registry import ACTIVE, PROGRAM, BridgePoint
from video.sessions import PublisherSession
from video.speaker import SpeakerTracker
from video.switchboard import ControlChanges
from video.wall_processes import WallProcesses


class Host(Protocol):
    """What of the room this needs."""

    program: str
    pins: dict[str, str]
    muted: set[str]

    @property
    def publishers(self) -> Mapping[str, PublisherSession]: ...
    @property
    def speaker(self) -> SpeakerTracker: ...
    @property
    def processes(self) -> WallProcesses: ...
    def point(self, point_id: str) -> BridgePoint: ...
    def check_source(self, source: str) -> None: ...
    def status(self, point_id: str) -> PointStatus: ...
    def emit(self, event: RoomEvent) -> None: ...
    def now_ms(self) -> float: ...
    def rewire(self) -> None: ...
    async def announce(self, point_id: str) -> None: ...


class ControlDesk:
    def __init__(self, host: Host) -> None:
        self.host = host

    async def set_muted(self, point_id: str, muted: bool, by: str) -> PointStatus:
        host = self.host
        host.point(point_id)
        await host.processes.state.set_muted(point_id, muted)  # the store first: the truth
        self._mute_here(point_id, muted, by)
        host.rewire()
        await host.announce(point_id)
        await host.processes.share(by)
        return host.status(point_id)

    async def set_program(self, source: str, by: str) -> None:
        if source in (PROGRAM, ACTIVE):
            raise RequestError(f"the program shows the room or a point (got '{source}')")
        host = self.host
        host.point(source)
        await host.processes.state.set_program(source)
        host.program = source
        host.emit(ProgramChanged(source=source, by=by, ts=host.now_ms()))
        host.rewire()
        await host.processes.share(by)

    def pins(self) -> dict[str, str]:
        """Wall tile -> the source pinned there now."""
        return dict(self.host.pins)

    async def pin(self, tile: str, source: str | None, by: str) -> dict[str, str]:
        if not tile:
            raise RequestError("'tile' must name a wall tile")
        host = self.host
        if source is not None:
            host.check_source(source)
        await host.processes.state.set_pin(tile, source)
        self._pin_here(tile, source, by)
        await host.processes.share(by)
        return dict(host.pins)

    def apply(self, changes: ControlChanges, by: str) -> None:
        """Program, pins and mutes changed in the store, applied here and told; the
        wiring follows."""
        host = self.host
        if changes.program is not None:
            host.program = changes.program
            host.emit(ProgramChanged(source=changes.program, by=by, ts=host.now_ms()))
        for tile, source in changes.pins:
            self._pin_here(tile, source, by)
        for point, muted in changes.mutes:
            self._mute_here(point, muted, by)
        if changes.program is not None or changes.mutes:
            host.rewire()

    def _mute_here(self, point_id: str, muted: bool, by: str) -> None:
        host = self.host
        if muted:
            host.muted.add(point_id)
        else:
            host.muted.discard(point_id)
        feeds: tuple[PublisherSession | Pull | None, ...] = (
            host.publishers.get(point_id),
            host.processes.pulls.get(point_id),
        )
        for feed in feeds:
            if feed is not None:
                feed.sources["audio"].enabled = not muted
        if muted and host.speaker.forget(point_id):
            host.emit(ActiveSpeaker(point=None, ts=host.now_ms()))
        host.emit(Muted(point=point_id, muted=muted, by=by, ts=host.now_ms()))

    def _pin_here(self, tile: str, source: str | None, by: str) -> None:
        host = self.host
        if source is None:
            host.pins.pop(tile, None)
        else:
            host.pins[tile] = source
        host.emit(Pinned(tile=tile, source=source, by=by, ts=self.host.now_ms()))
