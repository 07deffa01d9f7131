"""Alerts drive the wall: evaluate the rules, keep the alerts, carry the plan out, go back.

    WallAlerts.run()   every TICK_S, and at once when the bus brings something a rule may
                       watch (an incident, observations, a bridge point): only the process
                       holding the control store's "alerts" lease evaluates (one per wall)
    evaluate()         facts → step (layouts.alert_state) → records stored → audit, bus →
                       plan (layouts.alert_plan) → switch / focus / banners
    acknowledge, snooze, lock, unlock   the console's and the API's verbs (any process)

What the wall showed before the first alert took it (preset, focus) is stored as the
"takeover" record, so when the last alert lets go, even after a restart or on the other
server, the wall returns to exactly that. An officer who switches by hand while an alert
holds the wall is obeyed: the alert does not switch again until another alert wins, and
nothing is restored over the officer's choice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from command_center.audit import audit
from command_center.auth import Principal, Role
from command_center.bus import Bus
from command_center.control_store import ControlStore
from command_center.errors import ConflictError, NotFoundError
from command_center.messages import AlertChanged
from command_center.server.alert_facts import AlertFacts
from command_center.store import Store
from command_center.tasks import stop_if_cancelled, wait_for_event
from layouts.alert_plan import PlannedBanner, WallPlan, plan
from layouts.alert_rules import AlertRule
from layouts.alert_state import AlertRecord, Change, Debounce, step

log = logging.getLogger(__name__)

TICK_S = 1.0
# Evaluations are at least this far apart: a burst of reports (each one wakes the
# evaluator) costs one evaluation per gap, not one store round trip per report.
MIN_GAP_S = 0.1
LEASE = "alerts"
LEASE_MS = 3_000  # a dead evaluator is replaced within this
MAX_SNOOZE_S = 4 * 3600
SYSTEM_ROLE = Role.DUTY_OFFICER


class AlertWall(Protocol):
    """What alerts change on the wall: its preset (the hub), the maps' focus, video pins;
    and where a banner goes (``alerts_runtime.WallEffects``)."""

    @property
    def preset_shown(self) -> tuple[str | None, int]: ...

    async def switch(self, preset: str, actor: Principal, zone: str | None = None) -> Any: ...

    def zones_shown(self) -> dict[str, str]:
        """Zone -> the preset it shows instead of the wall's."""
        ...

    def screens_showing(self, shows: tuple[str, ...]) -> tuple[str, ...]: ...

    def zone_screens(self, zone: str | None) -> tuple[str, ...]: ...

    async def focus(self, province: str | None, actor: Principal) -> None: ...

    async def current_focus(self) -> str | None: ...

    def pins(self) -> dict[str, str]:
        """Video tile -> the source pinned there now."""
        ...

    async def pin(self, tile: str, source: str | None, actor: Principal) -> None: ...


# An alert banner as the wall shows it: texts, severity and screens (what a change compares).
ShownBanner = tuple[str, str, str, tuple[str, ...]]


class AlertBanners(Protocol):
    """The wall's banners as alerts use them (``alerts_runtime.BannerBoard``)."""

    def shown(self) -> dict[str, ShownBanner]:
        """Alert banners on the wall now (whichever process put them), by id."""
        ...

    async def show(self, banner: PlannedBanner, screens: tuple[str, ...], by: str) -> None: ...

    async def hide(self, banner_id: str, by: str) -> None: ...


def alert_actor(rule_id: str) -> Principal:
    """Who an automatic switch is, in the audit: the rule that caused it."""
    return Principal(f"canh-bao:{rule_id}", SYSTEM_ROLE)


