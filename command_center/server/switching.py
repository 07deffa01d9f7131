"""The synchronised switch: one preset on every screen (or on a zone's screens) at one agreed
instant, and its report.

A switch is a compare-and-set on the store's wall state (two consoles switching at once:
one wins, the other hears a conflict), then every screen is sent its layout with the same
``swap_at`` a lead time ahead, the bus tells the other server processes, and a report
collects each screen's ``swapped`` until all expected screens answered or time is up; the
outcome is audited either way. A zone switch sends only the zone's screens a layout and
expects only them; a whole-wall switch drops every zone's own preset.
"""

from __future__ import annotations

import asyncio
import difflib
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol

from command_center.audit import audit
from command_center.auth import Principal
from command_center.bus import Bus
from command_center.errors import ConflictError, NotFoundError
from command_center.messages import LayoutSwitched, ScreenSwapped
from command_center.redis_client import NotReplicated
from command_center.server.best_effort import Bookkeeping
from command_center.server.switch_report import SwitchReport
from command_center.server.wall_layouts import zone_targets
from command_center.store import Store, WallState
from command_center.tasks import wait_for_event
from layouts.model import PresetSpec, WallSpec

SWITCH_REPORT_TIMEOUT_S = 5.0
REPORTS_KEPT = 20


class SwitchedWall(Protocol):
    """What a switch changes: the hub's state and the layouts its screens show."""

    state: WallState

    def screens_online(self) -> frozenset[str]: ...

    def apply(
        self,
        state: WallState,
        switch_id: str,
        swap_at: float,
        screens: tuple[str, ...] | None = None,
    ) -> None: ...


class Switching:
    """Makes switches and keeps the last ``REPORTS_KEPT`` reports."""

    def __init__(
        self,
        wall_spec: WallSpec,
        presets: Mapping[str, PresetSpec],
        store: Store,
        bus: Bus,
        bookkeeping: Bookkeeping,
        clock: Callable[[], float],
        lead_ms: float,
    ) -> None:
        self._wall = wall_spec
        self._presets = presets
        self._store = store
        self._bus = bus
        self._bookkeeping = bookkeeping
        self._clock = clock
        self._lead_ms = lead_ms
        self.reports: OrderedDict[str, SwitchReport] = OrderedDict()
        # Reports waiting for their screens; cancelled when the hub stops.
        self.background: set[asyncio.Task[Any]] = set()

    async def switch(
        self, wall: SwitchedWall, preset_id: str, actor: Principal, zone: str | None = None
    ) -> SwitchReport:
        """Show ``preset_id`` at one agreed instant on every screen (``zone`` None), or on the
        screens of ``zone`` only (those an earlier-listed zone with a preset holds excepted)."""
        _known("preset", preset_id, self._presets)
        if zone is not None:
            _known("zone", zone, self._wall.zones)
        now = self._clock()
        previous = wall.state
        state = WallState(
            preset=preset_id if zone is None else previous.preset,
            zones={} if zone is None else {**previous.zones, zone: preset_id},
            version=previous.version + 1,
            switched_at=now,
            switched_by=actor.name,
        )
        targets = None if zone is None else zone_targets(self._wall, zone, state.zones)
        try:
            won = await self._store.compare_and_set_state(previous.version, state)
        except NotReplicated:
            # On the primary, not yet on a replica (503): a retry starts from what it holds.
            wall.state = await self._store.get_state()
            raise
        if not won:
            wall.state = await self._store.get_state()
            raise ConflictError(
                "another switch happened at the same time; the wall now shows "
                f"'{wall.state.preset}' (version {wall.state.version}); try again"
            )
        switch_id = uuid.uuid4().hex[:12]
        swap_at = now + self._lead_ms
        online = wall.screens_online()
        if targets is not None:
            online = online & frozenset(targets)
        report = SwitchReport(switch_id, preset_id, actor.name, now, swap_at, online, zone=zone)
        self._remember(report)
        started = time.perf_counter()
        wall.apply(state, switch_id, swap_at, targets)
        report.dispatch_ms = (time.perf_counter() - started) * 1000.0
        await audit(
            self._store,
            actor,
            "switch_layout",
            preset_id,
            {
                "from": previous.zones.get(zone, previous.preset) if zone else previous.preset,
                "zone": zone,
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
                zone=zone,
            )
        )
        self._spawn(self._finish_report(report, actor))
        return report

    def swapped(self, message: ScreenSwapped) -> None:
        """A screen (here or on another process) swapped for a switch made here."""
        report = self.reports.get(message.switch_id)
        if report is not None:
            report.record(message.screen, message.at)

    def _remember(self, report: SwitchReport) -> None:
        self.reports[report.switch_id] = report
        while len(self.reports) > REPORTS_KEPT:
            self.reports.popitem(last=False)

    async def _finish_report(self, report: SwitchReport, actor: Principal) -> None:
        wait_s = (report.swap_at - self._clock()) / 1000.0 + SWITCH_REPORT_TIMEOUT_S
        await wait_for_event(report.done, max(wait_s, 0.5))
        self._bookkeeping.run(
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
                "zone": report.zone,
                "skew_ms": report.skew_ms,
                "duration_ms": report.duration_ms,
                "missing": report.missing,
            },
            at_ms=self._clock(),
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def _known(field: str, got: str, known: Mapping[str, object]) -> None:
    """NotFoundError naming ``field``, what is known and the nearest name, if ``got`` is not."""
    if got in known:
        return
    close = difflib.get_close_matches(got, list(known), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise NotFoundError(
        f"unknown {field} '{got}' (known: {', '.join(sorted(known)) or 'none'}){hint}",
        [{"field": field, "got": got, "allowed": sorted(known)}],
    )
