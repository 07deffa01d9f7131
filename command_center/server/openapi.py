"""``GET /api/v1/openapi.json``: an OpenAPI 3.1 description of every JSON route served.

The document is written by hand here (summaries, parameters, who may call), keyed by the
same route patterns the server registers; tests/integration/test_observations_api.py fails
when a served route or method is missing here, or described but not served.
"""

from __future__ import annotations

from typing import Any

from command_center.server.api import API_ROUTES, ApiHandler
from command_center.server.credentials_api import CREDENTIALS_ROUTES
from command_center.server.http_base import JsonHandler
from command_center.server.map_routes import MAP_ROUTES
from command_center.server.observations_api import OBSERVATION_ROUTES
from command_center.server.video_routes import VIDEO_API_ROUTES

VIEWER = "viewer and up (console session or its Bearer token)"
AGENCY = "a reporting agency: 'Authorization: Bearer <agency id>:<token>'"
PUBLIC = "anyone"


def _q(name: str, description: str, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


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

# pattern -> (path template, {method: (summary, who may call, query parameters)})
ROUTE_DOCS: dict[str, tuple[str, dict[str, tuple[str, str, list[dict[str, Any]]]]]] = {
    r"/health": ("/health", {"get": ("Liveness: preset, version, screens online", PUBLIC, [])}),
    r"/api/v1/sessions": (
        "/api/v1/sessions",
        {
            "post": (
                "Sign in: {username, password} -> a Bearer token; 429 too_many_attempts "
                "with Retry-After after 5 failures in 15 min of a username from one address "
                "(or 20 from one address); 503 busy with Retry-After when every "
                "password-check slot is taken",
                PUBLIC,
                [],
            )
        },
    ),
    r"/api/v1/sessions/current": (
        "/api/v1/sessions/current",
        {"delete": ("Sign out: end this session on every server", "any signed-in user", [])},
    ),
    r"/api/v1/presets": ("/api/v1/presets", {"get": ("Layout presets", VIEWER, [])}),
    r"/api/v1/state": ("/api/v1/state", {"get": ("What the wall shows", VIEWER, [])}),
    r"/api/v1/switch": (
        "/api/v1/switch",
        {"post": ("Switch the layout: {preset} -> 202 switch report", "duty officer, admin", [])},
    ),
    r"/api/v1/switches/([0-9a-f]{1,32})": (
        "/api/v1/switches/{switch_id}",
        {"get": ("A recent switch's report", VIEWER, [])},
    ),
    r"/api/v1/screens": ("/api/v1/screens", {"get": ("Screens and their health", VIEWER, [])}),
    r"/api/v1/audit": (
        "/api/v1/audit",
        {
            "get": (
                "The audit log, newest first, chained (prev, hash)",
                VIEWER,
                [
                    _q("limit", "1 to 1000"),
                    _q("actor", "only this actor"),
                    _q("action", "only this action"),
                ],
            )
        },
    ),
    r"/api/v1/observations": (
        "/api/v1/observations",
        {
            "post": (
                "Report a batch (JSON {observations: [row]} or text/csv), all-or-nothing: "
                "201 with counts (200 if all were duplicates), 422 with a detail per bad "
                "field, 409 on a revision conflict, 413 over 10,000 rows",
                AGENCY,
                [],
            )
        },
    ),
    r"/api/v1/observations/latest": (
        "/api/v1/observations/latest",
        {
            "get": (
                "The newest period of each (indicator, area) at its latest revision",
                VIEWER,
                [_q("indicator", "catalogue code"), _q("area", "VN or gso-34:01")],
            )
        },
    ),
    r"/api/v1/series": (
        "/api/v1/series",
        {
            "get": (
                "One indicator and area, period by period, latest revisions",
                VIEWER,
                [
                    _q("indicator", "catalogue code", required=True),
                    _q("area", "VN (default) or gso-34:01"),
                    _q("from", "first period key, inclusive"),
                    _q("to", "last period key, inclusive"),
                ],
            )
        },
    ),
    r"/api/v1/indicators": ("/api/v1/indicators", {"get": ("The indicator catalogue", VIEWER, [])}),
    r"/api/v1/reporting-status": (
        "/api/v1/reporting-status",
        {
            "get": (
                "Who reported what for a period; who is overdue and by how long",
                VIEWER,
                [_q("period", "a period key; default: each indicator's last due period")],
            )
        },
    ),
    r"/api/v1/openapi.json": ("/api/v1/openapi.json", {"get": ("This document", PUBLIC, [])}),
    r"/api/v1/incidents": (
        "/api/v1/incidents",
        {
            "post": (
                "Report search-and-rescue incidents {incidents: [row]} (new or updated by id), "
                "all-or-nothing: 201 with counts (200 if all were repeats), 422 with a detail "
                "per bad field, 403 for an agency that does not report incidents",
                AGENCY + " (the national SAR centre, or a province's People's Committee)",
                [],
            ),
            "get": (
                "Incidents, newest first",
                VIEWER,
                [_q("since", "received at or after, ms since the epoch")],
            ),
        },
    ),
    r"/api/v1/focus": (
        "/api/v1/focus",
        {
            "post": (
                "Focus the wall's maps on a province {province: gso-34 code} or the whole "
                "country {province: null}: audited, 202",
                "duty officer, admin",
                [],
            ),
            "get": ("The maps' current focus", VIEWER, []),
        },
    ),
    r"/api/v1/video/roster": (
        "/api/v1/video/roster",
        {
            "get": (
                "Bridge points: online, in call, muted, link statistics; program, pins",
                VIEWER,
                [],
            )
        },
    ),
    r"/api/v1/video/points/([a-z0-9-]{1,48})/mute": (
        "/api/v1/video/points/{point_id}/mute",
        {"post": ("Mute or unmute a bridge point: {muted: bool}", "duty officer, admin", [])},
    ),
    r"/api/v1/video/points/([a-z0-9-]{1,48})/end": (
        "/api/v1/video/points/{point_id}/end",
        {"post": ("End a bridge point's call", "duty officer, admin", [])},
    ),
    r"/api/v1/video/program": (
        "/api/v1/video/program",
        {
            "post": (
                "What the points see: {source: 'room' or a point id}",
                "duty officer, admin",
                [],
            )
        },
    ),
    r"/api/v1/video/pins": (
        "/api/v1/video/pins",
        {
            "post": (
                "Pin a source to a wall tile: {tile, source: point id, 'active', 'program' or null}",
                "duty officer, admin",
                [],
            )
        },
    ),
    r"/api/v1/credentials": (
        "/api/v1/credentials",
        {
            "get": (
                "Device credentials: kind, id, kid, generation, state, last use, address",
                "admin",
                [],
            )
        },
    ),
}

_ERROR = {
    "description": "Every error: {error: {code, message, details}}",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for template, methods in ROUTE_DOCS.values():
        item: dict[str, Any] = {}
        for method, (summary, who, params) in methods.items():
            operation: dict[str, Any] = {
                "summary": summary,
                "description": f"Who may call: {who}.",
                "parameters": params,
                "responses": {"200": {"description": "OK"}, "default": _ERROR},
            }
            if "{switch_id}" in template:
                operation["parameters"] = [
                    {
                        "name": "switch_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ]
            if template == "/api/v1/observations":
                operation["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"observations": {"type": "array", "items": _ROW}},
                            }
                        },
                        "text/csv": {"schema": {"type": "string"}},
                    },
                }
            item[method] = operation
        paths[template] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "command_center: operations-centre wall API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
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
    """Every JSON route the server registers, in the order it registers them."""
    return [
        *API_ROUTES,
        *OBSERVATION_ROUTES,
        *OPENAPI_ROUTES,
        *MAP_ROUTES,
        *VIDEO_API_ROUTES,
        *CREDENTIALS_ROUTES,
    ]
