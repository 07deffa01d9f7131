"""The replay's routes: the page (``replay_page``), a moment as a PNG
(``/api/v1/history/picture.png``) and a span as a self-contained HTML file
(``/replay/export.html``). All need Permission.VIEW_WALL, checked when each request runs.

The exported file carries what the history API answers for the span, asked of this very
server over its loopback address with the caller's own credential: the export holds exactly
what the contract's JSON says, whoever implements it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from command_center.auth import Permission
from command_center.errors import RequestError, WallError
from command_center.server.http_base import JsonHandler
from command_center.server.hub import ScreenHub as Hub
from command_center.server.keys import Keys
from command_center.server.replay_export import MAX_SPAN_MS, export_html
from command_center.server.replay_page import (
    ReplayPageHandler,
    iso,
    parse_instant,
    shown_time,
    wall_config,
)
from command_center.server.replay_picture import PictureRenderer, picture_size
from command_center.sessions import Sessions
from command_center.settings import Settings

MAX_EXPORT_BYTES = 64 * 1024 * 1024  # what the history API may answer for one span


class UpstreamError(WallError):
    status = 502
    code = "history_unavailable"


def loopback_url(settings: Settings, port: int) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    scheme = "https" if settings.tls_cert else "http"
    return f"{scheme}://{host}:{port}"


def _screen(hub: Hub, screen: str | None) -> Any:
    if screen is None:
        return None
    for s in hub.wall.screens:
        if s.id == screen:
            return s
    raise WallErrorNotFound(f"no screen '{screen}' (known: {[s.id for s in hub.wall.screens]})")


class WallErrorNotFound(WallError):
    status = 404
    code = "not_found"


class PictureHandler(JsonHandler):
    """``GET /api/v1/history/picture.png?at=<iso>[&screen=<id>]``."""

    def initialize(self, hub: Hub, keys: Keys, renderer: PictureRenderer) -> None:
        self.hub = hub
        self.keys = keys
        self.renderer = renderer

    async def get(self) -> None:
        principal = await self.require(Permission.VIEW_WALL)
        at = parse_instant(self.get_query_argument("at", None))
        if at is None:
            raise RequestError("'at' is required: an ISO 8601 time")
        screen = _screen(self.hub, self.get_query_argument("screen", None))
        if screen is None:
            size = picture_size(self.hub.wall.width, self.hub.wall.height)
        else:
            size = picture_size(screen.width, screen.height)
        query = {"at": iso(at), "picture": "1", **({"screen": screen.id} if screen else {})}
        png = await self.renderer.render(principal, f"/replay?{urlencode(query)}", size)
        self.set_header("Content-Type", "image/png")
        stamp = iso(at).replace(":", "")[:17]
        self.set_header("Content-Disposition", f'inline; filename="wall-{stamp}.png"')
        self.finish(png)


class ExportHandler(JsonHandler):
    """``GET /replay/export.html?from=<iso>&to=<iso>[&screen=<id>]``: at most 2 h."""

    def initialize(self, hub: Hub, keys: Keys, base_url: str) -> None:
        self.hub = hub
        self.keys = keys
        self.base_url = base_url

    async def _get(self, path: str, query: dict[str, str]) -> Any:
        token = self.session_token() or ""
        client = AsyncHTTPClient(force_instance=True, max_body_size=MAX_EXPORT_BYTES)
        try:
            answer = await client.fetch(
                f"{self.base_url}{path}?{urlencode(query)}",
                headers={"Authorization": f"Bearer {token}"},
                validate_cert=False,  # our own loopback address
                request_timeout=30,
            )
        except HTTPClientError as exc:
            raise UpstreamError(f"{path}: {exc}") from None
        finally:
            client.close()
        # Up to MAX_EXPORT_BYTES of JSON: parsed off the event loop.
        return await asyncio.to_thread(json.loads, answer.body)

    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        start = parse_instant(self.get_query_argument("from", None), "from")
        end = parse_instant(self.get_query_argument("to", None), "to")
        if start is None or end is None:
            raise RequestError("'from' and 'to' are required: ISO 8601 times")
        if not 0 < end - start <= MAX_SPAN_MS:
            raise RequestError(
                f"'to' must be after 'from' by at most {MAX_SPAN_MS // 3_600_000} h "
                f"(got {(end - start) / 60_000:.1f} min)"
            )
        screen = _screen(self.hub, self.get_query_argument("screen", None))
        only = {"screen": screen.id} if screen else {}
        span = {"from": iso(start), "to": iso(end)}
        state = await self._get("/api/v1/history", {"at": iso(start), **only})
        events = await self._get("/api/v1/history/events", {**span, **only})
        marks = await self._get("/api/v1/history/marks", span)
        config = {
            **wall_config(self.hub),
            "at": start,
            "screen": screen.id if screen else None,
            "recordings": False,
            "offline": True,
            "data": {
                "from": iso(start),
                "to": iso(end),
                "state": state,
                "events": events.get("events", []),
                "truncated": bool(events.get("truncated")),
                "marks": marks.get("marks", []),
            },
        }
        self.set_header("Content-Type", "text/html; charset=utf-8")
        name = f"wall-replay-{iso(start).replace(':', '')[:17]}.html"
        self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        # Megabytes of text (the span, the inlined modules): built off the event loop.
        self.finish(await asyncio.to_thread(export_html, config, shown_time(start)))


def replay_routes(
    hub: Hub, sessions: Sessions, keys: Keys, settings: Settings, port: int
) -> list[tuple[str, Any, dict[str, Any]]]:
    base = loopback_url(settings, port)
    renderer = PictureRenderer(base, sessions)
    return [
        (r"/replay", ReplayPageHandler, {"hub": hub, "sessions": sessions}),
        (EXPORT_PATH, ExportHandler, {"hub": hub, "keys": keys, "base_url": base}),
        (PICTURE_PATH, PictureHandler, {"hub": hub, "keys": keys, "renderer": renderer}),
    ]


# Before /api/v1/history's own routes; the dot is a dot in practice (README names them so).
PICTURE_PATH = r"/api/v1/history/picture.png"
EXPORT_PATH = r"/replay/export.html"
REPLAY_API_ROUTES: list[tuple[str, type[JsonHandler]]] = [
    (PICTURE_PATH, PictureHandler),
    (EXPORT_PATH, ExportHandler),
]
