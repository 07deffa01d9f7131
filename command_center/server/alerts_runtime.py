"""Assembling the alerts: the rules the settings name, checked against everything they may
name, the facts fed from the bus, the evaluator's loop; closed with the runtime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from command_center.auth import Principal
from command_center.bus import Bus, BusResumed
from command_center.control_store import ControlStore
from command_center.messages import (
    AlertChanged,
    BridgePointState,
    IncidentsAccepted,
    ObservationsAccepted,
    ScreenPresence,
)
from command_center.protocol import Banner
from command_center.server import video_actions
from command_center.server.alert_facts import AlertFacts
from command_center.server.alerts import AlertBanners, ShownBanner, WallAlerts
from command_center.server.banners import WallBanners
from command_center.server.focus_api import focus, last_focus
from command_center.server.hub import ScreenHub, indicators_in
from command_center.settings import Settings
from command_center.store import Store
from command_center.tasks import cancel_all, stop_if_cancelled
from feeds.incident_store import IncidentStore
from feeds.incidents import IncidentKind
from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from geo import CodeList, codes
from layouts import alert_rules_for
from layouts.alert_check import KnownNames
from layouts.alert_loader import load_alert_rules
from layouts.alert_plan import PlannedBanner
from layouts.alert_rules import AlertRule
from layouts.model import PresetSpec, WallSpec
from video.room import VideoRoom

log = logging.getLogger(__name__)


def known_names(
    wall: WallSpec, presets: Mapping[str, PresetSpec], feeds: FeedsSpec, points: list[str]
) -> KnownNames:
    """Everything a rules file may name, for its checker."""
    new, old = codes(CodeList.NEW_34), codes(CodeList.OLD_63)
    return KnownNames(
        indicators=frozenset(i.code for i in feeds.catalogue),
        agencies=frozenset(feeds.agencies.ids),
        areas=frozenset(["VN", *(f"gso-34:{c}" for c in new), *(f"gso-63:{c}" for c in old)]),
        provinces=frozenset(new),
        incident_kinds=frozenset(k.value for k in IncidentKind),
        points=frozenset(points),
        screens=frozenset(wall.screen_ids()),
        zones=frozenset(getattr(wall, "zones", {}) or {}),
        presets=presets,
    )


class BannerBoard:
    """The wall's banners (``banners.WallBanners``) as alerts use them: only the banners of
    source "alert", which never expire by time (their alert takes them down)."""

    def __init__(self, banners: WallBanners) -> None:
        self._banners = banners

    def shown(self) -> dict[str, ShownBanner]:
        return {
            b.id: (b.text_vi, b.text_en, b.severity, screens)
            for b, screens in self._banners.active()
            if b.source == "alert"
        }

    async def show(self, banner: PlannedBanner, screens: tuple[str, ...], by: str) -> None:
        await self._banners.put(
            Banner(
                id=banner.id,
                text_vi=banner.text_vi,
                text_en=banner.text_en,
                severity=banner.severity,
                source="alert",
                expires_at=None,
                since=banner.since,
            ),
            screens,
            by,
        )

    async def hide(self, banner_id: str, by: str) -> None:
        await self._banners.withdraw(banner_id, by)


class WallEffects:
    """The wall as alerts change it: the hub's preset, the maps' focus (the focus route's
    own audit and bus message), the video room's pins."""

    def __init__(self, hub: ScreenHub, store: Store, bus: Bus, room: VideoRoom | None) -> None:
        self._hub = hub
        self._store = store
        self._bus = bus
        self._room = room

    @property
    def preset_shown(self) -> tuple[str | None, int]:
        return self._hub.preset_shown

    async def switch(self, preset: str, actor: Principal, zone: str | None = None) -> object:
        return await self._hub.switch(preset, actor, zone)

    def zones_shown(self) -> dict[str, str]:
        return dict(self._hub.state.zones)

    def screens_showing(self, shows: tuple[str, ...]) -> tuple[str, ...]:
        return self._hub.screens_showing(shows)

    def zone_screens(self, zone: str | None) -> tuple[str, ...]:
        return tuple(self._hub.wall.zone_screens(zone))

    async def focus(self, province: str | None, actor: Principal) -> None:
        await focus(self._store, self._bus, province, actor.name, str(actor.role))

    async def current_focus(self) -> str | None:
        found = await last_focus(self._store)
        return found.province if found is not None else None

    def pins(self) -> dict[str, str]:
        return self._room.control.pins() if self._room is not None else {}

    async def pin(self, tile: str, source: str | None, actor: Principal) -> None:
        if self._room is not None:
            await video_actions.pin(self._room, self._store, actor, tile, source)


def rules_path(settings: Settings, wall: WallSpec) -> Path | None:
    if settings.alert_rules is not None:
        return settings.alert_rules
    return alert_rules_for(wall.id) if settings.wall_alerts else None


def load_rules(
    settings: Settings,
    wall: WallSpec,
    presets: Mapping[str, PresetSpec],
    feeds: FeedsSpec,
    points: list[str],
) -> dict[str, AlertRule]:
    """The settings' rules, or ``SpecError`` naming every problem (start-up refuses them)."""
    return load_alert_rules(rules_path(settings, wall), known_names(wall, presets, feeds, points))


@contextlib.asynccontextmanager
async def run_alerts(
    rules: Mapping[str, AlertRule],
    feeds: FeedsSpec,
    presets: Mapping[str, PresetSpec],
    control: ControlStore,
    store: Store,
    bus: Bus,
    hub: ScreenHub,
    incidents: IncidentStore,
    observations: ObservationStore,
    banners: AlertBanners | None,
    room: VideoRoom | None = None,
) -> AsyncIterator[WallAlerts]:
    """The evaluator runs (when it holds the lease) until the block ends; with no rules it
    still answers the verbs (the list is empty; the lock is kept)."""
    shown_on = {
        pid: frozenset(indicators_in([t.params.model_dump(mode="json") for t in p.tiles]))
        for pid, p in presets.items()
    }
    facts = AlertFacts(
        feeds, incidents, observations, shown_on, hub.screens_online, hub.screens_known
    )
    await facts.load()

    alerts = WallAlerts(
        rules, control, store, bus, facts, WallEffects(hub, store, bus, room), banners, hub.process
    )
    ready = asyncio.Event()
    tasks = [asyncio.create_task(_listen(alerts, bus, ready), name="alerts-bus")]
    await ready.wait()
    # Without rules it still watches the lock (the schedule waits while the wall is locked).
    tasks.append(asyncio.create_task(alerts.run(), name="alerts"))
    try:
        yield alerts
    finally:
        await cancel_all(tasks)
        await alerts.release()


async def _listen(alerts: WallAlerts, bus: Bus, ready: asyncio.Event) -> None:
    async with bus.subscribe() as messages:
        ready.set()
        async for message in messages:
            try:
                if isinstance(message, ObservationsAccepted):
                    alerts.facts.observed(message)
                elif isinstance(message, BridgePointState):
                    alerts.facts.point_state(message)
                elif not isinstance(
                    message, IncidentsAccepted | ScreenPresence | AlertChanged | BusResumed
                ):
                    continue
                alerts.wake()
            except Exception:
                stop_if_cancelled()
                log.exception("alerts could not take in %r", message)
