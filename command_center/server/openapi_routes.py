"""What every API route does, by the route pattern the server registers: summary, who may
call, parameters, bodies and error statuses, written by hand (``openapi_schema.py`` holds the
shared pieces). tests/integration/test_observations_api.py fails when a served route or
method is missing here, or described but not served."""

from __future__ import annotations

from command_center.server.openapi_alerts import ALERT_DOCS
from command_center.server.openapi_announcements import ANNOUNCEMENT_DOCS
from command_center.server.openapi_history import HISTORY_DOCS
from command_center.server.openapi_recordings import RECORDING_DOCS
from command_center.server.openapi_replay import REPLAY_DOCS
from command_center.server.openapi_schema import (
    AGENCY,
    HEALTH,
    NUM,
    OBJECT,
    OPERATE,
    POINT,
    POINT_ID,
    PUBLIC,
    READ,
    REPORTED,
    ROW,
    SDP_BODY,
    SIGNAL_ERRORS,
    SOURCE,
    STR,
    VIEWER,
    Operation,
    hang_up,
    json,
    list_of,
    obj,
    q,
    trickle,
)
from feeds.incident_store.base import MAX_PAGE, PAGE

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
                ok={"200": HEALTH, "503": HEALTH},
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
                body=json(obj(["username", "password"], username=STR, password=STR)),
                ok={
                    "201": obj(
                        ["token", "username", "role", "expires_at", "idle_timeout_s"],
                        token=STR,
                        username=STR,
                        role=STR,
                        expires_at=NUM,
                        idle_timeout_s=NUM,
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
                ok={"200": obj(["ended", "username"], ended={"type": "boolean"}, username=STR)},
                errors=(400, 401),
            )
        },
    ),
    r"/api/v1/presets": (
        "/api/v1/presets",
        {"get": Operation("Layout presets", VIEWER, ok={"200": list_of("presets")}, errors=READ)},
    ),
    r"/api/v1/state": (
        "/api/v1/state",
        {"get": Operation("What the wall shows", VIEWER, errors=READ)},
    ),
    r"/api/v1/switch": (
        "/api/v1/switch",
        {
            "post": Operation(
                "Switch the layout: {preset, zone?} (no zone: the whole wall) -> 202 report",
                "duty officer, admin",
                body=json({**obj(["preset"], preset=STR, zone=STR), "additionalProperties": False}),
                ok={"202": OBJECT},
                errors=(*OPERATE, 409, 429, 503),
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
                errors=(*READ, 404),
            )
        },
    ),
    r"/api/v1/screens": (
        "/api/v1/screens",
        {
            "get": Operation(
                "Screens and their health", VIEWER, ok={"200": list_of("screens")}, errors=READ
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
                    q(
                        "limit",
                        "1 to 1000",
                        schema={"type": "integer", "minimum": 1, "maximum": 1000},
                    ),
                    q("actor", "only this actor", schema={"type": "string", "maxLength": 128}),
                    q("action", "only this action", schema={"type": "string", "maxLength": 128}),
                ],
                ok={"200": list_of("entries")},
                errors=READ,
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
                        "properties": {"observations": {"type": "array", "items": ROW}},
                    },
                    "text/csv": {"type": "string"},
                },
                ok={"200": REPORTED, "201": REPORTED},
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
                [q("indicator", "catalogue code"), q("area", "VN or gso-34:01")],
                ok={"200": list_of("observations")},
                errors=(*READ, 404),
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
                    q("indicator", "catalogue code", required=True),
                    q("area", "VN (default) or gso-34:01"),
                    q("from", "first period key, inclusive"),
                    q("to", "last period key, inclusive"),
                ],
                ok={"200": obj(["indicator", "area", "observations"])},
                errors=(*READ, 404),
            )
        },
    ),
    r"/api/v1/indicators": (
        "/api/v1/indicators",
        {
            "get": Operation(
                "The indicator catalogue", VIEWER, ok={"200": list_of("indicators")}, errors=READ
            )
        },
    ),
    r"/api/v1/reporting-status": (
        "/api/v1/reporting-status",
        {
            "get": Operation(
                "Who reported what for a period; who is overdue and by how long",
                VIEWER,
                [q("period", "a period key; default: each indicator's last due period")],
                ok={"200": obj(["period", "now", "summary", "entries"])},
                errors=READ,
            )
        },
    ),
    r"/api/v1/openapi.json": (
        "/api/v1/openapi.json",
        {"get": Operation("This document", PUBLIC, ok={"200": obj(["openapi", "paths"])})},
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
                body=json(
                    {
                        "type": "object",
                        "required": ["incidents"],
                        "additionalProperties": False,
                        "properties": {"incidents": {"type": "array", "items": OBJECT}},
                    }
                ),
                ok={"200": REPORTED, "201": REPORTED},
                errors=(400, 401, 403, 409, 413, 415, 422, 429, 503),
            ),
            "get": Operation(
                "Incidents, newest first, a page at a time ('next' names the following page)",
                VIEWER,
                [
                    q("since", "received at or after, ms since the epoch", schema=NUM),
                    q(
                        "limit",
                        f"page size, 1 to {MAX_PAGE} (default {PAGE})",
                        schema={"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                    ),
                    q("before", "occurred before, ms since the epoch", schema=NUM),
                ],
                ok={"200": list_of("incidents")},
                errors=READ,
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
                body=json(
                    {
                        **obj(["province"], province={"type": ["string", "null"]}),
                        "additionalProperties": False,
                    }
                ),
                ok={"202": obj(["focus"])},
                errors=OPERATE,
            ),
            "get": Operation(
                "The maps' current focus", VIEWER, ok={"200": obj(["focus"])}, errors=READ
            ),
        },
    ),
    r"/api/v1/video/roster": (
        "/api/v1/video/roster",
        {
            "get": Operation(
                "Bridge points: online, in call, muted, link statistics; program, pins",
                VIEWER + "; bridge points and screens are refused",
                errors=READ,
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
                ok={"200": obj(["servers"], servers={"type": "array", "items": STR})},
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
                [POINT_ID],
                body=json(obj(["muted"], muted={"type": "boolean"})),
                errors=(*OPERATE, 409),
            )
        },
    ),
    r"/api/v1/video/points/([a-z0-9-]{1,48})/end": (
        "/api/v1/video/points/{point_id}/end",
        {
            "post": Operation(
                "End a bridge point's call",
                "duty officer, admin",
                [POINT_ID],
                errors=(*OPERATE, 409),
            )
        },
    ),
    r"/api/v1/video/program": (
        "/api/v1/video/program",
        {
            "post": Operation(
                "What the points see: {source: 'room' or a point id}",
                "duty officer, admin",
                body=json(obj(["source"], source=STR)),
                errors=(*OPERATE, 409),
            )
        },
    ),
    r"/api/v1/video/pins": (
        "/api/v1/video/pins",
        {
            "post": Operation(
                "Pin a source to a wall tile: {tile, source: point id, 'active', 'program' or null}",
                "duty officer, admin",
                body=json(obj(["tile"], tile=STR, source={"type": ["string", "null"]})),
                errors=(*OPERATE, 409),
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
                [POINT],
                body=SDP_BODY,
                ok={"201": {"type": "string"}},
                ok_type="application/sdp",
                ok_headers=("Location", "ETag"),
                errors=(*SIGNAL_ERRORS, 406, 409, 429),
            )
        },
    ),
    r"/whip/([^/]+)/([^/]+)": (
        "/whip/{point_id}/{session_id}",
        {"patch": trickle(POINT), "delete": hang_up(POINT)},
    ),
    r"/whep/([^/]+)": (
        "/whep/{source}",
        {
            "post": Operation(
                "WHEP: watch a point, 'program' or 'active', an SDP offer (recvonly) -> 201 "
                "with the sendonly answer, Location and ETag; OPTIONS answers Accept-Post",
                "a screen ('screen:<id>:<token>'), a bridge point ('point:<id>:<token>'), "
                "viewer and up",
                [SOURCE],
                body=SDP_BODY,
                ok={"201": {"type": "string"}},
                ok_type="application/sdp",
                ok_headers=("Location", "ETag"),
                errors=(*SIGNAL_ERRORS, 406, 429),
            )
        },
    ),
    r"/whep/([^/]+)/([^/]+)": (
        "/whep/{source}/{session_id}",
        {"patch": trickle(SOURCE), "delete": hang_up(SOURCE)},
    ),
    r"/api/v1/credentials": (
        "/api/v1/credentials",
        {
            "get": Operation(
                "Device credentials: kind, id, kid, generation, state, last use, address",
                "admin",
                ok={"200": list_of("credentials")},
                errors=READ,
            )
        },
    ),
    **ALERT_DOCS,
    **ANNOUNCEMENT_DOCS,
    **HISTORY_DOCS,
    **RECORDING_DOCS,
    **REPLAY_DOCS,
}
