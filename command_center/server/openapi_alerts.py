"""The OpenAPI description of the alert routes (``alerts_api.py``), merged into
``openapi_routes.ROUTE_DOCS``."""

from __future__ import annotations

from command_center.server.alerts_api import ALERT_ID
from command_center.server.openapi_schema import (
    NUM,
    OPERATE,
    READ,
    VIEWER,
    Operation,
    json,
    list_of,
    obj,
    path,
)

OFFICER = "duty officer, admin"
ALERT = path("alert_id", "an alert: '<rule>:<subject>' (GET /api/v1/alerts)", "big-incident:x")
ONE = obj(["alert"], alert=obj(["id", "rule", "state"]))
LOCK = obj(["locked"], locked={"type": ["object", "null"]})

ALERT_DOCS: dict[str, tuple[str, dict[str, Operation]]] = {
    r"/api/v1/alerts": (
        "/api/v1/alerts",
        {
            "get": Operation(
                "The alerts: holding ones first (highest priority, newest), then the last "
                "ended ones; and who locked the wall",
                VIEWER,
                ok={"200": {**list_of("alerts"), **LOCK, "required": ["alerts", "locked"]}},
                errors=READ,
            )
        },
    ),
    rf"/api/v1/alerts/({ALERT_ID})/ack": (
        "/api/v1/alerts/{alert_id}/ack",
        {
            "post": Operation(
                "Acknowledge an alert (a rule reverting on acknowledgement lets the wall go "
                "back); 409 if it already was; audited",
                OFFICER,
                [ALERT],
                ok={"200": ONE},
                errors=(*OPERATE, 409),
            )
        },
    ),
    rf"/api/v1/alerts/({ALERT_ID})/snooze": (
        "/api/v1/alerts/{alert_id}/snooze",
        {
            "post": Operation(
                "Snooze an alert {seconds: 60..14400}: it holds nothing until then; audited",
                OFFICER,
                [ALERT],
                body=json({**obj(["seconds"], seconds=NUM), "additionalProperties": False}),
                ok={"200": ONE},
                errors=OPERATE,
            )
        },
    ),
    r"/api/v1/wall/lock": (
        "/api/v1/wall/lock",
        {
            "get": Operation("Who locked the wall, or null", VIEWER, ok={"200": LOCK}, errors=READ),
            "post": Operation(
                "Lock the wall: no rule switches it while locked; audited",
                OFFICER,
                ok={"200": LOCK},
                errors=OPERATE,
            ),
            "delete": Operation(
                "Unlock the wall: the rules take over again; audited",
                OFFICER,
                ok={"200": LOCK},
                errors=OPERATE,
            ),
        },
    ),
}
