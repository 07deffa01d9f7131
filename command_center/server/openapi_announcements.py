"""The OpenAPI description of ``/api/v1/announcements`` (``announcements_api.py``), merged
into ``openapi_routes.ROUTE_DOCS``."""

from __future__ import annotations

from command_center.server.announcements_api import (
    ID_PATTERN,
    MAX_ACTIVE,
    MAX_EXPIRY_S,
    MAX_TEXT,
    MIN_EXPIRY_S,
    SEVERITIES,
)
from command_center.server.openapi_schema import (
    NUM,
    OPERATE,
    READ,
    STR,
    VIEWER,
    Operation,
    json,
    list_of,
    obj,
)

_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}
_BODY = {
    **obj(
        ["text_vi", "text_en", "severity"],
        text_vi=_TEXT,
        text_en=_TEXT,
        severity={"enum": list(SEVERITIES)},
        expires_in_s={"type": ["number", "null"], "minimum": MIN_EXPIRY_S, "maximum": MAX_EXPIRY_S},
        zone={"type": ["string", "null"]},
    ),
    "additionalProperties": False,
}
_ANNOUNCEMENT = obj(
    ["id", "text_vi", "text_en", "severity", "expires_at", "since", "screens", "zone"],
    id=STR,
    text_vi=STR,
    text_en=STR,
    severity=STR,
    expires_at={"type": ["number", "null"]},
    since=NUM,
    screens={"type": "array", "items": STR},
    zone={"type": ["string", "null"]},
)
_ID = {
    "name": "announcement_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": f"^{ID_PATTERN}$"},
}

ANNOUNCEMENT_DOCS: dict[str, tuple[str, dict[str, Operation]]] = {
    r"/api/v1/announcements": (
        "/api/v1/announcements",
        {
            "post": Operation(
                "Put an announcement on the wall: {text_vi, text_en, severity: info, warning "
                "or critical, expires_in_s: seconds or null (until withdrawn), zone: a zone "
                "of the wall or null (every screen)} -> 201 with Location; audited; 409 "
                f"too_many_announcements past {MAX_ACTIVE} at once",
                "duty officer, admin",
                body=json(_BODY),
                ok={"201": _ANNOUNCEMENT},
                ok_headers=("Location",),
                errors=(*OPERATE, 409, 503),
            ),
            "get": Operation(
                "The announcements on the wall now, most serious first",
                VIEWER,
                ok={"200": list_of("announcements")},
                errors=READ,
            ),
        },
    ),
    rf"/api/v1/announcements/({ID_PATTERN})": (
        "/api/v1/announcements/{announcement_id}",
        {
            "delete": Operation(
                "Withdraw an announcement from every screen; audited",
                "duty officer, admin",
                params=[_ID],
                ok={"200": obj(["withdrawn"], withdrawn=STR)},
                errors=(*READ, 404, 503),
            )
        },
    ),
}
