"""Map tiles, live: province values, incidents, bridge points and the console's focus.

Follows the bus on its own (``ObservationsAccepted`` for the mapped indicators,
``IncidentsAccepted``, ``BridgePointState``, ``MapFocusChanged``), so it needs no hook in
the indicator feed. The registry's bridge points that no ``BridgePointState`` has told of
since the start are drawn too, as never connected: a point missing from the map would look
like no point at all. Province data is computed by ``feeds.map_data`` (pure, well under a
millisecond for 63 provinces) at most every ``FLUSH_S``, and only the keys that changed go
to the hub: a recolour carries values and classes per province code, never geometry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from command_center.bus import Bus, BusResumed
from command_center.messages import (
    BridgePointState,
    IncidentsAccepted,
    MapFocusChanged,
    ObservationsAccepted,
)
from command_center.server.focus_view import FocusViews
from command_center.server.hub import ScreenHub
from command_center.server.tile_feed import Clock, TileFeed
from command_center.server.tile_ids import tiles_by_id
from command_center.settings import Settings
from command_center.tasks import cancel_all, stop_if_cancelled
from feeds.acceptance import accepted_observations
from feeds.incident_store import IncidentStore
from feeds.incidents import Incident, IncidentStatus, incident_json
from feeds.loader import FeedsSpec
from feeds.map_data import map_data, patch
from feeds.map_tile import MapParams
from feeds.observation_store import ObservationStore
from feeds.observations import Observation
from feeds.periods import TIME_ZONE, parse_period_key
from feeds.simulator import SimClock
from feeds.tile_kinds import IndicatorGroupParams, IndicatorParams, TrendParams
from geo import CodeList, code_list_for, codes, province
from layouts.model import PresetSpec
from video.registry import BridgePoint

log = logging.getLogger(__name__)

FLUSH_S = 0.25
# Resolved incidents stay on the map this long, then only the API lists them.
RESOLVED_KEPT_MS = 24 * 3600 * 1000.0
MAX_INCIDENTS_SHOWN = 200
INCIDENTS: TypeAdapter[list[Incident]] = TypeAdapter(list[Incident])


def map_tiles(presets: Mapping[str, PresetSpec]) -> dict[str, MapParams]:
    """Every map tile of every preset by id (one id, one map: ``tiles_by_id``)."""
    return {
        tile_id: params
        for tile_id, params in tiles_by_id(presets, (MapParams,)).items()
        if isinstance(params, MapParams)
    }


def _province_tiles(presets: Mapping[str, PresetSpec]) -> dict[str, set[str]]:
    """Indicator tiles showing one province, by its code: the console's focus marks them."""
    out: dict[str, set[str]] = {}
    for preset in presets.values():
        for tile in preset.tiles:
            params = tile.params
            if (
                isinstance(params, IndicatorParams | IndicatorGroupParams | TrendParams)
                and params.province is not None
            ):
                out.setdefault(params.province, set()).add(tile.id)
    return out


def never_connected(point: BridgePoint) -> dict[str, Any]:
    """A registry point no state was heard of since the start: a ``BridgePointState``'s
    keys, offline, with ``ts`` None (``map-layers.js`` draws it "chưa kết nối")."""
    return {
        "point": point.id,
        "name_vi": point.name_vi,
        "name_en": point.name_en,
        "kind": point.kind.value,
        "lat": point.location.lat,
        "lon": point.location.lon,
        "online": False,
        "in_call": False,
        "muted": False,
        "ts": None,
        "node": "",
    }


def focus_json(code: str | None, actor: str, at: float) -> dict[str, Any] | None:
    if code is None:
        return None
    unit = province(code, CodeList.NEW_34)
    return {
        "code": code,
        "code_list": CodeList.NEW_34.value,
        "name_vi": unit.label_vi,
        "name_en": unit.name_en,
        "by": actor,
        "at": at,
    }


