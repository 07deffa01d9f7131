"""The one owner of every resource's lifetime: store, bus, hub and the HTTP server open in
that order and close in reverse (``async with open_runtime(settings) as rt``)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import panel as pn
from tornado.ioloop import IOLoop
from tornado.web import GZipContentEncoding

from command_center.auth import Role, bootstrap_users
from command_center.bus import Bus, create_bus
from command_center.private_files import (
    check_key_material,
    key_material,
    make_private,
    private_umask,
)
from command_center.server import api, observations_api
from command_center.server.access_log import log_request
from command_center.server.assets_route import AssetsHandler
from command_center.server.body_limit import server_limits
from command_center.server.bridge_page import bridge_page_routes
from command_center.server.client_address import ProxyTrust, client_address_transform
from command_center.server.composition import build_registry
from command_center.server.console import ConsoleDeps
from command_center.server.credentials_api import (
    credentials_routes,
    known_credentials,
    list_credentials,
)
from command_center.server.device_cookie import DeviceCookieAuth, pass_routes
from command_center.server.feeds_runtime import run_feeds
from command_center.server.focus_api import last_focus
from command_center.server.health import HealthMonitor, StoreProbe, watch_health
from command_center.server.http_base import PUBLIC_ORIGINS_SETTING, JsonHandler, NotFoundHandler
from command_center.server.hub import ScreenHub
from command_center.server.keys import Keys, key_file_path, load_keys
from command_center.server.link_limits import BOKEH_MAX_MESSAGE
from command_center.server.login import LoginHandler, LogoutHandler
from command_center.server.login_limit import open_login_limiter
from command_center.server.loop_lag import LoopLag, watch_loop
from command_center.server.map_feed import MapFeed, map_clock, run_map_feed
from command_center.server.map_routes import map_routes
from command_center.server.metrics import WallMetrics, serve_metrics
from command_center.server.openapi import OPENAPI_ROUTES
from command_center.server.own_address import free_port, own_url, websocket_origins
from command_center.server.page_auth import PageRefs, bokeh_security
from command_center.server.pages import routes
from command_center.server.screen_socket import ScreenSocket
from command_center.server.security_headers import (
    HeaderPolicy,
    panel_pages,
    security_headers_transform,
)
from command_center.server.shutdown import IN_FLIGHT_SETTING, InFlight, end_bokeh_sessions
from command_center.server.sibling_origins import sibling_origins
from command_center.server.sign_in import SignInGate
from command_center.server.unknown_screen import unknown_screen_route
from command_center.server.verify_pool import VerifyPool
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
from video.registry import load_bridge_points
from video.room import VideoRoom, open_video_room
from video.shared_state import open_video_state

log = logging.getLogger(__name__)

# The checkout's assets/ (through the command_center/assets link), or the wheel's copy.
ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"


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
    feeds = load_feeds()
    # One registry for the video room and the maps (which draw points never connected yet).
    points = load_bridge_points()
    private_umask()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key_file = key_file_path(settings.data_dir, settings.keys_file)
    check_key_material(key_material(settings.data_dir, key_file))
    make_private(settings.data_dir)
    async with (
        open_store(settings.data_dir, settings.redis_url) as store,
        open_observation_store(settings.data_dir, settings.redis_url) as observations,
        open_incident_store(settings.data_dir, settings.redis_url) as incidents,
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
            port = settings.port or free_port(settings.host)
            # With Redis, other processes may pull this one's video (node to node WHEP).
            node = Node(own_url(settings, port), node_key(keys.bus)) if settings.redis_url else None
            try:
                async with (
                    run_feeds(settings, feeds, presets, hub, observations, bus),
                    run_map_feed(
                        feeds,
                        presets,
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
                    watch_health(
                        _health_monitor(settings, store, hub, loop_lag, video),
                        hub.set_server_state,
                    ) as health,
                ):
                    metrics = WallMetrics(hub, bus, loop_lag, video)
                    ingest = {
                        "feeds": feeds,
                        "observations": observations,
                        "bus": bus,
                        "keys": keys,
                        "counters": metrics.ingest,
                    }
                    extra = map_routes(feeds, store, incidents, bus, keys, maps)
                    screen_ids = frozenset(s.id for s in wall.screens)
                    servers = settings.servers or (own_url(settings, port),)
                    extra += video_routes(
                        video, keys, screen_ids, sessions, store, hub.links, servers
                    )
                    extra += bridge_page_routes(
                        video.registry, keys, video.config.ice_servers, servers
                    )
                    known = known_credentials(wall, feeds, video.registry)
                    extra += credentials_routes(keys, store, known)
                    siblings = sibling_origins(settings.servers)
                    extra += pass_routes(keys, screen_ids, video.registry, siblings)

                    async def credentials() -> list[dict[str, Any]]:
                        return await list_credentials(keys, store, known)

                    console = ConsoleDeps(hub, store, bus, keys, sessions, video, credentials)
                    gate = SignInGate(limiter, VerifyPool(settings.verify_workers))
                    in_flight = InFlight()
                    server = _http_server(
                        settings, port, console, ingest, gate, extra, loop_lag, health, in_flight
                    )
                    server.start()
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
                            )
                    finally:
                        await _wind_down(server, hub, health, in_flight)
            finally:
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


def _http_server(
    settings: Settings,
    port: int,
    console: ConsoleDeps,
    ingest: dict[str, Any],
    gate: SignInGate,
    extra: Sequence[tuple[str, Any, dict[str, Any]]] = (),
    loop_lag: LoopLag | None = None,
    health: HealthMonitor | None = None,
    in_flight: InFlight | None = None,
) -> Any:
    hub, store, keys, sessions = console.hub, console.store, console.keys, console.sessions
    siblings = sibling_origins(settings.servers)  # pages of the other servers of this wall
    ttl = settings.session_ttl_s
    common = {
        "hub": hub,
        "store": store,
        "keys": keys,
        "session_ttl_s": ttl,
        "loop_lag": loop_lag,
        "health": health,
    }
    secure = settings.https
    # One gate for both sign-in routes, so a guesser cannot alternate between them.
    patterns: list[tuple[str, Any, dict[str, Any]]] = [
        (path, handler, {**common, "sign_in_gate": gate})
        if handler is api.SessionsHandler
        else (path, handler, common)
        for path, handler in [*api.API_ROUTES, *OPENAPI_ROUTES]
    ]
    patterns += [(path, handler, ingest) for path, handler in observations_api.OBSERVATION_ROUTES]
    patterns += extra
    patterns += [
        (r"/api/.*", NotFoundHandler, {"keys": keys}),
        (
            r"/ws/screen",
            ScreenSocket,
            {"hub": hub, "keys": keys, "sessions": sessions, "siblings": siblings},
        ),
        (
            r"/login",
            LoginHandler,
            {
                "store": store,
                "keys": keys,
                "session_ttl_s": ttl,
                "sign_in_gate": gate,
                "sessions": sessions,
                "secure_cookie": secure,
            },
        ),
        (
            r"/logout",
            LogoutHandler,
            {"store": store, "sessions": sessions, "secure_cookie": secure},
        ),
        (r"/assets/(.*)", AssetsHandler, {"path": str(ASSETS_DIR), "siblings": siblings}),
        unknown_screen_route(hub.wall),  # after each screen's own page (Bokeh's go first)
    ]
    # Every JSON route reads who is asking through the sessions (JsonHandler takes them).
    patterns = [
        (path, handler, {**kwargs, "sessions": sessions})
        if isinstance(handler, type) and issubclass(handler, JsonHandler)
        else (path, handler, kwargs)
        for path, handler, kwargs in patterns
    ]
    pages = routes(console, PageRefs(), settings.servers)
    # Every request, Bokeh's included: the client's address first (before any handler
    # reads it), then the hardening headers, then compression.
    transforms = [
        client_address_transform(ProxyTrust.from_texts(settings.trusted_proxies)),
        security_headers_transform(
            HeaderPolicy(panel_pages(list(pages)), https=secure, siblings=siblings)
        ),
        GZipContentEncoding,
    ]
    tls: dict[str, Any] = {}
    if settings.tls_cert is not None and settings.tls_key is not None:
        tls = {"ssl_certfile": str(settings.tls_cert), "ssl_keyfile": str(settings.tls_key)}
    public = [settings.public_url] if settings.public_url else []
    return pn.serve(
        pages,
        port=port,
        address=settings.host,
        websocket_origin=websocket_origins(settings, port),
        show=False,
        start=False,
        threaded=False,
        loop=IOLoop.current(),
        extra_patterns=patterns,
        # Boundary layers: ~150 KB of GeoJSON, ~40 KB gzipped, on every kiosk (re)load.
        compress_response=True,
        # Screens run for weeks: drop a lost session soon (its screen link reconnects).
        unused_session_lifetime_milliseconds=60_000,
        check_unused_sessions_milliseconds=15_000,
        # Signed Bokeh session ids; no cookie or Authorization header in Bokeh's token.
        **bokeh_security(keys),
        # A wall page's ?token= becomes its cookie before Bokeh renders anything.
        auth_provider=DeviceCookieAuth(keys, frozenset(s.id for s in hub.wall.screens)),
        transforms=transforms,
        log_function=log_request,
        # No body bigger than the largest route allows (Tornado's default is 100 MB); each
        # route refuses its own, smaller, limit in prepare (body_limit.py).
        http_server_kwargs=server_limits(),
        # Frames from the browser to Bokeh's sockets (ours set their own, smaller caps).
        websocket_max_message_size=BOKEH_MAX_MESSAGE,
        **{PUBLIC_ORIGINS_SETTING: public, IN_FLIGHT_SETTING: in_flight},
        **tls,
    )
