"""The schedule's driver: at each change point (``layouts/schedule_plan.py``) it switches the
wall to what the schedule shows, as the system principal "lich-trinh".

Three rules keep it from fighting people and other processes:

- it acts once per period (a slot's occurrence, a rotation step), never every tick: a switch
  by the duty officer during a slot is kept until the next change point. What it did is a
  record in the control store (``("schedule", <wall id>)``), so a restart, or another
  process, does not do it again;
- while ``held()`` (an alert or the officer's lock holds the wall) it does nothing; once
  let go (``resume()``, or its next look ``RETRY_S`` later), the period in force is shown if
  it was never shown;
- with several processes one acts: it takes the lease ``"schedule"`` first; the others look
  again ``RETRY_S`` later and find the period done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from command_center.audit import AuditStore, audit
from command_center.auth import Principal, Role
from command_center.control_store import ControlStore
from command_center.errors import ConflictError
from command_center.server.switch_report import SwitchReport
from command_center.server.timers import LoopTimers, Timer, Timers, wall_ms
from command_center.store import WallState
from command_center.tasks import cancel_all
from layouts.schedule_model import Schedule
from layouts.schedule_plan import Decision, next_change, what_now

log = logging.getLogger(__name__)

SCHEDULER = Principal("lich-trinh", Role.DUTY_OFFICER)
LEASE = "schedule"
LEASE_TTL_MS = 30_000
RECORD_KIND = "schedule"
# A period not yet shown (held, lease elsewhere, a store error) is looked at again this soon.
RETRY_S = 15.0


class SwitchedWall(Protocol):
    """The part of the screen hub a schedule drives."""

    state: WallState

    async def switch(self, preset_id: str, actor: Principal) -> SwitchReport: ...


class Scheduler:
    """``start()`` after the hub; ``await stop()`` before it stops."""

    def __init__(
        self,
        schedule: Schedule,
        wall_id: str,
        hub: SwitchedWall,
        control: ControlStore,
        audit_store: AuditStore,
        *,
        holder: str,
        clock: Callable[[], float] = wall_ms,
        timers: Timers | None = None,
        held: Callable[[], bool] = lambda: False,
    ) -> None:
        """``holder`` names this process in the lease; ``clock`` is epoch ms; ``held`` is
        True while an alert or the lock holds the wall."""
        self.schedule = schedule
        self._wall_id = wall_id
        self._hub = hub
        self._control = control
        self._audit = audit_store
        self._holder = holder
        self._clock = clock
        self._timers = timers
        self.held = held
        self._done: str | None = None  # the key of the last period shown (or found done)
        self._timer: Timer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        # Looks taken so far (a test waits for one instead of sleeping).
        self.looks = 0

    def start(self) -> None:
        if self._timers is None:
            self._timers = LoopTimers(asyncio.get_running_loop())
        self._timer = self._timers.call_soon(self._wake)

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        await cancel_all(list(self._tasks))
        with contextlib.suppress(Exception):  # a lease not given up expires by itself
            await self._control.release(LEASE, self._holder)

    async def resume(self) -> None:
        """The wall is no longer held: show the period in force if it was never shown."""
        await self._tick()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock() / 1000.0, UTC)

    def ahead(self) -> tuple[datetime, Decision] | None:
        """The next change and what it will show (the console's "next change" line)."""
        now = self.now()
        when = next_change(self.schedule, now)
        return None if when is None else (when, what_now(self.schedule, when))

    def _wake(self) -> None:
        task = asyncio.create_task(self._tick())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tick(self) -> None:
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            now = self.now()
            decision = what_now(self.schedule, now)
            try:
                settled = await self._show(decision)
            except Exception:
                log.exception("schedule: showing %s failed; trying again", decision.key)
                settled = False
            self._plan(now, settled)
            self.looks += 1

    async def _show(self, decision: Decision) -> bool:
        """Show the period in force unless done; False while it is still to be shown."""
        key = decision.key
        if key is None or decision.preset is None or key == self._done:
            return True
        if await self._done_elsewhere(key):
            return True
        if self.held() or not await self._control.lease(LEASE, self._holder, LEASE_TTL_MS):
            return False
        if await self._done_elsewhere(key):  # done by the lease's last holder
            return True
        shown = self._hub.state.preset
        switch_id: str | None = None
        if shown != decision.preset:
            # A person who switched at that very instant (a conflict) wins.
            with contextlib.suppress(ConflictError):
                switch_id = (await self._hub.switch(decision.preset, SCHEDULER)).switch_id
        at_ms = self._clock()
        await self._control.put(
            RECORD_KIND, self._wall_id, {"done": key, "preset": decision.preset, "at": at_ms}
        )
        self._done = key
        # The switch itself is audited as switch_layout by "lich-trinh"; this row says why.
        detail: dict[str, Any] = {"why": decision.why, "from": shown, "switch_id": switch_id}
        if decision.since is not None:
            detail["since"] = decision.since.isoformat()
        await audit(self._audit, SCHEDULER, "schedule_switch", decision.preset, detail, at_ms=at_ms)
        return True

    async def _done_elsewhere(self, key: str) -> bool:
        record = await self._control.get(RECORD_KIND, self._wall_id)
        if record is not None and record.get("done") == key:
            self._done = key
            return True
        return False

    def _plan(self, now: datetime, settled: bool) -> None:
        assert self._timers is not None
        when = next_change(self.schedule, now)
        delay = None if when is None else (when - now).total_seconds()
        if not settled:
            delay = RETRY_S if delay is None else min(delay, RETRY_S)
        if delay is not None:
            self._timer = self._timers.call_at(self._timers.time() + delay, self._wake)
