"""The video bridge's routes, assembled: WHIP and WHEP signalling (``video_signalling``,
on the handler base ``video_handler``), the JSON API (``video_api``: roster, the
console's actions, the server list) and the control channel (``video_socket``).

    POST   /whip/<point>, /whep/<source>  and PATCH/DELETE on their Location
    GET    /ws/video                  control channel: roster, then room events
    GET    /api/v1/video/servers      every wall server, in failover order (for points)
    /api/v1/video/...                 roster; mute, end, program, pins (duty officer, admin)

The route tables (``SIGNALLING_ROUTES``, ``VIDEO_API_ROUTES``, ``SERVERS_ROUTES``) are
listed here for ``openapi``.
"""

from __future__ import annotations

from typing import Any

from command_center.server.keys import Keys
from command_center.server.link_limits import LinkLimits
from command_center.server.video_api import SERVERS_ROUTES, VIDEO_API_ROUTES
from command_center.server.video_signalling import SIGNALLING_ROUTES
from command_center.server.video_socket import VideoSocket
from command_center.sessions import Sessions
from command_center.store import Store
from video.room import VideoRoom

__all__ = ["SERVERS_ROUTES", "SIGNALLING_ROUTES", "VIDEO_API_ROUTES", "video_routes"]


def video_routes(
    room: VideoRoom,
    keys: Keys,
    screens: frozenset[str],
    sessions: Sessions,
    store: Store,
    links: LinkLimits | None = None,
    servers: tuple[str, ...] = (),
) -> list[tuple[str, Any, dict[str, Any]]]:
    """Every video pattern with what its handler needs, for ``open_runtime``; ``servers``:
    every wall server in failover order (this one alone when not configured)."""
    deps = {
        "room": room,
        "keys": keys,
        "screens": screens,
        "sessions": sessions,
        "store": store,
        "servers": servers,
    }
    handlers: list[tuple[str, Any]] = [*SERVERS_ROUTES, *VIDEO_API_ROUTES, *SIGNALLING_ROUTES]
    routes = [(pattern, handler, deps) for pattern, handler in handlers]
    return [*routes, (r"/ws/video", VideoSocket, {**deps, "links": links})]
