"""The OpenAPI description of ``/api/v1/recordings`` (``recordings_api.py``), merged into
``openapi_routes.ROUTE_DOCS``."""

from __future__ import annotations

from command_center.server.openapi_schema import (
    INT,
    OPERATE,
    POINT_ID,
    READ,
    STR,
    Operation,
    obj,
    path,
    q,
)

MANAGERS = "duty officer, admin (a viewer is refused: 403)"
_TIME = {"type": ["string", "null"]}
_SEGMENT = obj(
    ["index", "started_at", "ended_at", "duration_s", "bytes", "url"],
    index=INT,
    started_at=STR,
    ended_at=_TIME,
    duration_s={"type": ["number", "null"]},
    bytes=INT,
    url=STR,
)
_RECORDING = obj(
    ["id", "point", "point_name", "started_at", "ended_at", "video_codec", "audio_codec"],
    id=STR,
    point=STR,
    point_name=obj(["vi", "en"], vi=STR, en=STR),
    started_at=STR,
    ended_at=_TIME,
    video_codec={"type": ["string", "null"]},
    audio_codec={"type": ["string", "null"]},
    segments={"type": "array", "items": _SEGMENT},
)
_LIST = obj(["recordings"], recordings={"type": "array", "items": _RECORDING})
_ISO = "ISO 8601 with an offset (+07:00 or Z)"

RECORDING_DOCS: dict[str, tuple[str, dict[str, Operation]]] = {
    r"/api/v1/recordings": (
        "/api/v1/recordings",
        {
            "get": Operation(
                "Recorded bridge calls overlapping [from, to], newest first, each with its "
                "segments (5-minute .webm for VP8+Opus, .mkv for H.264) and their URLs",
                MANAGERS,
                [
                    q("from", f"only recordings still running at or after this time ({_ISO})"),
                    q("to", f"only recordings started at or before this time ({_ISO})"),
                    q("point", "only this bridge point's recordings"),
                ],
                ok={"200": _LIST},
                errors=(*READ, 404),
            )
        },
    ),
    r"/api/v1/recordings/([A-Za-z0-9_-]{1,64})/segments/([0-9a-z]{1,6})": (
        "/api/v1/recordings/{recording_id}/segments/{index}",
        {
            "get": Operation(
                "One segment's file (video/webm or video/x-matroska) as recorded, with "
                "Range support (206, Content-Range) so a <video> element seeks in it",
                MANAGERS,
                [
                    path("recording_id", "a recording's id from the list", "20261204T140500-ab12"),
                    path("index", "the segment's index", "0"),
                ],
                ok={"200": None, "206": None},
                ok_type="video/webm",
                errors=(*READ, 404),
            )
        },
    ),
    r"/api/v1/recordings/([a-z0-9-]{1,48})/start": (
        "/api/v1/recordings/{point_id}/start",
        {
            "post": Operation(
                "Record the point's call from its next keyframe (audited; ĐANG GHI · REC "
                "shows on its bridge page and video tiles); 409 when it is not in a call",
                MANAGERS,
                [POINT_ID],
                ok={"200": _RECORDING},
                errors=(*OPERATE, 409),
            )
        },
    ),
    r"/api/v1/recordings/([a-z0-9-]{1,48})/stop": (
        "/api/v1/recordings/{point_id}/stop",
        {
            "post": Operation(
                "Stop recording the point's call (audited); 404 when it is not recorded",
                MANAGERS,
                [POINT_ID],
                ok={"200": _RECORDING},
                errors=OPERATE,
            )
        },
    ),
}
