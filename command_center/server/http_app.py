"""The HTTP side of one wall process: every route and page on one Panel/Tornado server,
with the transforms each request passes (client address, hardening headers, compression)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import panel as pn
from tornado.ioloop import IOLoop
from tornado.web import GZipContentEncoding

from command_center.server import api, observations_api
from command_center.server.access_log import log_request
from command_center.server.assets_route import AssetsHandler
from command_center.server.body_limit import server_limits
from command_center.server.client_address import ProxyTrust, client_address_transform
from command_center.server.console import ConsoleDeps
from command_center.server.device_cookie import DeviceCookieAuth
from command_center.server.health import HealthMonitor
from command_center.server.http_base import PUBLIC_ORIGINS_SETTING, JsonHandler, NotFoundHandler
from command_center.server.link_limits import BOKEH_MAX_MESSAGE
from command_center.server.login import LoginHandler, LogoutHandler
from command_center.server.loop_lag import LoopLag
from command_center.server.openapi import OPENAPI_ROUTES
from command_center.server.own_address import websocket_origins
from command_center.server.page_auth import PageRefs, bokeh_security
from command_center.server.pages import routes
from command_center.server.screen_socket import ScreenSocket
from command_center.server.security_headers import (
    HeaderPolicy,
    panel_pages,
    security_headers_transform,
)
from command_center.server.shutdown import IN_FLIGHT_SETTING, InFlight
from command_center.server.sibling_origins import sibling_origins
from command_center.server.sign_in import SignInGate
from command_center.server.unknown_screen import unknown_screen_route
from command_center.settings import Settings

# The checkout's assets/ (through the command_center/assets link), or the wheel's copy.
ASSETS_DIR = Path(__file__).resolve().parents[1] / "assets"


def http_server(
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
    """The Panel/Tornado server of one wall process (not started): every route, the pages,
    the transforms every request passes, TLS; ``extra`` are the route families the runtime
    assembled (maps, video, alerts, announcements...)."""
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
