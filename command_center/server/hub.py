"""The screen hub: which screen shows what, assembled from its parts.

    ScreenHub       the wall's live state in this process: layouts, links, the bus  hub.py
    ├── WallLayouts which preset each screen shows (zones), its pre-built tiles  wall_layouts.py
    ├── FanOut      tile data to the screens showing it, paced per screen      fanout.py
    ├── Switching   the synchronised switch and its reports                    switching.py
    └── Presence    who is online, here and on other processes; health         presence.py

Layouts are pre-built per preset and screen at start-up, so a switch costs the loop one
small message per screen, not a rebuild. The hub runs on injected clocks (``timers.py``):
epoch milliseconds for what screens are told, monotonic timers for pacing data.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from command_center.auth import Principal
from command_center.bus import Bus, BusResumed
from command_center.messages import (
    AnyBusMessage,
    LayoutSwitched,
    ScreenPresence,
    ScreenSwapped,
    TileDataChanged,
)
from command_center.protocol import (
    Banner,
    BannersMessage,
    Health,
    LayoutMessage,
    Ping,
    Pong,
    Rect,
    Restarting,
    ScreenInfo,
    ServerState,
    Swapped,
    Welcome,
)
from command_center.redis_client import NotReplicated
from command_center.server.best_effort import Bookkeeping
from command_center.server.fanout import FanOut, ScreenLink
from command_center.server.history_tap import NO_HISTORY, HistoryTap
from command_center.server.link_limits import LinkLimits
from command_center.server.presence import Presence, ScreenStatus
from command_center.server.switch_report import SwitchReport
from command_center.server.switching import Switching
from command_center.server.timers import LoopTimers, Timers, wall_ms
from command_center.server.wall_layouts import WallLayouts, indicators_in, zone_targets
from command_center.store import Store, WallState
from command_center.tasks import cancel_all, stop_if_cancelled
from layouts.model import PresetSpec, WallSpec

# ``indicators_in`` stays importable from here (alerts_runtime.py imports it).
__all__ = ["ScreenHub", "ScreenLink", "ScreenStatus", "indicators_in"]

log = logging.getLogger(__name__)


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
        clock: Callable[[], float] = wall_ms,
        timers: Timers | None = None,
    ) -> None:
        """``clock`` is epoch ms (what screens are told); ``timers`` pace data to screens
        (default: the running loop's, from ``start()``)."""
        if not presets:
            raise ValueError("the wall needs at least one layout preset")
        self.wall = wall
        self.presets = dict(presets)
        self._store = store
        self._bus = bus
        self._clock = clock
        self._timers = timers
        self._layouts = WallLayouts(wall, self.presets)
        self.state = WallState()
        screen_ids = [s.id for s in wall.screens]
        self._fanout = FanOut(screen_ids, 1.0 / flush_hz, clock)
        # The newest data of every tile (the same dict the fan-out keeps).
        self._tile_data = self._fanout.tile_data
        self._tasks: list[asyncio.Task[None]] = []
        # Bounds and counts of this process's screen and video links (/health shows them).
        self.links = LinkLimits()
        # Store and bus writes about screens: never on a link's path (best_effort.py).
        self.bookkeeping = Bookkeeping()
        # Who this process is on the bus is the presence's ``process``.
        self._presence = Presence(
            screen_ids, uuid.uuid4().hex[:12], store, bus, self.bookkeeping, clock
        )
        self.status: dict[str, ScreenStatus] = self._presence.status
        self._switching = Switching(
            wall, self.presets, store, bus, self.bookkeeping, clock, switch_lead_ms
        )
        self.reports: OrderedDict[str, SwitchReport] = self._switching.reports
        # The server's health as screens are told it (health.py decides it).
        self.server_state = ServerState(status="ok")
        # The banners over each screen's layout (announcements, alerts): set by WallBanners.
        self._banners: dict[str, list[Banner]] = {s: [] for s in screen_ids}
        self.history: HistoryTap = NO_HISTORY  # what the screens are shown, kept (history/)

    @property
    def process(self) -> str:
        """Who this process is on the bus (presence messages name it)."""
        return self._presence.process

    @property
    def takeovers(self) -> int:
        """Screens that linked here while another process still held them (/metrics)."""
        return self._presence.takeovers

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
        self._layouts.show(self.state)
        self._presence.load(await self._store.screens())
        self._fanout.timers = self._timers or LoopTimers(asyncio.get_running_loop())
        ready = asyncio.Event()
        self._tasks = [asyncio.create_task(self._bus_loop(ready), name="hub-bus")]
        await ready.wait()

    def announce_restart(self) -> None:
        """Shutting down: screens reconnect without the link-lost banner for a while."""
        message = Restarting()
        for entry in self._fanout.entries():
            entry.link.send(message)

    def close_links(self) -> None:
        """Close every screen link (shutdown): pages show "link lost" and reconnect."""
        for entry in list(self._fanout.entries()):
            entry.link.close(1001, "server shutting down")

    async def stop(self) -> None:
        self._fanout.cancel_timers()
        tasks = [*self._tasks, *self._switching.background]
        await cancel_all(tasks)
        self._tasks.clear()
        self._switching.background.clear()
        await self.bookkeeping.stop()

    # ---- screens ------------------------------------------------------------------------

    def screen_info(self, screen_id: str) -> ScreenInfo:
        spec = self.wall.screen(screen_id)
        vp = self.wall.viewport(screen_id)
        rule = self.wall.legibility
        return ScreenInfo(
            id=spec.id,
            width=spec.width,
            height=spec.height,
            viewport=Rect(x=vp.x, y=vp.y, w=vp.w, h=vp.h),
            wall_width=self.wall.width,
            wall_height=self.wall.height,
            min_text_px=rule.min_text_px if rule is not None else None,
            min_value_px=rule.min_value_px if rule is not None else None,
        )

    async def attach(self, link: ScreenLink, shown_version: int | None) -> None:
        """A screen (or a console preview of it) connected: greet it and show the layout."""
        now = self._clock()
        self._fanout.add(link, self.tile_ids(link.screen))
        link.send(Welcome(screen=self.screen_info(link.screen), server_time=now))
        link.send(self.layout_message(link.screen))
        # Always: a page that reconnects may still show a marker the server has cleared.
        link.send(self.server_state)
        link.send(BannersMessage(banners=self._banners[link.screen]))
        if not link.preview:
            self._presence.connected(link.screen, now)

    def detach(self, link: ScreenLink) -> None:
        self._fanout.remove(link, self.tile_ids)
        if not link.preview:
            self._presence.disconnected(link.screen)

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
            self._presence.reported(link.screen, message)

    def set_server_state(self, status: str, reasons: list[str]) -> None:
        """Tell every screen the server's health when it changes (their "data delayed"
        marker); a screen attaching later hears it in its greeting."""
        state = ServerState.model_validate({"status": status, "reasons": reasons})
        if state == self.server_state:
            return
        self.server_state = state
        for entry in self._fanout.entries():
            entry.link.send(state)

    def set_banners(self, per_screen: Mapping[str, list[Banner]]) -> None:
        """Each screen's banners now (a screen not named shows none): a ``BannersMessage`` to
        the screens whose set changed; a screen attaching later hears it in its greeting."""
        for screen_id, shown in self._banners.items():
            banners = list(per_screen.get(screen_id, ()))
            if banners == shown:
                continue
            self._banners[screen_id] = banners
            message = BannersMessage(banners=banners)
            self.history.banners(screen_id, message)
            for entry in self._fanout.attached[screen_id]:
                entry.link.send(message)

    def banners(self, screen_id: str) -> list[Banner]:
        """The banners ``screen_id`` shows now."""
        return list(self._banners[screen_id])

    def late_tiles(self) -> int:
        """Tiles on the wall now whose newest value is past its reporting period."""
        shown = self._layouts.tiles_shown()
        return sum(
            1
            for tile in shown
            if (data := self._tile_data.get(tile))
            and (data.get("late") is True or (data.get("late_count") or 0) > 0)
        )

    def screens_elsewhere(self) -> list[str]:
        """Screens held by another process that said so within the presence TTL: a process
        that hangs (SIGSTOP) or dies stops saying so, and its screens drop out of this."""
        return self._presence.screens_elsewhere()

    def screens_online(self) -> frozenset[str]:
        """Screens connected to this process, or to another one that said so lately."""
        return self._presence.screens_online()

    def screens_known(self) -> frozenset[str]:
        """Screens seen at least once (a screen never plugged in is not "offline")."""
        return frozenset(s for s, status in self.status.items() if status.last_seen is not None)

    # ---- layouts ------------------------------------------------------------------------

    @property
    def preset_shown(self) -> tuple[str | None, int]:
        """The preset on the wall and the state's version (alerts tell a switch of theirs
        from an officer's by it)."""
        return self.state.preset, self.state.version

    def screens_showing(self, shows: tuple[str, ...]) -> tuple[str, ...]:
        """Screens whose current layout has a tile for one of ``shows``: "indicator:<code>"
        (a tile naming that indicator) or "point:<id>" (a video tile of that point)."""
        return self._layouts.screens_showing(shows)

    def preset_of(self, screen_id: str) -> str:
        """The preset ``screen_id`` shows: its zone's, if a zone switch gave it one."""
        return self._layouts.preset_of(screen_id)

    def layout_message(
        self, screen_id: str, switch_id: str | None = None, swap_at: float | None = None
    ) -> LayoutMessage:
        preset_id = self._layouts.preset_of(screen_id)
        preset = self.presets[preset_id]
        tiles = [
            view.model_copy(update={"data": self._tile_data[view.id]})
            if view.id in self._tile_data
            else view
            for view in self._layouts.screen_views(screen_id)
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
        return self._layouts.tile_ids(screen_id)

    async def switch(
        self, preset_id: str, actor: Principal, zone: str | None = None
    ) -> SwitchReport:
        """Show ``preset_id`` at one agreed instant on every screen, or with ``zone`` on that
        zone's screens only, the rest keeping their layout (``switching.py``)."""
        return await self._switching.switch(self, preset_id, actor, zone)

    def apply(
        self,
        state: WallState,
        switch_id: str,
        swap_at: float,
        screens: tuple[str, ...] | None = None,
    ) -> None:
        """Show ``state`` on the linked ``screens`` (None: every screen), swapping at
        ``swap_at`` (a switch made here or on another process, or one missed while the bus
        was down). The other screens are sent nothing."""
        self.state = state
        self._layouts.show(state)
        self._fanout.reroute(self.tile_ids)
        sent: dict[str, LayoutMessage] = {}
        for screen_id, entries in self._fanout.attached.items():
            if screens is not None and screen_id not in screens:
                continue
            if not entries and self.history is NO_HISTORY:
                continue
            message = sent[screen_id] = self.layout_message(screen_id, switch_id, swap_at)
            for entry in entries:
                # Data queued for the old layout is already inside the new layout message.
                entry.coalescer.clear()
                entry.link.send(message)
        self.history.switched(sent)

    # ---- data ---------------------------------------------------------------------------

    def push(self, tile: str, data: dict[str, Any], ts: float) -> None:
        """New data for a tile: keep it for later layouts, queue it for screens showing it."""
        self._fanout.push(tile, data, ts)
        self.history.data(tile, data, ts)

    def flush(self) -> int:
        """Send every screen what is pending now, ignoring the period (busy links still
        wait); returns the messages sent. For shutdown and tests."""
        return self._fanout.flush()

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
        here; the store has it (the whole wall's preset and the zones')."""
        fresh = await self._store.get_state()
        if fresh.version > self.state.version and fresh.preset in self.presets:
            log.info(
                "switched to %s, zones %s (version %d) while the bus was down",
                fresh.preset,
                fresh.zones,
                fresh.version,
            )
            self.apply(fresh, f"resync-{fresh.version}", self._clock())

    def _on_bus(self, message: AnyBusMessage) -> None:
        if isinstance(message, TileDataChanged):
            self.push(message.tile, message.data, message.ts)
        elif isinstance(message, ScreenPresence):
            self._presence.heard(message)
        elif isinstance(message, ScreenSwapped):
            self._switching.swapped(message)
        elif isinstance(message, LayoutSwitched):
            self._switched_elsewhere(message)

    def _switched_elsewhere(self, message: LayoutSwitched) -> None:
        """A switch made by another server process sharing the store: the same change here."""
        if message.version <= self.state.version or message.preset not in self.presets:
            return
        zone = message.zone
        if zone is not None and (
            zone not in self.wall.zones or message.version != self.state.version + 1
        ):
            # A zone switch changes the state before it, and this process missed one (or
            # does not know the zone): the store has the whole state.
            self.bookkeeping.run("resync", "re-read the wall state", self._resync)
            return
        state = WallState(
            preset=message.preset if zone is None else self.state.preset,
            zones={} if zone is None else {**self.state.zones, zone: message.preset},
            version=message.version,
            switched_at=self._clock(),
            switched_by=message.actor,
        )
        targets = None if zone is None else zone_targets(self.wall, zone, state.zones)
        self.apply(state, message.switch_id, message.swap_at, targets)

    # ---- console ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "preset": self.state.preset,
            # Zone id -> the preset its screens show instead (a zone switch).
            "zones": dict(self.state.zones),
            "version": self.state.version,
            "switched_at": self.state.switched_at,
            "switched_by": self.state.switched_by,
            "screens": [
                {
                    **self.status[s.id].as_dict(),
                    "preset": self._layouts.shown[s.id],
                    "skipped_flushes": self._fanout.skipped_flushes(s.id),
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
