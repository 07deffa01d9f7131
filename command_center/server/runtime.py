"""The one owner of every resource's lifetime: store, bus, hub and the HTTP server open in
that order and close in reverse (``async with open_runtime(settings) as rt``)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from command_center.auth import Role, bootstrap_users
from command_center.bus import Bus, create_bus
from command_center.control_store import ControlStore, open_control_store
from command_center.private_files import (
    check_key_material,
    key_material,
    make_private,
    private_umask,
)
from command_center.server.alerts import WallAlerts
from command_center.server.alerts_api import alert_routes
from command_center.server.alerts_runtime import BannerBoard, load_rules, run_alerts
from command_center.server.announcements_api import ANNOUNCEMENT_ROUTES
from command_center.server.banners import WallBanners
from command_center.server.bridge_page import bridge_page_routes
from command_center.server.composition import build_registry
from command_center.server.console import ConsoleDeps
from command_center.server.credentials_api import (
    credentials_routes,
    known_credentials,
    list_credentials,
)
from command_center.server.device_cookie import pass_routes
from command_center.server.feeds_runtime import run_feeds
from command_center.server.focus_api import last_focus
from command_center.server.health import HealthMonitor, StoreProbe, watch_health
from command_center.server.history_runtime import WallHistory, run_history
from command_center.server.http_app import http_server
from command_center.server.hub import ScreenHub
from command_center.server.keys import Keys, key_file_path, load_keys
from command_center.server.login_limit import open_login_limiter
from command_center.server.loop_lag import LoopLag, watch_loop
from command_center.server.map_feed import MapFeed, map_clock, run_map_feed
from command_center.server.map_routes import map_routes
from command_center.server.metrics import WallMetrics, serve_metrics
from command_center.server.own_address import free_port, own_url
from command_center.server.recordings_api import recording_routes
from command_center.server.replay_routes import replay_routes
from command_center.server.scenario_runtime import run_scenario
from command_center.server.schedule_runtime import load_wall_schedule, run_schedule
from command_center.server.scheduler import Scheduler
from command_center.server.shutdown import InFlight, end_bokeh_sessions
from command_center.server.sibling_origins import sibling_origins
from command_center.server.sign_in import SignInGate
from command_center.server.verify_pool import VerifyPool
from command_center.server.video_parts import VideoParts
from command_center.server.video_routes import video_routes
from command_center.sessions import SessionPolicy, Sessions
from command_center.settings import Settings
from command_center.store import RedisStore, Store, open_store
from feeds.incident_store import IncidentStore, open_incident_store
from feeds.incident_store.retention import keep_incidents
from feeds.loader import FeedsSpec, load_feeds
from feeds.observation_store import ObservationStore, open_observation_store
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_presets, load_wall
from layouts.model import PresetSpec, WallSpec
from video.clock import Clock
from video.config import VideoConfig
from video.ice import parse_ice_server
from video.node_credential import node_key
from video.pull import Node
from video.recordings import Recordings, recording_config
from video.registry import load_bridge_points
from video.room import VideoRoom, open_video_room
from video.shared_state import open_video_state

log = logging.getLogger(__name__)


@dataclass
class WallRuntime:
    settings: Settings
    wall: WallSpec
    presets: dict[str, PresetSpec]
    store: Store
    bus: Bus
    hub: ScreenHub
    keys: Keys
    port: int
    # Users created at this start, with their one-time passwords (printed once).
    new_users: list[tuple[str, str, Role]]
    feeds: FeedsSpec
    observations: ObservationStore
    maps: MapFeed | None = None
    incidents: IncidentStore | None = None
    video: VideoRoom | None = None
    # Part "sessions": every check of a signed-in person goes through it.
    sessions: Sessions | None = None
    # edge (issue 9): the sign-in gate (attempt counts, password-check pool)
    sign_in: SignInGate | None = None
    # Prometheus registry and the port of --metrics-bind (None when off).
    metrics: WallMetrics | None = None
    metrics_port: int | None = None
    alerts: WallAlerts | None = None
    # The automation's records (announcements, alerts) and the banners on the screens.
    control: ControlStore | None = None
    banners: WallBanners | None = None
    # The wall's schedule (None: it has none); its ``held`` is who may pre-empt it.
    scheduler: Scheduler | None = None
    # The wall's history (issue 15): its store, and the writer when this process records.
    history: WallHistory | None = None
    # Recorded bridge calls (issue 15, video/recordings.py).
    recordings: Recordings | None = None

    async def credential_rows(self) -> list[dict[str, Any]]:
        """Every device credential with its state and last use (the admin console's list)."""
        points = self.video.registry if self.video is not None else load_bridge_points()
        known = known_credentials(self.wall, self.feeds, points)
        return await list_credentials(self.keys, self.store, known)

    @property
    def url(self) -> str:
        return own_url(self.settings, self.port)


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, video_config: VideoConfig | None = None, video_clock: Clock | None = None
) -> AsyncIterator[WallRuntime]:
    """The wall's runtime; ``video_config`` and the video room's monotonic ``video_clock``
    (the real one by default) are for tests and benchmarks."""
    registry = build_registry()
    wall = load_wall(settings.wall_file or DEFAULT_WALL_FILE)
    presets = load_presets(settings.presets_dir or presets_dir_for(wall.id), wall, registry)
    schedule = load_wall_schedule(settings, wall.id, presets)
    feeds = load_feeds()
    points = load_bridge_points()
    # A bad rules file stops the start, every problem named, before anything listens.
    rules = load_rules(settings, wall, presets, feeds, points.ids)
    private_umask()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key_file = key_file_path(settings.data_dir, settings.keys_file)
    check_key_material(key_material(settings.data_dir, key_file))
    make_private(settings.data_dir)
    async with (
        open_store(settings.data_dir, settings.redis_url) as store,
        open_observation_store(settings.data_dir, settings.redis_url) as observations,
        open_incident_store(settings.data_dir, settings.redis_url) as incidents,
        open_control_store(settings.data_dir, settings.redis_url) as control,
        open_login_limiter(store, settings.data_dir) as limiter,
    ):
        keys = await load_keys(store, key_file)
        bus = create_bus(settings.redis_url, keys.bus)
        try:
            sessions = Sessions(
                store,
                keys.session,
                SessionPolicy(
                    absolute_s=settings.session_ttl_s, idle_s=settings.session_idle_min * 60
                ),
            )
            new_users = await bootstrap_users(store, time.time())
            hub = ScreenHub(
                wall,
                presets,
                store,
                bus,
                flush_hz=settings.flush_hz,
                switch_lead_ms=settings.switch_lead_ms,
            )
            await hub.start()
            banners = WallBanners(control, bus, hub, audit_store=store)
            await banners.start()
            port = settings.port or free_port(settings.host)
            # With Redis, other processes may pull this one's video (node to node WHEP).
            node = Node(own_url(settings, port), node_key(keys.bus)) if settings.redis_url else None
            try:
                async with (
                    run_feeds(settings, feeds, hub, observations, bus),
                    run_map_feed(
                        feeds,
                        hub,
                        observations,
                        incidents,
                        bus,
                        map_clock(settings),
                        functools.partial(last_focus, store),
                        points,
                    ) as maps,
                    keep_incidents(incidents, settings.incident_retention_days),
                    watch_loop(LoopLag()) as loop_lag,
                    open_video_state(settings.redis_url) as video_state,
                    # The video room closes (every peer connection) before the bus.
                    open_video_room(
                        points,
                        bus,
                        video_config
                        or VideoConfig(
                            ice_servers=tuple(map(parse_ice_server, settings.ice_servers)),
                            host_addresses=settings.ice_addresses or None,
                        ),
                        video_state,
                        node,
                        video_clock,
                    ) as video,
                    run_alerts(
                        rules,
                        feeds,
                        presets,
                        control,
                        store,
                        bus,
                        hub,
                        incidents,
                        observations,
                        BannerBoard(banners),
                        video,
                    ) as alerts,
                    run_scenario(settings.scenario, incidents, bus),
                    watch_health(
                        _health_monitor(settings, store, hub, loop_lag, video),
                        hub.set_server_state,
                    ) as health,
                    run_schedule(
                        settings,
                        schedule,
                        wall.id,
                        hub,
                        store,
                        hub.process,
                        control,
                        lambda: alerts.holding,  # an alert or the lock pre-empts the schedule
                    ) as scheduler,
                    run_history(settings, hub, control, bus, health) as history,
                ):
                    if scheduler is not None:
                        alerts.released.append(scheduler.resume)
                    metrics = WallMetrics(hub, bus, loop_lag, video)
                    history.watch(metrics.registry)
                    ingest = {
                        "feeds": feeds,
                        "observations": observations,
                        "bus": bus,
                        "keys": keys,
                        "counters": metrics.ingest,
                    }
                    extra = map_routes(feeds, store, incidents, bus, keys, maps)
                    extra += alert_routes(alerts, keys)
                    screen_ids = frozenset(s.id for s in wall.screens)
                    servers = settings.servers or (own_url(settings, port),)
                    parts = VideoParts(video, keys, screen_ids, sessions, store, hub.links, servers)
                    extra += video_routes(parts)
                    recordings = Recordings(video, recording_config(settings), store)
                    extra += recording_routes(parts, recordings)
                    extra += bridge_page_routes(
                        video.registry, keys, video.config.ice_servers, servers
                    )
                    known = known_credentials(wall, feeds, video.registry)
                    extra += credentials_routes(keys, store, known)
                    siblings = sibling_origins(settings.servers)
                    extra += pass_routes(keys, screen_ids, video.registry, siblings)
                    announcing = {"banners": banners, "store": store, "keys": keys, "wall": wall}
                    extra += [(p, h, announcing) for p, h in ANNOUNCEMENT_ROUTES]
                    extra += replay_routes(hub, sessions, keys, settings, port)
                    extra += history.routes(tuple(s.id for s in wall.screens), store)

                    async def credentials() -> list[dict[str, Any]]:
                        return await list_credentials(keys, store, known)

                    console = ConsoleDeps(
                        hub,
                        store,
                        bus,
                        keys,
                        sessions,
                        video,
                        credentials,
                        alerts=alerts,
                        banners=banners,
                        scheduler=scheduler,
                        recordings=recordings,
                    )
                    gate = SignInGate(limiter, VerifyPool(settings.verify_workers))
                    in_flight = InFlight()
                    server = http_server(
                        settings, port, console, ingest, gate, extra, loop_lag, health, in_flight
                    )
                    server.start()
                    recordings.run()
                    try:
                        with serve_metrics(metrics, settings.metrics_bind) as metrics_port:
                            yield WallRuntime(
                                settings,
                                wall,
                                presets,
                                store,
                                bus,
                                hub,
                                keys,
                                port,
                                new_users,
                                feeds,
                                observations,
                                maps,
                                incidents,
                                video,
                                sessions,
                                gate,
                                metrics,
                                metrics_port,
                                alerts,
                                control,
                                banners,
                                scheduler,
                                history,
                                recordings=recordings,
                            )
                    finally:
                        await _wind_down(server, hub, health, in_flight)
                        await recordings.close()  # every last segment closed, audited
            finally:
                await banners.stop()
                await hub.stop()
        finally:
            await bus.close()