class WallAlerts:
    def __init__(
        self,
        rules: Mapping[str, AlertRule],
        control: ControlStore,
        store: Store,
        bus: Bus,
        facts: AlertFacts,
        wall: AlertWall,
        banners: AlertBanners | None,
        process: str,
        clock: Callable[[], float] = lambda: time.time() * 1000.0,
    ) -> None:
        self.rules = dict(rules)
        self._control = control
        self._store = store
        self._bus = bus
        self.facts = facts
        self._wall = wall
        self._banners = banners
        self._process = process
        self._clock = clock
        self._debounce = Debounce()
        self._wake = asyncio.Event()
        self.leader = False
        self.last_plan = WallPlan()
        # Whether an alert or the lock holds the wall (every process, each tick): the
        # schedule waits while it does, and ``released`` callbacks run when it stops.
        self.holding = False
        self.released: list[Callable[[], Awaitable[None]]] = []

    # ---- the loop -----------------------------------------------------------------------

    def wake(self) -> None:
        """Something a rule watches changed: evaluate now rather than at the next tick."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            await wait_for_event(self._wake, TICK_S)
            # A cancellation a store client swallowed (redis-py may, mid-command) still
            # stops the loop: the runtime waits for it to end.
            stop_if_cancelled()
            self._wake.clear()
            try:
                self.leader = await self._control.lease(LEASE, self._process, LEASE_MS)
                if self.leader:
                    await self.evaluate()
                await self._watch_hold()
            except Exception:
                stop_if_cancelled()
                # Redis or the disk out: the alerts wait; /health says why already.
                log.exception("alert evaluation failed; retrying at the next tick")
            await asyncio.sleep(MIN_GAP_S)

    async def _watch_hold(self) -> None:
        was = self.holding
        self.holding = (
            await self._control.get("takeover", "wall") is not None
            or await self._control.get("lock", "wall") is not None
        )
        if was and not self.holding:
            for resume in self.released:
                await resume()

    async def release(self) -> None:
        with contextlib.suppress(Exception):
            await self._control.release(LEASE, self._process)

    # ---- evaluation ---------------------------------------------------------------------

    async def records(self) -> dict[str, AlertRecord]:
        """Every alert kept (active, acknowledged, cleared), with acknowledgements and
        snoozes (kept apart so a verb never races the evaluator's write) applied."""
        raw = await self._control.items("alert")
        acks = await self._control.items("alert_ack")
        snoozes = await self._control.items("alert_snooze")
        out: dict[str, AlertRecord] = {}
        for key, body in raw.items():
            record = AlertRecord.model_validate(body)
            ack = acks.get(key)
            if ack is not None and record.acknowledged_by is None:
                record = record.model_copy(
                    update={"acknowledged_by": ack["by"], "acknowledged_at": ack["at"]}
                )
            snooze = snoozes.get(key)
            if snooze is not None:
                record = record.model_copy(update={"snoozed_until": snooze["until"]})
            out[key] = record
        return out

    async def evaluate(self) -> WallPlan:
        now = self._clock()
        before = await self.records()
        matches = await self.facts.matches(self.rules, now)
        after, changes = step(self.rules, before, matches, self._debounce, now)
        for key in before.keys() - after.keys():
            await self._forget(key)
        for key, record in after.items():
            if before.get(key) != record:
                await self._control.put("alert", key, record.model_dump(mode="json"))
        for change in changes:
            await self._told(change, now)
        locked = await self._control.get("lock", "wall") is not None
        self.last_plan = plan(self.rules, after, now, locked)
        await self._carry_out(self.last_plan, locked)
        return self.last_plan

    async def _forget(self, key: str) -> None:
        for kind in ("alert", "alert_ack", "alert_snooze"):
            await self._control.delete(kind, key)

    async def _told(self, change: Change, now: float) -> None:
        record = change.alert
        actor = alert_actor(record.rule)
        await audit(
            self._store,
            actor,
            f"alert_{change.what}",
            record.id,
            {"rule": record.rule, "priority": record.priority, "title_vi": record.title_vi},
            at_ms=now,
        )
        await self._bus.publish(
            AlertChanged(alert=record.id, rule=record.rule, what=change.what, ts=now)
        )

    # ---- carrying the plan out ----------------------------------------------------------

    async def _carry_out(self, wanted: WallPlan, locked: bool) -> None:
        takeover = await self._control.get("takeover", "wall")
        holds_wall = (
            wanted.preset is not None or wanted.zones or wanted.focus is not None or wanted.pin
        )
        if holds_wall:
            await self._take(wanted, takeover)
        elif takeover is not None and not locked:  # locked: the wall stays as it is
            await self._give_back(takeover)
        await self._show_banners(wanted)

    async def _take(self, wanted: WallPlan, takeover: dict[str, Any] | None) -> None:
        if takeover is None:
            preset, _ = self._wall.preset_shown
            takeover = {
                "before_preset": preset,
                "before_focus": await self._wall.current_focus(),
                "by": None,  # the alert whose preset is shown
                "version": None,  # the wall state's version that switch made
                "focus": None,
                "pin": None,  # [tile, source] the alert pinned
                "before_pins": {},  # tile -> what it showed before (None: its own source)
                "before_zones": self._wall.zones_shown(),
                "zones_by": {},  # zone -> the alert whose preset it shows
            }
        actor = alert_actor((wanted.preset_by or "canh-bao").split(":", 1)[0])
        if wanted.preset is not None and takeover["by"] != wanted.preset_by:
            # A new winner: show its preset (only then: an officer's own switch since the
            # last winner is not fought at every evaluation).
            if self._wall.preset_shown[0] != wanted.preset:
                await self._wall.switch(wanted.preset, actor)
            takeover["by"] = wanted.preset_by
            takeover["version"] = self._wall.preset_shown[1]
        elif wanted.preset is None and takeover["by"] is not None:
            await self._restore_preset(takeover, actor)
        await self._take_zones(wanted, takeover)
        if wanted.focus != takeover["focus"]:
            back = takeover["before_focus"]
            await self._wall.focus(wanted.focus if wanted.focus is not None else back, actor)
            takeover["focus"] = wanted.focus
        pin = list(wanted.pin) if wanted.pin is not None else None
        if pin != takeover["pin"]:
            await self._unpin(takeover, actor)
            if pin is not None:
                tile, source = pin
                takeover["before_pins"].setdefault(tile, self._wall.pins().get(tile))
                await self._wall.pin(tile, source, actor)
            takeover["pin"] = pin
        await self._control.put("takeover", "wall", takeover)

    async def _take_zones(self, wanted: WallPlan, takeover: dict[str, Any]) -> None:
        """Each zone shows its winning alert's preset; a zone its alert let go shows what it
        showed before the alerts (its own preset, or the wall's)."""
        won = {zone: (preset, by) for zone, preset, by in wanted.zones}
        for zone, (preset, by) in won.items():
            if takeover["zones_by"].get(zone) != by:
                if self._wall.zones_shown().get(zone) != preset:
                    await self._wall.switch(preset, alert_actor(by.split(":", 1)[0]), zone)
                takeover["zones_by"][zone] = by
        for zone in [z for z in takeover["zones_by"] if z not in won]:
            await self._restore_zone(zone, takeover)

    async def _restore_zone(self, zone: str, takeover: dict[str, Any]) -> None:
        del takeover["zones_by"][zone]
        before = takeover["before_zones"].get(zone) or self._wall.preset_shown[0]
        if before is not None and self._wall.zones_shown().get(zone) != before:
            await self._wall.switch(before, Principal("canh-bao", SYSTEM_ROLE), zone)

    async def _restore_preset(self, takeover: dict[str, Any], actor: Principal) -> None:
        """Back to the preset before the alerts, unless the officer switched meanwhile; the
        zones that showed their own preset before show it again (a whole-wall switch drops
        them)."""
        preset, version = self._wall.preset_shown
        if version == takeover["version"] and takeover["before_preset"] not in (None, preset):
            await self._wall.switch(takeover["before_preset"], actor)
            for zone, zone_preset in takeover["before_zones"].items():
                if zone not in takeover["zones_by"]:
                    await self._wall.switch(zone_preset, actor, zone)
        takeover["by"] = takeover["version"] = None

    async def _unpin(self, takeover: dict[str, Any], actor: Principal) -> None:
        """The tile the alert pinned shows what it showed before the alert."""
        if takeover["pin"] is not None:
            tile = takeover["pin"][0]
            await self._wall.pin(tile, takeover["before_pins"].pop(tile, None), actor)
            takeover["pin"] = None

    async def _give_back(self, takeover: dict[str, Any]) -> None:
        """The last alert let go: the wall shows what it showed before (preset, focus,
        pins), unless the officer changed the preset meanwhile (then that choice stays)."""
        actor = Principal("canh-bao", SYSTEM_ROLE)
        for zone in list(takeover["zones_by"]):
            await self._restore_zone(zone, takeover)
        if takeover["by"] is not None:
            await self._restore_preset(takeover, actor)
        if takeover["focus"] is not None:
            await self._wall.focus(takeover["before_focus"], actor)
        await self._unpin(takeover, actor)
        await self._control.delete("takeover", "wall")

    async def _show_banners(self, wanted: WallPlan) -> None:
        """The alert banners on the wall become the plan's: compared with what the store
        holds, so a new evaluator (a restart, the other server) takes up where one left."""
        if self._banners is None:
            return
        planned: dict[str, tuple[PlannedBanner, tuple[str, ...]]] = {}
        for banner in wanted.banners:
            screens = (
                self._wall.screens_showing(banner.shows)
                if banner.shows is not None
                else self._wall.zone_screens(banner.zone)
            )
            if screens:  # "on the screens showing it", and none does now: not shown
                planned[banner.id] = (banner, screens)
        shown = self._banners.shown()
        for banner_id in shown.keys() - planned.keys():
            await self._banners.hide(banner_id, "canh-bao")
        for banner_id, (banner, screens) in planned.items():
            now_on = (banner.text_vi, banner.text_en, banner.severity, screens)
            if shown.get(banner_id) != now_on:
                await self._banners.show(banner, screens, "canh-bao")

    # ---- the officer's verbs ------------------------------------------------------------

    async def acknowledge(self, alert_id: str, who: Principal) -> AlertRecord:
        record = (await self.records()).get(alert_id)
        if record is None:
            raise NotFoundError(f"no alert '{alert_id}'", [{"field": "id", "got": alert_id}])
        if record.acknowledged_by is not None:
            raise ConflictError(
                f"alert '{alert_id}' was already acknowledged by {record.acknowledged_by}"
            )
        now = self._clock()
        await self._control.put("alert_ack", alert_id, {"by": who.name, "at": now})
        await audit(
            self._store, who, "alert_acknowledged", alert_id, {"rule": record.rule}, at_ms=now
        )
        await self._bus.publish(
            AlertChanged(alert=alert_id, rule=record.rule, what="acknowledged", ts=now)
        )
        self.wake()
        return record.model_copy(update={"acknowledged_by": who.name, "acknowledged_at": now})

    async def snooze(self, alert_id: str, seconds: float, who: Principal) -> AlertRecord:
        record = (await self.records()).get(alert_id)
        if record is None:
            raise NotFoundError(f"no alert '{alert_id}'", [{"field": "id", "got": alert_id}])
        now = self._clock()
        until = now + min(max(seconds, 0.0), MAX_SNOOZE_S) * 1000.0
        await self._control.put("alert_snooze", alert_id, {"until": until, "by": who.name})
        await audit(
            self._store,
            who,
            "alert_snoozed",
            alert_id,
            {"until": until, "rule": record.rule},
            at_ms=now,
        )
        await self._bus.publish(
            AlertChanged(alert=alert_id, rule=record.rule, what="snoozed", ts=now)
        )
        self.wake()
        return record.model_copy(update={"snoozed_until": until})

    async def lock(self, who: Principal) -> dict[str, Any]:
        now = self._clock()
        body = {"by": who.name, "at": now}
        await self._control.put("lock", "wall", body)
        await audit(self._store, who, "wall_locked", "wall", {}, at_ms=now)
        await self._bus.publish(AlertChanged(alert="", rule="", what="locked", ts=now))
        self.wake()
        return body

    async def unlock(self, who: Principal) -> None:
        now = self._clock()
        await self._control.delete("lock", "wall")
        await audit(self._store, who, "wall_unlocked", "wall", {}, at_ms=now)
        await self._bus.publish(AlertChanged(alert="", rule="", what="unlocked", ts=now))
        self.wake()

    async def locked_by(self) -> dict[str, Any] | None:
        return await self._control.get("lock", "wall")