class MapFeed(TileFeed[MapParams]):
    """The data of every map tile (one per runtime)."""

    def __init__(
        self,
        feeds: FeedsSpec,
        hub: ScreenHub,
        clock: Clock,
        store: ObservationStore | None = None,
        points: Iterable[BridgePoint] = (),
    ) -> None:
        super().__init__(feeds, hub, clock, map_tiles(hub.presets))
        self._by_province = _province_tiles(hub.presets)
        self._indicators = {p.indicator for p in self._tiles.values() if p.indicator}
        self._fixed = {
            (p.indicator, p.period) for p in self._tiles.values() if p.indicator and p.period
        }
        # indicator -> (area key, period) -> observation: the newest period of each area,
        # and the fixed periods some tile shows.
        self._held: dict[str, dict[tuple[str, str], Observation]] = {}
        self._newest: dict[tuple[str, str], str] = {}
        self._pushed: dict[str, dict[str, Any]] = {}
        self._dirty: set[str] = set()
        self.incidents: dict[str, Incident] = {}
        self.bridges: dict[str, BridgePointState] = {}
        # The registry's points, drawn as never connected until a state is heard.
        self._points = {p.id: p for p in points}
        self.focus: dict[str, Any] | None = None
        # Whole-country indicator tiles re-pointed to the focused province.
        self.views = FocusViews(feeds, hub, clock, store)

    @property
    def indicators(self) -> set[str]:
        return set(self._indicators)

    def fixed_periods(self) -> set[tuple[str, str]]:
        return {(i, p) for i, p in self._fixed if i is not None and p is not None}

    # ---- inputs ---------------------------------------------------------------------------

    def accept(self, batch: Iterable[Observation]) -> int:
        """Merge observations of the mapped indicators; returns the map tiles marked."""
        changed: set[str] = set()
        batch = list(batch)
        self.views.accept(batch)
        for obs in batch:
            if obs.indicator not in self._indicators:
                continue
            held = self._held.setdefault(obs.indicator, {})
            area = obs.area.key
            key = (area, obs.period)
            old = held.get(key)
            if old is not None and (obs.revision, obs.received_at) < (
                old.revision,
                old.received_at,
            ):
                continue
            newest = self._newest.get((obs.indicator, area))
            fixed = (obs.indicator, obs.period) in self._fixed
            if newest is None or obs.period >= newest:
                if newest not in (None, obs.period) and (obs.indicator, newest) not in self._fixed:
                    held.pop((area, str(newest)), None)
                self._newest[(obs.indicator, area)] = obs.period
            elif not fixed:
                continue  # an older period no tile shows
            held[key] = obs
            changed.add(obs.indicator)
        tiles = [t for t, p in self._tiles.items() if p.indicator in changed]
        self._dirty.update(tiles)
        return len(tiles)

    def accept_incidents(self, batch: Iterable[Incident]) -> None:
        for incident in batch:
            held = self.incidents.get(incident.key)
            if held is None or incident.received_at >= held.received_at:
                self.incidents[incident.key] = incident
        # Resolved ones leave the map after a day: forget them, or a wall running for
        # weeks would hold every incident ever reported.
        horizon = time.time() * 1000.0 - RESOLVED_KEPT_MS
        for key, held in list(self.incidents.items()):
            if held.status is IncidentStatus.RESOLVED and held.received_at < horizon:
                del self.incidents[key]
        self._push_layer("incidents", "incidents", self.incidents_json())

    def accept_bridge(self, state: BridgePointState) -> None:
        held = self.bridges.get(state.point)
        if held is not None and state.ts < held.ts:
            return
        self.bridges[state.point] = state
        self._push_layer("bridge_points", "bridges", self.bridges_json())

    def set_focus(self, message: MapFocusChanged) -> None:
        previous = self.focus["code"] if self.focus else None
        self.focus = focus_json(message.province, message.actor, message.ts)
        ts = time.time() * 1000.0
        for tile_id, params in self._tiles.items():
            if params.focusable:
                self._hub.push(tile_id, {"focus": self.focus}, ts)
        for code, flag in ((previous, False), (message.province, True)):
            for tile_id in self._by_province.get(code or "", ()):
                self._hub.push(tile_id, {"focused": flag}, ts)

    # ---- outputs --------------------------------------------------------------------------

    def incidents_json(self) -> list[dict[str, Any]]:
        """Open incidents and those resolved in the last day, newest first."""
        now = time.time() * 1000.0
        shown = [
            i
            for i in self.incidents.values()
            if i.status is not IncidentStatus.RESOLVED or now - i.received_at < RESOLVED_KEPT_MS
        ]
        shown.sort(key=lambda i: (-i.occurred_at, i.key))
        return [incident_json(i) for i in shown[:MAX_INCIDENTS_SHOWN]]

    def bridges_json(self) -> list[dict[str, Any]]:
        """Every point heard of (its last state), and the registry's others as never
        connected (``ts`` None), by point id."""
        heard = {p: s.model_dump(mode="json", exclude={"type"}) for p, s in self.bridges.items()}
        never = {p: never_connected(b) for p, b in self._points.items() if p not in heard}
        return [v for _, v in sorted({**heard, **never}.items())]

    def push_bridges(self) -> None:
        """Send the bridge-point layer as it stands (at start: the points never connected)."""
        self._push_layer("bridge_points", "bridges", self.bridges_json())

    def _push_layer(self, layer: str, key: str, value: Any) -> None:
        ts = time.time() * 1000.0
        for tile_id, params in self._tiles.items():
            if layer in params.layers:
                self._hub.push(tile_id, {key: value}, ts)

    def compute(self, tile_id: str) -> dict[str, Any]:
        """The complete data of one map tile now (also for a benchmark or a test)."""
        params = self._tiles[tile_id]
        indicator = (
            self._feeds.catalogue.get(params.indicator) if params.indicator is not None else None
        )
        held = self._held.get(params.indicator or "", {}).values()
        return map_data(params, indicator, held, self._clock(), self._feeds.agencies)

    def flush(self) -> int:
        """Push what changed in every marked tile; returns the tiles pushed."""
        tiles, self._dirty = self._dirty, set()
        pushed = self.views.flush()
        ts = time.time() * 1000.0
        for tile_id in sorted(tiles):
            data = self.compute(tile_id)
            diff = patch(self._pushed.get(tile_id), data)
            self._pushed[tile_id] = data
            if diff:
                self._hub.push(tile_id, diff, ts)
                pushed += 1
        return pushed

    def refresh_all(self) -> int:
        """Mark every tile (lateness moves with the clock even when no report arrives)."""
        self._dirty.update(self._tiles)
        return self.flush()

    async def run(self, every_s: float = FLUSH_S, refresh_s: float = 60.0) -> None:
        last_refresh = time.monotonic()
        while True:
            await asyncio.sleep(every_s)
            try:
                if time.monotonic() - last_refresh > refresh_s:
                    last_refresh = time.monotonic()
                    self.refresh_all()
                else:
                    self.flush()
            except Exception:  # one bad computation must not stop the wall's maps
                stop_if_cancelled()
                log.exception("map tiles could not be computed")

    async def on_bus(self, message: object) -> None:
        if isinstance(message, ObservationsAccepted):
            wanted = self._indicators | self.views.indicators
            if any(o.get("indicator") in wanted for o in message.observations):
                self.accept(accepted_observations(message))
        elif isinstance(message, IncidentsAccepted):
            self.accept_incidents(INCIDENTS.validate_python(message.incidents))
        elif isinstance(message, BridgePointState):
            self.accept_bridge(message)
        elif isinstance(message, MapFocusChanged):
            self.set_focus(message)
            await self.views.focus(message.province)


