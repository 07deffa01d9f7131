"""The building blocks of the OpenAPI document: ``Operation`` (one method of one route) and
the schemas, parameters and error sets that several routes share (``openapi_routes.py``
describes the routes with them; ``openapi.py`` turns them into the document)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VIEWER = "viewer and up (console session or its Bearer token)"
AGENCY = "a reporting agency: 'Authorization: Bearer <agency id>:<token>'"
PUBLIC = "anyone"


def q(
    name: str, description: str, required: bool = False, schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


@dataclass(frozen=True)
class Operation:
    """One method of one route: what it does, who may call it, what it takes and answers.

    ``ok`` maps each success status to its body's schema; ``errors`` lists the error
    statuses it gives (each the envelope, ``Error``): schemathesis (tests/fuzz) fails on an
    answer whose status or body is not described here."""

    summary: str
    who: str
    params: list[dict[str, Any]] = field(default_factory=list)
    body: dict[str, Any] | None = None  # media type -> schema
    # status -> body schema (None: no body), in ``ok_type``; ``ok_headers`` every 2xx has
    ok: dict[str, dict[str, Any] | None] = field(default_factory=lambda: {"200": OBJECT})
    errors: tuple[int, ...] = ()
    ok_type: str = "application/json"
    ok_headers: tuple[str, ...] = ()


OBJECT: dict[str, Any] = {"type": "object"}


def obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


def list_of(key: str) -> dict[str, Any]:
    return obj([key], **{key: {"type": "array", "items": OBJECT}})


def json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": schema}


STR = {"type": "string"}
NUM = {"type": "number"}
INT = {"type": "integer"}
# Every caller of a read: no or wrong credentials 401, a role without the permission 403,
# a malformed Authorization header or parameter 400.
READ = (400, 401, 403)
OPERATE = (400, 401, 403, 404, 413, 415)
REPORTED = obj(
    ["agency", "rows", "accepted", "duplicates", "received_at"],
    agency=STR,
    rows=INT,
    accepted=INT,
    duplicates=INT,
    received_at=NUM,
)
ROW = {
    "type": "object",
    "required": ["indicator", "period", "value"],
    "additionalProperties": False,
    "properties": {
        "indicator": {"type": "string", "description": "catalogue code"},
        "area_code": {"type": ["string", "null"], "description": "GSO code; empty: national"},
        "code_list": {"type": ["string", "null"], "enum": ["gso-63", "gso-34", None]},
        "period": {"type": "string", "description": "2026-10-19, 2026-W42, 2026-10, 2026-Q3, 2026"},
        "value": {"type": "number"},
        "revision": {"type": "integer", "minimum": 0, "default": 0},
        "note": {"type": ["string", "null"], "maxLength": 2000},
    },
}
POINT_ID = {
    "name": "point_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,48}$"},
}


def path(name: str, description: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": "^[^/]+$", "example": example},
    }


SDP_BODY = {"application/sdp": {"type": "string"}}
SESSION = path("session_id", "from the Location of the 201", "0a1b")
SIGNAL_ERRORS = (400, 401, 403, 404, 413, 415)
# RFC 9725 §4.3.1: trickle ICE into a session; an ICE restart is refused (aiortc has none).
POINT = path("point_id", "a bridge point of the registry, or 'room'", "hue")
SOURCE = path("source", "a bridge point, 'program' or 'active'", "hue")


def trickle(owner: dict[str, Any]) -> Operation:
    return Operation(
        "Trickle ICE (RFC 9725 §4.3.1): an application/trickle-ice-sdpfrag with "
        "'If-Match: \"<ETag of the 201>\"' or '*': 204; no If-Match 428, another ICE session "
        "412, an ICE restart (new ice-ufrag/ice-pwd) 422",
        "the session's holder, or a duty officer or admin",
        [owner, SESSION],
        body={"application/trickle-ice-sdpfrag": {"type": "string"}},
        ok={"204": None},
        errors=(*SIGNAL_ERRORS, 412, 422, 428),
    )


def hang_up(owner: dict[str, Any]) -> Operation:
    return Operation(
        "Leave: end the session (its peer connection closes)",
        "the session's holder, or a duty officer or admin",
        [owner, SESSION],
        ok={"200": obj(["ended"], ended=STR)},
        errors=(400, 401, 403, 404),
    )


DEPENDENCY = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["ok", "degraded", "down"]},
        "since": {"type": "number", "description": "epoch ms, while not ok"},
        "detail": {"type": ["string", "null"]},
    },
}
HEALTH = obj(
    [
        "status",
        "dependencies",
        "preset",
        "version",
        "screens_online",
        "screens_total",
    ],
    status={"enum": ["ok", "degraded", "down"]},
    dependencies=obj(
        ["store", "bus"],
        store=DEPENDENCY,
        bus=DEPENDENCY,
        video=DEPENDENCY,
        loop_lag=DEPENDENCY,
        feeds_overdue=obj(["status", "count"], status=STR, count=INT),
    ),
    screens_online=INT,
    screens_total=INT,
    screens_on_wall=INT,
    screens_elsewhere={"type": "array", "items": STR},
    server_time=NUM,
    bus_rejected=INT,
)
