"""The OpenAPI description of the replay's exports (``replay_routes.py``), merged into
``openapi_routes.ROUTE_DOCS``."""

from __future__ import annotations

from command_center.server.openapi_schema import READ, VIEWER, Operation, q
from command_center.server.replay_routes import EXPORT_PATH, PICTURE_PATH

_TIME = {"type": "string", "description": "ISO 8601, any offset or Z (none: +07:00)"}
_SCREEN = q("screen", "one screen of the wall, full-size (unknown: 404); default the whole wall")

REPLAY_DOCS: dict[str, tuple[str, dict[str, Operation]]] = {
    PICTURE_PATH: (
        "/api/v1/history/picture.png",
        {
            "get": Operation(
                "The wall (or one screen) as it was at 'at', as a PNG rendered by headless "
                "Chromium from the replay page (marked PHÁT LẠI · REPLAY): the wall's "
                "proportions, at most 1920 px on its longer side. One render at a time and a "
                "short queue: beyond it 503 renderer_busy, no Chromium 503 "
                "renderer_unavailable, over 30 s 504 renderer_timeout",
                VIEWER,
                params=[q("at", "the instant, ISO 8601", True, _TIME), _SCREEN],
                ok={"200": None},
                ok_type="image/png",
                errors=(*READ, 404, 503, 504),
            )
        },
    ),
    EXPORT_PATH: (
        "/replay/export.html",
        {
            "get": Operation(
                "The span (from, to] as one self-contained HTML file (every script, style, "
                "boundary layer and the span's history inlined): it opens from disk with no "
                "server and plays the span with the replay page's timeline. At most 2 h",
                VIEWER,
                params=[
                    q("from", "the span's start, ISO 8601", True, _TIME),
                    q("to", "the span's end, ISO 8601; at most 2 h after 'from'", True, _TIME),
                    _SCREEN,
                ],
                ok={"200": None},
                ok_type="text/html",
                errors=(*READ, 404, 502),
            )
        },
    ),
}
