"""The banners over the wall's layouts: announcements from the console and alerts' banners.

The control store holds them (records of kind ``banner``: the ``Banner`` and the screens it
is on), so they survive a restart and every server process shows the same ones. A change is
written there first, then hinted on the bus (``BannersChanged``): the other processes re-read
the store, as every process does after a bus outage. Each process gives its screens their
sets through the hub (``ScreenHub.set_banners``) and takes a banner down at its expiry by
itself; one process (a lease) deletes the expired record and audits it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from command_center.audit import AuditStore, audit
from command_center.bus import Bus, BusResumed
from command_center.control_store import ControlStore
from command_center.messages import BannersChanged
from command_center.protocol import Banner
from command_center.server.hub import ScreenHub
from command_center.server.timers import LoopTimers, Timer, Timers, wall_ms
from command_center.tasks import cancel_all, stop_if_cancelled

log = logging.getLogger(__name__)

KIND = "banner"
# Most serious first, then oldest first: a critical banner is never pushed below an info.
_RANK = {"critical": 0, "warning": 1, "info": 2}
# Long enough for one process to delete and audit an expired banner; released after.
EXPIRY_LEASE_MS = 30_000

Placed = tuple[Banner, tuple[str, ...]]


class WallBanners:
    """Every banner on the wall and the screens it is on; owned by the runtime (``start`` and
    ``stop``). ``clock`` is epoch ms (``expires_at`` is on it); ``timers`` wake the expiry."""

    def __init__(
        self,
        control: ControlStore,
        bus: Bus,
        hub: ScreenHub,
        clock: Callable[[], float] = wall_ms,
        *,
        audit_store: AuditStore | None = None,
        timers: Timers | None = None,
    ) -> None:
        self._control = control
        self._bus = bus
        self._hub = hub
        self._clock = clock
        self._audit = audit_store
        self._timers = timers
        self._placed: dict[str, Placed] = {}
        # A put, a withdraw and a reload each replace what the screens show: one at a time.
        self._lock = asyncio.Lock()
        self._timer: Timer | None = None
        self._timer_at: float | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._bus_task: asyncio.Task[None] | None = None

    # ---- lifetime -----------------------------------------------------------------------

    async def start(self) -> None:
        if self._timers is None:
            self._timers = LoopTimers(asyncio.get_running_loop())
        ready = asyncio.Event()
        self._bus_task = asyncio.create_task(self._bus_loop(ready), name="banners-bus")
        await ready.wait()
        await self.reload()

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        tasks = [*self._tasks, *([self._bus_task] if self._bus_task else [])]
        await cancel_all(tasks)
        self._tasks.clear()
        self._bus_task = None

    # ---- the API --------------------------------------------------------------------------

    async def put(self, banner: Banner, screens: Sequence[str], by: str) -> None:
        """Show ``banner`` on ``screens`` (replacing a banner of the same id): durable first,
        then hinted to the other processes, then shown here."""
        known = set(self._hub.wall.screen_ids())
        unknown = [s for s in screens if s not in known]
        if unknown or not screens:
            raise ValueError(f"a banner needs known screens (unknown: {unknown or 'none given'})")
        placed = tuple(dict.fromkeys(screens))
        async with self._lock:
            body = {"banner": banner.model_dump(mode="json"), "screens": list(placed)}
            await self._control.put(KIND, banner.id, body)
            await self._publish(by)
            self._placed[banner.id] = (banner, placed)
            self._apply()

    async def withdraw(self, banner_id: str, by: str) -> bool:
        """Take the banner down everywhere; False if there was none by that id."""
        async with self._lock:
            if await self._control.get(KIND, banner_id) is None:
                found = self._placed.pop(banner_id, None) is not None
                if found:
                    self._apply()
                return False
            await self._control.delete(KIND, banner_id)
            await self._publish(by)
            self._placed.pop(banner_id, None)
            self._apply()
            return True

    def active(self) -> list[Placed]:
        """Every banner shown now with its screens, most serious first, then oldest."""
        now = self._clock()
        live = [p for p in self._placed.values() if not _expired(p[0], now)]
        return sorted(live, key=lambda p: (_RANK[p[0].severity], p[0].since, p[0].id))

    async def reload(self) -> None:
        """Re-read every banner from the store (a hint from another process, a bus outage)."""
        async with self._lock:
            records = await self._control.items(KIND)
            placed: dict[str, Placed] = {}
            for key, body in records.items():
                parsed = _parse(key, body)
                if parsed is not None:
                    placed[key] = parsed
            self._placed = placed
            self._apply()

    # ---- inside -------------------------------------------------------------------------

    async def _publish(self, by: str) -> None:
        await self._bus.publish(BannersChanged(by=by, ts=self._clock()))

    def _apply(self) -> None:
        """Tell the hub each screen's banners, and wake up at the next expiry."""
        per_screen: dict[str, list[Banner]] = {}
        for banner, screens in self.active():
            for screen in screens:
                per_screen.setdefault(screen, []).append(banner)
        self._hub.set_banners(per_screen)
        self._schedule()

    def _schedule(self) -> None:
        now = self._clock()
        due = [b.expires_at for b, _ in self._placed.values() if b.expires_at is not None]
        # Expired ones still in the store keep being due until they are deleted.
        upcoming = min(due, default=None)
        if upcoming == self._timer_at and self._timer is not None:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = upcoming
        if upcoming is None or self._timers is None:
            return
        delay_s = max(0.0, (upcoming - now) / 1000.0)
        self._timer = self._timers.call_at(self._timers.time() + delay_s, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        task = asyncio.get_running_loop().create_task(self._expire_due(), name="banners-expiry")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _expire_due(self) -> None:
        """Take expired banners off the screens here; one process deletes and audits each."""
        try:
            now = self._clock()
            expired = [b for b, _ in self._placed.values() if _expired(b, now)]
            for banner in expired:
                self._placed.pop(banner.id, None)
            self._apply()
            for banner in expired:
                await self._forget(banner)
        except Exception:
            stop_if_cancelled()
            log.exception("expiring banners failed; the next reload retries")

    async def _forget(self, banner: Banner) -> None:
        lease = f"banner-expiry:{banner.id}"
        holder = self._hub.process
        if not await self._control.lease(lease, holder, EXPIRY_LEASE_MS):
            return  # another process does it
        try:
            body = await self._control.get(KIND, banner.id)
            stored = _parse(banner.id, body) if body is not None else None
            # Gone, or replaced by a newer one that has not expired: nothing to do.
            if stored is None or not _expired(stored[0], self._clock()):
                return
            await self._control.delete(KIND, banner.id)
            if self._audit is not None:
                detail = {"source": banner.source, "text_vi": banner.text_vi}
                await audit(self._audit, "wall", "banner_expired", banner.id, detail)
            await self._publish("wall")
        finally:
            await self._control.release(lease, holder)

    async def _bus_loop(self, ready: asyncio.Event) -> None:
        async with self._bus.subscribe() as messages:
            ready.set()
            async for message in messages:
                if isinstance(message, BannersChanged | BusResumed):
                    try:
                        await self.reload()
                    except Exception:
                        stop_if_cancelled()
                        log.exception("re-reading the banners failed")


def _expired(banner: Banner, now: float) -> bool:
    return banner.expires_at is not None and banner.expires_at <= now


def _parse(key: str, body: dict[str, Any]) -> Placed | None:
    try:
        banner = Banner.model_validate(body["banner"])
        screens = tuple(str(s) for s in body["screens"])
    except (KeyError, TypeError, ValidationError):
        log.warning("banner record %r is not a banner; left out", key)
        return None
    return banner, screens
