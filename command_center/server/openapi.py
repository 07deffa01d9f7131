"""``GET /api/v1/openapi.json``: an OpenAPI 3.1 description of every API route served (the
JSON API and WHIP/WHEP signalling).

The document is written by hand here (summaries, parameters, who may call), keyed by the
same route patterns the server registers; tests/integration/test_observations_api.py fails
when a served route or method is missing here, or described but not served.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from command_center.server.api import API_ROUTES, ApiHandler
from command_center.server.credentials_api import CREDENTIALS_ROUTES
from command_center.server.http_base import JsonHandler
from command_center.server.map_routes import MAP_ROUTES
from command_center.server.observations_api import OBSERVATION_ROUTES
from command_center.server.video_routes import (
    SERVERS_ROUTES,
    SIGNALLING_ROUTES,
    VIDEO_API_ROUTES,
)
from feeds.incident_store.base import MAX_PAGE, PAGE

VIEWER = "viewer and up (console session or its Bearer token)"
AGENCY = "a reporting agency: 'Authorization: Bearer <agency id>:<token>'"
PUBLIC = "anyone"


def _q(
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
    ok: dict[str, dict[str, Any] | None] = field(default_factory=lambda: {"200": _OBJECT})
    errors: tuple[int, ...] = ()
    ok_type: str = "application/json"
    ok_headers: tuple[str, ...] = ()


_OBJECT: dict[str, Any] = {"type": "object"}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


def _list_of(key: str) -> dict[str, Any]:
    return _obj([key], **{key: {"type": "array", "items": _OBJECT}})


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": schema}


_STR = {"type": "string"}
_NUM = {"type": "number"}
_INT = {"type": "integer"}
# Every caller of a read: no or wrong credentials 401, a role without the permission 403,
# a malformed Authorization header or parameter 400.
_READ = (400, 401, 403)
_OPERATE = (400, 401, 403, 404, 413, 415)
_REPORTED = _obj(
    ["agency", "rows", "accepted", "duplicates", "received_at"],
    agency=_STR,
    rows=_INT,
    accepted=_INT,
    duplicates=_INT,
    received_at=_NUM,
)
_ROW = {
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
_POINT_ID = {
    "name": "point_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,48}$"},
}


def _path(name: str, description: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": "^[^/]+$", "example": example},
    }


_SDP_BODY = {"application/sdp": {"type": "string"}}
_SESSION = _path("session_id", "from the Location of the 201", "0a1b")
_SIGNAL_ERRORS = (400, 401, 403, 404, 413, 415)
# RFC 9725 §4.3.1: trickle ICE into a session; an ICE restart is refused (aiortc has none).
_POINT = _path("point_id", "a bridge point of the registry, or 'room'", "hue")
_SOURCE = _path("source", "a bridge point, 'program' or 'active'", "hue")


def _trickle(owner: dict[str, Any]) -> Operation:
    return Operation(
        "Trickle ICE (RFC 9725 §4.3.1): an application/trickle-ice-sdpfrag with "
        "'If-Match: \"<ETag of the 201>\"' or '*': 204; no If-Match 428, another ICE session "
        "412, an ICE restart (new ice-ufrag/ice-pwd) 422",
        "the session's holder, or a duty officer or admin",
        [owner, _SESSION],
        body={"application/trickle-ice-sdpfrag": {"type": "string"}},
        ok={"204": None},
        errors=(*_SIGNAL_ERRORS, 412, 422, 428),
    )


def _hang_up(owner: dict[str, Any]) -> Operation:
    return Operation(
        "Leave: end the session (its peer connection closes)",
        "the session's holder, or a duty officer or admin",
        [owner, _SESSION],
        ok={"200": _obj(["ended"], ended=_STR)},
        errors=(400, 401, 403, 404),
    )


_DEPENDENCY = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["ok", "degraded", "down"]},
        "since": {"type": "number", "description": "epoch ms, while not ok"},
        "detail": {"type": ["string", "null"]},
    },
}
_HEALTH = _obj(
    [
        "status",
        "dependencies",
        "preset",
        "version",
        "screens_online",
        "screens_total",
    ],
    status={"enum": ["ok", "degraded", "down"]},
    dependencies=_obj(
        ["store", "bus"],
        store=_DEPENDENCY,
        bus=_DEPENDENCY,
        video=_DEPENDENCY,
        loop_lag=_DEPENDENCY,
        feeds_overdue=_obj(["status", "count"], status=_STR, count=_INT),
    ),
    screens_online=_INT,
    screens_total=_INT,
    screens_on_wall=_INT,
    screens_elsewhere={"type": "array", "items": _STR},
    server_time=_NUM,
    bus_rejected=_INT,
)


# pattern -> (path template, {method: Operation})
ROUTE_DOCS: dict[str, tuple[str, dict[str, Operation]]] = {
    r"/health": (
        "/health",
        {
            "get": Operation(
                "Health: ok, degraded (a dependency is not ok; the wall still shows) or "
                "down (shutting down: 503), each dependency's state, preset, screens "
                "online, loop lag",
                PUBLIC,
                ok={"200": _HEALTH, "503": _HEALTH},
            )
        },
    ),
    r"/api/v1/sessions": (
        "/api/v1/sessions",
        {
            "post": Operation(
                "Sign in: {username, password} -> a Bearer token; 429 too_many_attempts "
                "with Retry-After after 5 failures in 15 min of a username from one address "
                "(or 20 from one address); 503 busy with Retry-After when every "
                "password-check slot is taken",
                PUBLIC,
                body=_json(_obj(["username", "password"], username=_STR, password=_STR)),
                ok={
                    "201": _obj(
                        ["token", "username", "role", "expires_at", "idle_timeout_s"],
                        token=_STR,
                        username=_STR,
                        role=_STR,
                        expires_at=_NUM,
                        idle_timeout_s=_NUM,
                    )
                },
                errors=(400, 401, 413, 415, 429, 503),
            )
        },
    ),
    r"/api/v1/sessions/current": (
        "/api/v1/sessions/current",
        {
            "delete": Operation(
                "Sign out: end this session on every server",
                "any signed-in user",
                ok={"200": _obj(["ended", "username"], ended={"type": "boolean"}, username=_STR)},
                errors=(400, 401),
            )
        },
    ),
    r"/api/v1/presets": (
        "/api/v1/presets",
        {"get": Operation("Layout presets", VIEWER, ok={"200": _list_of("presets")}, errors=_READ)},
    ),
    r"/api/v1/state": (
        "/api/v1/state",
        {"get": Operation("What the wall shows", VIEWER, errors=_READ)},
    ),
    r"/api/v1/switch": (
        "/api/v1/switch",
        {
            "post": Operation(
                "Switch the layout: {preset} -> 202 switch report",
                "duty officer, admin",
                body=_json({**_obj(["preset"], preset=_STR), "additionalProperties": False}),
                ok={"202": _OBJECT},
                errors=(*_OPERATE, 409, 429, 503),
            )
        },
    ),
    r"/api/v1/switches/([0-9a-f]{1,32})": (
        "/api/v1/switches/{switch_id}",
        {
            "get": Operation(
                "A recent switch's report",
                VIEWER,
                params=[
                    {
                        "name": "switch_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{1,32}$"},
                    }
                ],
                errors=(*_READ, 404),
            )
        },
    ),
    r"/api/v1/screens": (
        "/api/v1/screens",
        {
            "get": Operation(
                "Screens and their health", VIEWER, ok={"200": _list_of("screens")}, errors=_READ
            )
        },
    ),
    r"/api/v1/audit": (
        "/api/v1/audit",
        {
            "get": Operation(
                "The audit log, newest first, chained (prev, hash)",
                VIEWER,
                [
                    _q(
                        "limit",
                        "1 to 1000",
                        schema={"type": "integer", "minimum": 1, "maximum": 1000},
                    ),
                    _q("actor", "only this actor", schema={"type": "string", "maxLength": 128}),
                    _q("action", "only this action", schema={"type": "string", "maxLength": 128}),
                ],
                ok={"200": _list_of("entries")},
                errors=_READ,
            )
        },
    ),
    r"/api/v1/observations": (
        "/api/v1/observations",
        {
            "post": Operation(
                "Report a batch (JSON {observations: [row]} or text/csv), all-or-nothing: "
                "201 with counts (200 if all were duplicates), 422 with a detail per bad "
                "field, 409 on a revision conflict, 413 over 10,000 rows",
                AGENCY,
                body={
                    "application/json": {
                        "type": "object",
                        "required": ["observations"],
                        "additionalProperties": False,
                        "properties": {"observations": {"type": "array", "items": _ROW}},
                    },
                    "text/csv": {"type": "string"},
                },
                ok={"200": _REPORTED, "201": _REPORTED},
                errors=(400, 401, 403, 409, 413, 415, 422, 429, 503),
            )
        },
    ),
    r"/api/v1/observations/latest": (
        "/api/v1/observations/latest",
        {
            "get": Operation(
                "The newest period of each (indicator, area) at its latest revision",
                VIEWER,
                [_q("indicator", "catalogue code"), _q("area", "VN or gso-34:01")],
                ok={"200": _list_of("observations")},
                errors=(*_READ, 404),
            )
        },
    ),
    r"/api/v1/series": (
        "/api/v1/series",
        {
            "get": Operation(
                "One indicator and area, period by period, latest revisions",
                VIEWER,
                [
                    _q("indicator", "catalogue code", required=True),
                    _q("area", "VN (default) or gso-34:01"),
                    _q("from", "first period key, inclusive"),
                    _q("to", "last period key, inclusive"),
                ],
                ok={"200": _obj(["indicator", "area", "observations"])},
                errors=(*_READ, 404),
            )
        },
    ),
    r"/api/v1/indicators": (
        "/api/v1/indicators",
        {
            "get": Operation(
                "The indicator catalogue", VIEWER, ok={"200": _list_of("indicators")}, errors=_READ
            )
        },
    ),
    r"/api/v1/reporting-status": (
        "/api/v1/reporting-status",
        {
            "get": Operation(
                "Who reported what for a period; who is overdue and by how long",
                VIEWER,
                [_q("period", "a period key; default: each indicator's last due period")],
                ok={"200": _obj(["period", "now", "summary", "entries"])},
                errors=_READ,
            )
        },
    ),
    r"/api/v1/openapi.json": (
        "/api/v1/openapi.json",
        {"get": Operation("This document", PUBLIC, ok={"200": _obj(["openapi", "paths"])})},
    ),
    r"/api/v1/incidents": (
        "/api/v1/incidents",
        {
            "post": Operation(
                "Report search-and-rescue incidents {incidents: [row]} (new or updated by id), "
                "all-or-nothing: 201 with counts (200 if all were repeats), 422 with a detail "
                "per bad field, 403 for an agency that does not report incidents, 429 past "
                "the agency's quota",
                AGENCY + " (the national SAR centre, or a province's People's Committee)",
                body=_json(
                    {
                        "type": "object",
                        "required": ["incidents"],
                        "additionalProperties": False,
                        "properties": {"incidents": {"type": "array", "items": _OBJECT}},
                    }
                ),
                ok={"200": _REPORTED, "201": _REPORTED},
                errors=(400, 401, 403, 409, 413, 415, 422, 429, 503),
            ),
            "get": Operation(
                "Incidents, newest first, a page at a time ('next' names the following page)",
                VIEWER,
                [
                    _q("since", "received at or after, ms since the epoch", schema=_NUM),
                    _q(
                        "limit",
                        f"page size, 1 to {MAX_PAGE} (default {PAGE})",
                        schema={"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                    ),
                    _q("before", "occurred before, ms since the epoch", schema=_NUM),
                ],
                ok={"200": _list_of("incidents")},
                errors=_READ,
            ),
        },
    ),
    r"/api/v1/focus": (
        "/api/v1/focus",
        {
            "post": Operation(
                "Focus the wall's maps on a province {province: gso-34 code} or the whole "
                "country {province: null}: audited, 202",
                "duty officer, admin",
                body=_json(
                    {
                        **_obj(["province"], province={"type": ["string", "null"]}),
                        "additionalProperties": False,
                    }
                ),
                ok={"202": _obj(["focus"])},
                errors=_OPERATE,
            ),
            "get": Operation(
                "The maps' current focus", VIEWER, ok={"200": _obj(["focus"])}, errors=_READ
            ),
        },
    ),
    r"/api/v1/video/roster": (
        "/api/v1/video/roster",
        {
            "get": Operation(
                "Bridge points: online, in call, muted, link statistics; program, pins",
                VIEWER + "; bridge points and screens are refused",
                errors=_READ,
            )
        },
    ),
    r"/api/v1/video/servers": (
        "/api/v1/video/servers",
        {
            "get": Operation(
                "Every wall server's URL in failover order, for a bridge point that must "
                "publish again elsewhere when its server is lost",
                "any video credential: a point's or screen's token, a console session",
                ok={"200": _obj(["servers"], servers={"type": "array", "items": _STR})},
                errors=(400, 401),
            )
        },
    ),
    r"/api/v1/video/points/([a-z0-9-]{1,48})/mute": (
        "/api/v1/video/points/{point_id}/mute",
        {
            "post": Operation(
                "Mute or unmute a bridge point: {muted: bool}",
                "duty officer, admin",
                [_POINT_ID],
                body=_json(_obj(["muted"], muted={"type": "boolean"})),
                errors=(*_OPERATE, 409),
            )
        },
    ),
    r"/api/v1/video/points/([a-z0-9-]{1,48})/end": (
        "/api/v1/video/points/{point_id}/end",
        {
            "post": Operation(
                "End a bridge point's call",
                "duty officer, admin",
                [_POINT_ID],
                errors=(*_OPERATE, 409),
            )
        },
    ),
    r"/api/v1/video/program": (
        "/api/v1/video/program",
        {
            "post": Operation(
                "What the points see: {source: 'room' or a point id}",
                "duty officer, admin",
                body=_json(_obj(["source"], source=_STR)),
                errors=(*_OPERATE, 409),
            )
        },
    ),
    r"/api/v1/video/pins": (
        "/api/v1/video/pins",
        {
            "post": Operation(
                "Pin a source to a wall tile: {tile, source: point id, 'active', 'program' or null}",
                "duty officer, admin",
                body=_json(_obj(["tile"], tile=_STR, source={"type": ["string", "null"]})),
                errors=(*_OPERATE, 409),
            )
        },
    ),
    r"/whip/([^/]+)": (
        "/whip/{point_id}",
        {
            "post": Operation(
                "WHIP (RFC 9725): publish as a bridge point, an SDP offer (sendonly, at most "
                "one video and the configured audio sections, BUNDLE) -> 201 with the "
                "recvonly answer, Location and ETag; OPTIONS answers Accept-Post",
                "that point's token ('Bearer <token>' or 'point:<id>:<token>'); the room's "
                "slot: a duty officer or admin",
                [_POINT],
                body=_SDP_BODY,
                ok={"201": {"type": "string"}},
                ok_type="application/sdp",
                ok_headers=("Location", "ETag"),
                errors=(*_SIGNAL_ERRORS, 406, 409, 429),
            )
        },
    ),
    r"/whip/([^/]+)/([^/]+)": (
        "/whip/{point_id}/{session_id}",
        {"patch": _trickle(_POINT), "delete": _hang_up(_POINT)},
    ),
    r"/whep/([^/]+)": (
        "/whep/{source}",
        {
            "post": Operation(
                "WHEP: watch a point, 'program' or 'active', an SDP offer (recvonly) -> 201 "
                "with the sendonly answer, Location and ETag; OPTIONS answers Accept-Post",
                "a screen ('screen:<id>:<token>'), a bridge point ('point:<id>:<token>'), "
                "viewer and up",
                [_SOURCE],
                body=_SDP_BODY,
                ok={"201": {"type": "string"}},
                ok_type="application/sdp",
                ok_headers=("Location", "ETag"),
                errors=(*_SIGNAL_ERRORS, 406, 429),
            )
        },
    ),
    r"/whep/([^/]+)/([^/]+)": (
        "/whep/{source}/{session_id}",
        {"patch": _trickle(_SOURCE), "delete": _hang_up(_SOURCE)},
    ),
    r"/api/v1/credentials": (
        "/api/v1/credentials",
        {
            "get": Operation(
                "Device credentials: kind, id, kid, generation, state, last use, address",
                "admin",
                ok={"200": _list_of("credentials")},
                errors=_READ,
            )
        },
    ),
}

_REASONS = {
    400: "Malformed request: body, parameter or Authorization header",
    401: "No or wrong credentials (WWW-Authenticate: Bearer)",
    403: "Authenticated, but this role or agency may not",
    404: "Unknown resource named in the path or a parameter",
    406: "No codec of a media section is one the centre forwards",
    409: "Collides with the current state",
    412: "Precondition failed",
    413: "Body larger than this route takes",
    415: "Content-Type not one this route takes",
    422: "Readable, but a field is invalid: a detail per field (WHIP/WHEP: ICE restart)",
    428: "If-Match required",
    429: "A bound was reached (Retry-After says when to retry)",
    503: "Busy, or the store unreachable or its disk full (Retry-After says when to retry)",
}
_REQUIRED_HEADERS = {401: "WWW-Authenticate", 429: "Retry-After", 503: "Retry-After"}


def _error(status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": f"{_REASONS[status]}; the error envelope {{error: {{code, message, details}}}}",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status in _REQUIRED_HEADERS:
        answer["headers"] = {
            _REQUIRED_HEADERS[status]: {"required": True, "schema": {"type": "string"}}
        }
    return answer


def _operation(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, schema in op.ok.items():
        answer: dict[str, Any] = {"description": "OK"}
        if schema is not None:
            answer["content"] = {op.ok_type: {"schema": schema}}
        if op.ok_headers:
            answer["headers"] = {
                name: {"required": True, "schema": {"type": "string"}} for name in op.ok_headers
            }
        responses[status] = answer
    responses.update({str(status): _error(status) for status in op.errors})
    operation: dict[str, Any] = {
        "summary": op.summary,
        "description": f"Who may call: {op.who}.",
        "parameters": op.params,
        "responses": responses,
    }
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {ctype: {"schema": schema} for ctype, schema in op.body.items()},
        }
    return operation


def openapi_document() -> dict[str, Any]:
    paths = {
        template: {method: _operation(op) for method, op in methods.items()}
        for template, methods in ROUTE_DOCS.values()
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "command_center: operations-centre wall API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "additionalProperties": False,
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "details"],
                            "properties": {
                                "code": {"type": "string", "minLength": 1},
                                "message": {"type": "string", "minLength": 1},
                                "details": {"type": "array", "items": {"type": "object"}},
                            },
                        }
                    },
                }
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


class OpenApiHandler(ApiHandler):
    def get(self) -> None:
        self.write_json(openapi_document())


OPENAPI_ROUTES: list[tuple[str, type[ApiHandler]]] = [(r"/api/v1/openapi.json", OpenApiHandler)]


def served_routes() -> list[tuple[str, type[JsonHandler]]]:
    """Every API route the server registers (JSON and signalling), in its order."""
    return [
        *API_ROUTES,
        *OBSERVATION_ROUTES,
        *OPENAPI_ROUTES,
        *MAP_ROUTES,
        *VIDEO_API_ROUTES,
        *SERVERS_ROUTES,
        *SIGNALLING_ROUTES,
        *CREDENTIALS_ROUTES,
    ]
