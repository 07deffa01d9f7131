"""The screen hub: which screen shows what, and getting tile data to it without stalls.

Each connected screen has a link and a coalescer. Data is routed only to the screens that
show the tile and merged latest-wins. A screen gets at most one message per flush period:
the first change after a quiet period goes out at once (no waiting for a tick), later ones
wait for the period to end. A screen whose previous frame is still being written is
skipped (its coalescer keeps the newest values), so the slowest screen never sets the pace.

Layouts are pre-built per preset and screen at start-up, so a switch costs the loop one
small message per screen, not a rebuild.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from command_center.audit import audit
from command_center.auth import Principal
from command_center.bus import Bus, BusResumed
from command_center.errors import ConflictError, NotFoundError
from command_center.messages import (
    AnyBusMessage,
    LayoutSwitched,
    ScreenPresence,
    ScreenSwapped,
    TileDataChanged,
)
from command_center.protocol import (
    DataMessage,
    Health,
    LayoutMessage,
    Message,
    Ping,
    Pong,
    Rect,
    Restarting,
    ScreenInfo,
    ServerState,
    Swapped,
    TileView,
    Welcome,
)
from command_center.redis_client import NotReplicated
from command_center.server.best_effort import Bookkeeping
from command_center.server.coalesce import Coalescer
from command_center.server.link_limits import LinkLimits
from command_center.server.switch_report import SwitchReport
from command_center.store import ScreenRecord, Store, WallState
from command_center.tasks import stop_if_cancelled
from layouts.geometry import tiles_for_screen
from layouts.model import PresetSpec, WallSpec

log = logging.getLogger(__name__)

# Keep a screen's record in the store fresh without writing on every heartbeat.
SCREEN_RECORD_EVERY_MS = 30_000
# A screen on another process counts as online this long after its last presence message
# (screens report health every 5 s, and each report renews it).
REMOTE_PRESENCE_TTL_MS = 15_000
SWITCH_REPORT_TIMEOUT_S = 5.0
REPORTS_KEPT = 20


def now_ms() -> float:
    return time.time() * 1000.0


class ScreenLink(Protocol):
    """The transport to one screen page (a WebSocket); sending never blocks."""

    screen: str
    preview: bool

    def send(self, message: Message) -> None: ...

    @property
    def busy(self) -> bool: ...

    def close(self, code: int | None = None, reason: str | None = None) -> None: ...


@dataclass
class ScreenStatus:
    """What the console shows about one physical screen."""

    id: str
    online: int = 0
    connected_at: float | None = None
    last_seen: float | None = None
    health: Health | None = None
    last_swap_late_ms: float | None = None
    recorded_at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        h = self.health
        return {
            "id": self.id,
            "online": self.online > 0,
            "connections": self.online,
            "connected_at": self.connected_at,
            "last_seen": self.last_seen,
            "offset_ms": h.offset_ms if h else None,
            "rtt_ms": h.rtt_ms if h else None,
            "latency_p50_ms": h.latency_p50_ms if h else None,
            "latency_p99_ms": h.latency_p99_ms if h else None,
            "memory_mb": h.memory_mb if h else None,
            "resolution": f"{h.width}×{h.height}" if h else None,
            "applied": h.applied if h else 0,
            "last_swap_late_ms": self.last_swap_late_ms,
        }


@dataclass(eq=False)
class _Attached:
    link: ScreenLink
    coalescer: Coalescer = field(default_factory=Coalescer)
    skipped_flushes: int = 0
    # Loop time before which this screen gets no further data message.
    next_send: float = 0.0
    timer: asyncio.Handle | None = None


class ScreenHub:
    """Owns the wall's live state in this process. Created and closed by ``WallRuntime``."""

    def __init__(
        self,
        wall: WallSpec,
        presets: Mapping[str, PresetSpec],
        store: Store,
        bus: Bus,
        *,
        flush_hz: float = 30.0,
        switch_lead_ms: float = 250.0,
        clock: Callable[[], float] = now_ms,
    ) -> None:
        if not presets:
            raise ValueError("the wall needs at least one layout preset")
        self.wall = wall
        self.presets = dict(presets)
        self._store = store
        self._bus = bus
        self._flush_s = 1.0 / flush_hz
        self._lead_ms = switch_lead_ms
        self._clock = clock
        self._views = {pid: self._build_views(p) for pid, p in self.presets.items()}
        self.state = WallState()
        self._attached: dict[str, list[_Attached]] = {s.id: [] for s in wall.screens}
        self._routes: dict[str, list[_Attached]] = {}
        self._tile_data: dict[str, dict[str, Any]] = {}
        self._tile_ts: dict[str, float] = {}
        self.status = {s.id: ScreenStatus(s.id) for s in wall.screens}
        self.reports: OrderedDict[str, SwitchReport] = OrderedDict()
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        # Who this process is on the bus, and the screens other processes hold:
        # (screen, process) -> (online, seen at).
        self.process = uuid.uuid4().hex[:12]
        self._remote: dict[tuple[str, str], tuple[bool, float]] = {}
        # Bounds and counts of this process's screen and video links (/health shows them).
        self.links = LinkLimits()
        # Screens that linked here while another process still held them (/metrics).
        self.takeovers = 0
        # Store and bus writes about screens: never on a link's path (best_effort.py).
        self.bookkeeping = Bookkeeping()
        # The server's health as screens are told it (health.py decides it).
        self.server_state = ServerState(status="ok")

    # ---- lifetime -----------------------------------------------------------------------

    async def start(self) -> None:
        self.state = await self._store.get_state()
        if self.state.preset not in self.presets:
            default = "overview" if "overview" in self.presets else sorted(self.presets)[0]
            fresh = WallState(preset=default, version=self.state.version + 1)
            try:
                won = await self._store.compare_and_set_state(self.state.version, fresh)
            except NotReplicated:  # the default preset, replicated or not: start with it
                won = True
            if won:
                self.state = fresh
            else:
                self.state = await self._store.get_state()
        for record in await self._store.screens():
            if record.id in self.status:
                self.status[record.id].last_seen = record.last_seen
        self._loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        self._tasks = [asyncio.create_task(self._bus_loop(ready), name="hub-bus")]
        await ready.wait()

    def announce_restart(self) -> None:
        """Shutting down: screens reconnect without the link-lost banner for a while."""
        message = Restarting()
        for entries in self._attached.values():
            for entry in entries:
                entry.link.send(message)

    def close_links(self) -> None:
        """Close every screen link (shutdown): pages show "link lost" and reconnect."""
        for entries in self._attached.values():
            for entry in list(entries):
                entry.link.close(1001, "server shutting down")

    async def stop(self) -> None:
        for entries in self._attached.values():
            for entry in entries:
                if entry.timer is not None:
                    entry.timer.cancel()
        for task in [*self._tasks, *self._background]:
            task.cancel()
        for task in [*self._tasks, *self._background]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self._background.clear()
        await self.bookkeeping.stop()

    # ---- screens ------------------------------------------------------------------------

    def screen_info(self, screen_id: str) -> ScreenInfo:
        spec = self.wall.screen(screen_id)
        vp = self.wall.viewport(screen_id)
        return ScreenInfo(
            id=spec.id,
            width=spec.width,
            height=spec.height,
            viewport=Rect(x=vp.x, y=vp.y, w=vp.w, h=vp.h),
            wall_width=self.wall.width,
            wall_height=self.wall.height,
        )

    async def attach(self, link: ScreenLink, shown_version: int | None) -> None:
        """A screen (or a console preview of it) connected: greet it and show the layout."""
        now = self._clock()
        entry = _Attached(link)
        self._attached[link.screen].append(entry)
        self._route_screen(entry)
        link.send(Welcome(screen=self.screen_info(link.screen), server_time=now))
        link.send(self._layout_message(link.screen))
        # Always: a page that reconnects may still show a marker the server has cleared.
        link.send(self.server_state)
        if link.preview:
            return
        status = self.status[link.screen]
        if status.online == 0 and link.screen in self._held_elsewhere():
            self.takeovers += 1
        status.online += 1
        status.connected_at = status.last_seen = now
        self._note_screen(status, force=True)
        self._note_presence(link.screen, online=True)

    def detach(self, link: ScreenLink) -> None:
        entries = self._attached.get(link.screen, [])
        for entry in [e for e in entries if e.link is link]:
            entries.remove(entry)
            if entry.timer is not None:
                entry.timer.cancel()
        self._rebuild_routes()
        if not link.preview:
            status = self.status[link.screen]
            status.online = max(0, status.online - 1)
            status.last_seen = self._clock()
            if status.online == 0:
                self._note_presence(link.screen, online=False)

    async def receive(self, link: ScreenLink, message: Ping | Swapped | Health) -> None:
        now = self._clock()
        if isinstance(message, Ping):
            link.send(Pong(t0=message.t0, ts=now))
            return
        if link.preview:
            return
        status = self.status[link.screen]
        status.last_seen = now
        if isinstance(message, Swapped):
            status.last_swap_late_ms = message.late_ms
            swapped = ScreenSwapped(screen=link.screen, switch_id=message.switch_id, at=message.at)
            self.bookkeeping.run(
                f"swapped:{link.screen}", "swap report", lambda: self._bus.publish(swapped)
            )
        else:
            status.health = message
            self._note_screen(status)
            self._note_presence(link.screen, online=True)

    # What the store and the bus hear about screens is best-effort: a Redis outage or a
    # full disk must never close a link (the error used to propagate into the socket).

    def _note_screen(self, status: ScreenStatus, force: bool = False) -> None:
        self.bookkeeping.run(
            f"record:{status.id}",
            "screen record",
            lambda: self._record_screen(status, force=force),
        )

    def _note_presence(self, screen: str, *, online: bool) -> None:
        presence = ScreenPresence(
            screen=screen, process=self.process, online=online, at=self._clock()
        )
        self.bookkeeping.run(
            f"presence:{screen}", "presence renewal", lambda: self._bus.publish(presence)
        )

    def set_server_state(self, status: str, reasons: list[str]) -> None:
        """Tell every screen the server's health when it changes (their "data delayed"
        marker); a screen attaching later hears it in its greeting."""
        state = ServerState.model_validate({"status": status, "reasons": reasons})
        if state == self.server_state:
            return
        self.server_state = state
        for entries in self._attached.values():
            for entry in entries:
                entry.link.send(state)

    def late_tiles(self) -> int:
        """Tiles on the wall now whose newest value is past its reporting period."""
        assert self.state.preset is not None
        shown = {v.id for views in self._views[self.state.preset].values() for v in views}
        return sum(
            1
            for tile in shown
            if (data := self._tile_data.get(tile))
            and (data.get("late") is True or (data.get("late_count") or 0) > 0)
        )

    def screens_elsewhere(self) -> list[str]:
        """Screens held by another process that said so within the presence TTL: a process
        that hangs (SIGSTOP) or dies stops saying so, and its screens drop out of this."""
        return sorted(self.screens_online() - {s for s, st in self.status.items() if st.online})

    def _held_elsewhere(self) -> set[str]:
        now = self._clock()
        return {
            screen
            for (screen, _), (online, at) in self._remote.items()
            if online and now - at <= REMOTE_PRESENCE_TTL_MS
        }

    def screens_online(self) -> frozenset[str]:
        """Screens connected to this process, or to another one that said so lately."""
        now = self._clock()
        # Forget what has fallen silent (a restarted process has a new id), so this map
        # stays as small as the screens actually held elsewhere.
        for key in [k for k, (_, at) in self._remote.items() if now - at > REMOTE_PRESENCE_TTL_MS]:
            del self._remote[key]
        remote = {screen for (screen, _), (online, _) in self._remote.items() if online}
        return frozenset(s for s, st in self.status.items() if st.online) | remote

    async def _record_screen(self, status: ScreenStatus, force: bool = False) -> None:
        now = self._clock()
        if not force and now - status.recorded_at < SCREEN_RECORD_EVERY_MS:
            return
        health = status.health.model_dump(exclude={"type"}) if status.health else {}
        await self._store.upsert_screen(
            ScreenRecord(id=status.id, first_seen=now, last_seen=now, health=health)
        )
        status.recorded_at = now  # after: a failed write is tried again at the next report

    # ---- layouts ------------------------------------------------------------------------

    def _build_views(self, preset: PresetSpec) -> dict[str, list[TileView]]:
        views: dict[str, list[TileView]] = {}
        for screen in self.wall.screens:
            views[screen.id] = [
                TileView(
                    id=placed.tile.id,
                    kind=placed.tile.kind,
                    params=placed.tile.params.model_dump(mode="json"),
                    rect=Rect(x=placed.rect.x, y=placed.rect.y, w=placed.rect.w, h=placed.rect.h),
                )
                for placed in tiles_for_screen(self.wall, preset, screen.id)
            ]
        return views

    def _layout_message(
        self, screen_id: str, switch_id: str | None = None, swap_at: float | None = None
    ) -> LayoutMessage:
        preset_id = self.state.preset
        assert preset_id is not None, "start() chooses a preset"
        preset = self.presets[preset_id]
        tiles = [
            view.model_copy(update={"data": self._tile_data[view.id]})
            if view.id in self._tile_data
            else view
            for view in self._views[preset_id][screen_id]
        ]
        return LayoutMessage(
            version=self.state.version,
            preset=preset_id,
            name_vi=preset.name_vi,
            name_en=preset.name_en,
            tiles=tiles,
            switch_id=switch_id,
            swap_at=swap_at,
        )

    def tile_ids(self, screen_id: str) -> list[str]:
        assert self.state.preset is not None
        return [v.id for v in self._views[self.state.preset][screen_id]]

    def _route_screen(self, entry: _Attached) -> None:
        for tile_id in self.tile_ids(entry.link.screen):
            self._routes.setdefault(tile_id, []).append(entry)

    def _rebuild_routes(self) -> None:
        self._routes = {}
        for entries in self._attached.values():
            for entry in entries:
                self._route_screen(entry)

    async def switch(self, preset_id: str, actor: Principal) -> SwitchReport:
        """Show ``preset_id`` on every screen at one agreed instant."""
        if preset_id not in self.presets:
            close = difflib.get_close_matches(preset_id, list(self.presets), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise NotFoundError(
                f"unknown preset '{preset_id}' (known: {', '.join(sorted(self.presets))}){hint}",
                [{"field": "preset", "got": preset_id, "allowed": sorted(self.presets)}],
            )
        now = self._clock()
        previous = self.state
        state = WallState(
            preset=preset_id,
            version=previous.version + 1,
            switched_at=now,
            switched_by=actor.name,
        )
        try:
            won = await self._store.compare_and_set_state(previous.version, state)
        except NotReplicated:
            # On the primary, not yet on a replica (503): a retry starts from what it holds.
            self.state = await self._store.get_state()
            raise
        if not won:
            self.state = await self._store.get_state()
            raise ConflictError(
                "another switch happened at the same time; the wall now shows "
                f"'{self.state.preset}' (version {self.state.version}); try again"
            )
        switch_id = uuid.uuid4().hex[:12]
        swap_at = now + self._lead_ms
        online = self.screens_online()
        report = SwitchReport(switch_id, preset_id, actor.name, now, swap_at, online)
        self._remember(report)
        started = time.perf_counter()
        self._apply(state, switch_id, swap_at)
        report.dispatch_ms = (time.perf_counter() - started) * 1000.0
        await audit(
            self._store,
            actor,
            "switch_layout",
            preset_id,
            {
                "from": previous.preset,
                "version": state.version,
                "switch_id": switch_id,
                "screens_online": sorted(online),
            },
            at_ms=now,
        )
        await self._bus.publish(
            LayoutSwitched(
                preset=preset_id,
                version=state.version,
                switch_id=switch_id,
                swap_at=swap_at,
                actor=actor.name,
            )
        )
        self._spawn(self._finish_report(report, actor))
        return report

    def _apply(self, state: WallState, switch_id: str, swap_at: float) -> None:
        self.state = state
        self._rebuild_routes()
        for screen_id, entries in self._attached.items():
            if not entries:
                continue
            message = self._layout_message(screen_id, switch_id, swap_at)
            for entry in entries:
                # Data queued for the old layout is already inside the new layout message.
                entry.coalescer.clear()
                entry.link.send(message)

    def _remember(self, report: SwitchReport) -> None:
        self.reports[report.switch_id] = report
        while len(self.reports) > REPORTS_KEPT:
            self.reports.popitem(last=False)

    async def _finish_report(self, report: SwitchReport, actor: Principal) -> None:
        wait_s = report.swap_at / 1000.0 - time.time() + SWITCH_REPORT_TIMEOUT_S
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(report.done.wait(), max(wait_s, 0.5))
        self.bookkeeping.run(
            f"report:{report.switch_id}",
            "switch report audit",
            lambda: self._audit_report(report, actor),
        )

    async def _audit_report(self, report: SwitchReport, actor: Principal) -> None:
        await audit(
            self._store,
            actor,
            "switch_completed" if report.complete else "switch_incomplete",
            report.preset,
            {
                "switch_id": report.switch_id,
                "skew_ms": report.skew_ms,
                "duration_ms": report.duration_ms,
                "missing": report.missing,
            },
            at_ms=self._clock(),
        )

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ---- data ---------------------------------------------------------------------------

    def push(self, tile: str, data: dict[str, Any], ts: float) -> None:
        """New data for a tile: keep it for later layouts, queue it for screens showing it."""
        self._tile_data.setdefault(tile, {}).update(data)
        self._tile_ts[tile] = ts
        for entry in self._routes.get(tile, ()):
            entry.coalescer.add(tile, data, ts)
            if entry.timer is None and self._loop is not None:
                if entry.next_send <= self._loop.time():
                    entry.timer = self._loop.call_soon(self._send_due, entry)
                else:
                    entry.timer = self._loop.call_at(entry.next_send, self._send_due, entry)

    def _send_due(self, entry: _Attached) -> None:
        entry.timer = None
        assert self._loop is not None
        now = self._loop.time()
        if entry.link.busy:
            # Still writing the last frame: try again a period later, with fresher data.
            entry.skipped_flushes += 1
            entry.timer = self._loop.call_at(now + self._flush_s, self._send_due, entry)
            return
        if self._send(entry):
            entry.next_send = now + self._flush_s

    def _send(self, entry: _Attached) -> bool:
        drained = entry.coalescer.drain()
        if drained is None:
            return False
        tiles, ts = drained
        entry.link.send(DataMessage(tiles=tiles, ts=ts, sent=self._clock()))
        return True

    def flush(self) -> int:
        """Send every screen what is pending now, ignoring the period (busy links still
        wait); returns the messages sent. For shutdown and tests."""
        sent = 0
        for entries in self._attached.values():
            for entry in entries:
                if entry.coalescer and not entry.link.busy:
                    sent += self._send(entry)
        return sent

    async def _bus_loop(self, ready: asyncio.Event) -> None:
        async with self._bus.subscribe() as messages:
            ready.set()
            async for message in messages:
                try:
                    if isinstance(message, BusResumed):
                        await self._resync()
                    else:
                        self._on_bus(message)
                except Exception:
                    stop_if_cancelled()
                    log.exception("bus message %r failed", message)

    async def _resync(self) -> None:
        """After a bus outage: a switch made on another process meanwhile was never heard
        here; the store has it."""
        fresh = await self._store.get_state()
        if fresh.version > self.state.version and fresh.preset in self.presets:
            log.info(
                "switched to %s (version %d) while the bus was down", fresh.preset, fresh.version
            )
            self._apply(fresh, f"resync-{fresh.version}", time.time() * 1000.0)

    def _on_bus(self, message: AnyBusMessage) -> None:
        if isinstance(message, TileDataChanged):
            self.push(message.tile, message.data, message.ts)
        elif isinstance(message, ScreenPresence):
            if message.process != self.process and message.screen in self.status:
                self._remote[(message.screen, message.process)] = (message.online, message.at)
        elif isinstance(message, ScreenSwapped):
            report = self.reports.get(message.switch_id)
            if report is not None:
                report.record(message.screen, message.at)
        elif (
            isinstance(message, LayoutSwitched)
            and message.version > self.state.version
            and message.preset in self.presets
        ):
            # Switched by another server process sharing the store.
            state = WallState(
                preset=message.preset,
                version=message.version,
                switched_at=self._clock(),
                switched_by=message.actor,
            )
            self._apply(state, message.switch_id, message.swap_at)

    # ---- console ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "preset": self.state.preset,
            "version": self.state.version,
            "switched_at": self.state.switched_at,
            "switched_by": self.state.switched_by,
            "screens": [
                {
                    **self.status[s.id].as_dict(),
                    # Data messages held back because the screen had not read the last one:
                    # a screen that keeps growing this number cannot keep up.
                    "skipped_flushes": sum(
                        e.skipped_flushes for e in self._attached[s.id] if not e.link.preview
                    ),
                }
                for s in self.wall.screens
            ],
            "last_switch": next(reversed(self.reports.values())).as_dict()
            if self.reports
            else None,
        }

    @property
    def bus_rejected(self) -> int:
        """Forged or unsigned bus messages dropped so far (``/health``)."""
        return self._bus.rejected

    def bus_health(self) -> dict[str, Any]:
        """The bus link for ``/health``: up, or reconnecting since when (ms)."""
        down = self._bus.down_since
        return {
            "state": "ok" if down is None else "reconnecting",
            "down_since": None if down is None else down * 1000.0,
            "reconnects": self._bus.reconnects,
        }
