"""``GET /api/v1/openapi.json``: an OpenAPI 3.1 description of every API route served (the
JSON API and WHIP/WHEP signalling).

The routes are described by hand in ``openapi_routes.py`` (summaries, parameters, who may
call; shared pieces in ``openapi_schema.py``), keyed by the same route patterns the server
registers; this module turns them into the document, with one error envelope for every
error status, and lists the routes served.
"""

from __future__ import annotations

from typing import Any

from command_center.server.alerts_api import ALERT_ROUTES
from command_center.server.announcements_api import ANNOUNCEMENT_ROUTES
from command_center.server.api import API_ROUTES, ApiHandler
from command_center.server.credentials_api import CREDENTIALS_ROUTES
from command_center.server.history_api import HISTORY_ROUTES
from command_center.server.http_base import JsonHandler
from command_center.server.map_routes import MAP_ROUTES
from command_center.server.observations_api import OBSERVATION_ROUTES
from command_center.server.openapi_routes import ROUTE_DOCS
from command_center.server.openapi_schema import Operation
from command_center.server.recordings_api import RECORDING_ROUTES
from command_center.server.replay_routes import REPLAY_API_ROUTES
from command_center.server.video_routes import (
    SERVERS_ROUTES,
    SIGNALLING_ROUTES,
    VIDEO_API_ROUTES,
)

__all__ = ["OPENAPI_ROUTES", "ROUTE_DOCS", "openapi_document", "served_routes"]

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
    502: "A part this route asks (the wall's own history API) failed",
    504: "Took longer than this route allows",
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
        *ALERT_ROUTES,
        *ANNOUNCEMENT_ROUTES,
        *HISTORY_ROUTES,
        *RECORDING_ROUTES,
        *REPLAY_API_ROUTES,
    ]