async def _wind_down(
    server: Any, hub: ScreenHub, health: HealthMonitor, in_flight: InFlight
) -> None:
    """The first half of a clean exit, before the feeds, the bus and the stores close (in
    that order, as the context managers unwind): stop accepting, say so, let what is
    inside finish. A post in flight stores its rows and publishes them before the bus goes."""
    started = time.monotonic()
    health.stopping = True
    hub.announce_restart()
    server.stop()  # no new connections; Bokeh's own periodic jobs end
    ended = await end_bokeh_sessions(server)  # the console's refresh callbacks with them
    drained = await in_flight.drain()
    hub.close_links()
    await hub.bookkeeping.drain(0.5)  # the closed screens' "offline", for the others
    # Keep-alive connections idle in Tornado (Bokeh keeps its server private).
    with contextlib.suppress(Exception, TimeoutError):
        await asyncio.wait_for(server._http.close_all_connections(), 1.0)
    log.info(
        "stopping: %d console session(s) ended, requests %s, in %.2f s",
        ended,
        "drained" if drained else "cut after the drain period",
        time.monotonic() - started,
    )


def _health_monitor(
    settings: Settings, store: Store, hub: ScreenHub, loop_lag: LoopLag, video: VideoRoom
) -> HealthMonitor:
    """``/health``'s parts: the store probed with one cheap read (and, embedded, the room
    left on its disk), the bus link, the ICE servers, the loop, late tiles."""
    embedded = settings.redis_url is None
    # Redis: also whether enough replicas are connected to confirm a write (sentinels).
    call = store.probe if isinstance(store, RedisStore) else store.get_state
    probe = StoreProbe(call, settings.data_dir if embedded else None)
    return HealthMonitor(
        probe,
        hub.bus_health,
        loop_lag,
        lambda: [server.url for server in video.ice.down()],
        hub.late_tiles,
    )
