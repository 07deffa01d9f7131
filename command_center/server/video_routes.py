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

from command_center.server.video_api import SERVERS_ROUTES, VIDEO_API_ROUTES
from command_center.server.video_parts import VideoParts
from command_center.server.video_signalling import SIGNALLING_ROUTES
from command_center.server.video_socket import VideoSocket

__all__ = ["SERVERS_ROUTES", "SIGNALLING_ROUTES", "VIDEO_API_ROUTES", "video_routes"]


def video_routes(parts: VideoParts) -> list[tuple[str, Any, dict[str, Any]]]:
    """Every video pattern with what its handler needs, for ``open_runtime`` (the JSON
    handlers take ``sessions`` besides, as every ``JsonHandler`` does)."""
    handlers: list[tuple[str, Any]] = [*SERVERS_ROUTES, *VIDEO_API_ROUTES, *SIGNALLING_ROUTES]
    deps = {"parts": parts, "sessions": parts.sessions}
    return [
        *((pattern, handler, deps) for pattern, handler in handlers),
        (r"/ws/video", VideoSocket, {"parts": parts}),
    ]
