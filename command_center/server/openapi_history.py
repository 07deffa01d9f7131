"""The OpenAPI description of ``/api/v1/history`` (``history_api.py``), merged into
``openapi_routes.ROUTE_DOCS``."""

from __future__ import annotations

from command_center.server.history_query import MAX_EVENTS, MAX_MARKS
from command_center.server.openapi_schema import (
    NUM,
    OBJECT,
    READ,
    STR,
    VIEWER,
    Operation,
    obj,
    q,
)

_TIME = {"type": "string", "description": "ISO 8601, any offset or Z (none: +07:00)"}
_ISO_OR_NULL = {"type": ["string", "null"]}
_SCREEN = q("screen", "one screen of the wall (unknown: 404); default every screen")
_SPAN = [
    q("from", "the span's start, ISO 8601 (exclusive for events)", True, _TIME),
    q("to", "the span's end, ISO 8601; at most 6 h after 'from' for events", True, _TIME),
]
_SCREEN_AT = obj(
    ["preset", "changed_at", "messages"],
    preset={"type": ["string", "null"]},
    changed_at=_ISO_OR_NULL,
    messages={"type": "array", "items": OBJECT},
)

HISTORY_DOCS = {
    r"/api/v1/history": (
        "/api/v1/history",
        {
            "get": Operation(
                "What every screen (or one) showed at 'at': its preset, the time of its last "
                "change at or before 'at', and the shortest list of protocol messages (layout, "
                "data, banners) that brings a fresh kiosk there; empty before the oldest history",
                VIEWER,
                params=[q("at", "the instant, ISO 8601", True, _TIME), _SCREEN],
                ok={
                    "200": obj(
                        ["at", "oldest", "screens"],
                        at=STR,
                        oldest=_ISO_OR_NULL,
                        screens={"type": "object", "additionalProperties": _SCREEN_AT},
                    )
                },
                errors=(*READ, 404),
            )
        },
    ),
    r"/api/v1/history/events": (
        "/api/v1/history/events",
        {
            "get": Operation(
                "The messages each screen (or one) was sent in (from, to], in order: at most "
                f"6 h and {MAX_EVENTS} events (then truncated: true, ending at the last one "
                "included)",
                VIEWER,
                params=[*_SPAN, _SCREEN],
                ok={
                    "200": obj(
                        ["from", "to", "events", "truncated"],
                        events={
                            "type": "array",
                            "items": obj(["t", "screen", "message"], t=NUM, screen=STR),
                        },
                        truncated={"type": "boolean"},
                    )
                },
                errors=(*READ, 404),
            )
        },
    ),
    r"/api/v1/history/marks": (
        "/api/v1/history/marks",
        {
            "get": Operation(
                "The replay timeline's marks in [from, to], oldest first: switch, alert, "
                f"banner, call, recording, labelled vi and en; at most {MAX_MARKS} (then "
                "truncated: true, the newest left out)",
                VIEWER,
                params=_SPAN,
                ok={
                    "200": obj(
                        ["marks", "truncated"],
                        marks={
                            "type": "array",
                            "items": obj(
                                ["t", "kind", "label_vi", "label_en", "screen"],
                                t=STR,
                                kind={"enum": ["switch", "alert", "banner", "call", "recording"]},
                                label_vi=STR,
                                label_en=STR,
                                screen={"type": ["string", "null"]},
                            ),
                        },
                        truncated={"type": "boolean"},
                    )
                },
                errors=READ,
            )
        },
    ),
}