async def _follow(
    bus: Bus, maps: MapFeed, reload: Callable[[], Awaitable[None]], ready: asyncio.Event
) -> None:
    async with bus.subscribe() as messages:
        ready.set()
        async for message in messages:
            try:
                if isinstance(message, BusResumed):
                    await reload()  # what was accepted while the bus was down
                else:
                    await maps.on_bus(message)
            except Exception:  # one bad message must not stop the wall's maps
                stop_if_cancelled()
                log.exception("map layer could not take %r", type(message).__name__)


async def _history(maps: MapFeed, store: ObservationStore, feeds: FeedsSpec) -> None:
    for indicator in sorted(maps.indicators):
        maps.accept(await store.latest(indicator))
    for indicator, period_key in sorted(maps.fixed_periods()):
        cutoff = feeds.catalogue.get(indicator).deadline.cutoff_day
        listed = code_list_for(parse_period_key(period_key, cutoff).end)
        for code in codes(listed):
            area = f"{listed.value}:{code}"
            maps.accept(await store.series(indicator, area, period_key, period_key))


@contextlib.asynccontextmanager
async def run_map_feed(
    feeds: FeedsSpec,
    hub: ScreenHub,
    observations: ObservationStore,
    incidents: IncidentStore,
    bus: Bus,
    clock: Clock,
    last_focus: Callable[[], Awaitable[MapFocusChanged | None]] | None = None,
    points: Iterable[BridgePoint] = (),
) -> AsyncIterator[MapFeed]:
    """Filled from the stores, then kept live from the bus; stops on exit. ``last_focus``
    reads the focus the console last set (at start, and after a bus outage: a focus set on
    another process meanwhile was never heard here); ``points`` are the bridge-point
    registry's, drawn as never connected until their state is heard."""
    maps = MapFeed(feeds, hub, clock, observations, points)

    async def reload() -> None:
        if last_focus is not None:
            focus = await last_focus()
            shown = maps.focus["code"] if maps.focus else None
            if focus is not None and focus.province != shown:
                await maps.on_bus(focus)
        if maps.tile_ids:
            await _history(maps, observations, feeds)
            # What the map shows (open, or resolved within a day), not every stored row.
            maps.accept_incidents(await incidents.active(time.time() * 1000.0 - RESOLVED_KEPT_MS))
            maps.push_bridges()
            maps.refresh_all()

    ready = asyncio.Event()
    tasks = [asyncio.create_task(_follow(bus, maps, reload, ready), name="maps-follow")]
    await ready.wait()
    await reload()
    tasks.append(asyncio.create_task(maps.run(), name="maps-tiles"))
    try:
        yield maps
    finally:
        await cancel_all(tasks)


def map_clock(settings: Settings) -> Clock:
    """Lateness on the maps is judged on the same calendar as on the indicator tiles: the
    simulated one when the simulator runs sped up."""
    real: Callable[[], datetime] = lambda: datetime.now(TIME_ZONE)  # noqa: E731
    return SimClock(real, settings.sim_speed, settings.sim_start).now if settings.simulate else real
