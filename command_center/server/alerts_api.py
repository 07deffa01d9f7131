"""``/api/v1/alerts`` and ``/api/v1/wall/lock``: the alert list, acknowledging, snoozing,
and the officer's lock on the wall (while locked no rule switches it).

    GET    /api/v1/alerts               viewer and up: active first, then the history
    POST   /api/v1/alerts/<id>/ack      duty officer, admin
    POST   /api/v1/alerts/<id>/snooze   duty officer, admin; {"seconds": 60..14400}
    GET    /api/v1/wall/lock            viewer and up
    POST   /api/v1/wall/lock            duty officer, admin
    DELETE /api/v1/wall/lock            duty officer, admin
"""

from __future__ import annotations

from typing import Any

from command_center.auth import Permission
from command_center.errors import RequestError
from command_center.server.alerts import MAX_SNOOZE_S, WallAlerts
from command_center.server.http_base import JsonHandler
from command_center.server.keys import Keys
from layouts.alert_state import AlertRecord

# "<rule>:<subject>"; the handler answers 404 for an id it does not keep.
ALERT_ID = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}"
SMALL_BODY = 1024


def alert_json(record: AlertRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "rule": record.rule,
        "title": {"vi": record.title_vi, "en": record.title_en},
        "priority": record.priority,
        "state": record.state,
        "raised_at": record.raised_at,
        "cleared_at": record.cleared_at,
        "ended_at": record.ended_at,
        "acknowledged_by": record.acknowledged_by,
        "acknowledged_at": record.acknowledged_at,
        "snoozed_until": record.snoozed_until,
        "values": record.values,
    }


def alerts_listed(records: dict[str, AlertRecord]) -> list[dict[str, Any]]:
    """Holding alerts first (highest priority, newest), then the ended ones, newest first."""
    ordered = sorted(
        records.values(),
        key=lambda r: (r.ended_at is None, r.priority if r.ended_at is None else 0, r.raised_at),
        reverse=True,
    )
    return [alert_json(r) for r in ordered]


class _AlertsHandler(JsonHandler):
    body_limit = SMALL_BODY

    def initialize(self, alerts: WallAlerts, keys: Keys) -> None:
        self.alerts = alerts
        self.keys = keys


class AlertsHandler(_AlertsHandler):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        self.write_json(
            {
                "alerts": alerts_listed(await self.alerts.records()),
                "locked": await self.alerts.locked_by(),
            }
        )


class AckHandler(_AlertsHandler):
    async def post(self, alert_id: str) -> None:
        who = await self.require(Permission.SWITCH_LAYOUT)
        record = await self.alerts.acknowledge(alert_id, who)
        self.write_json({"alert": alert_json(record)})


class SnoozeHandler(_AlertsHandler):
    async def post(self, alert_id: str) -> None:
        who = await self.require(Permission.SWITCH_LAYOUT)
        body = self.json_body()
        seconds = body.get("seconds")
        if (
            set(body) != {"seconds"}
            or not isinstance(seconds, int | float)
            or isinstance(seconds, bool)
            or not 60 <= seconds <= MAX_SNOOZE_S
        ):
            raise RequestError(
                f'body must be {{"seconds": 60..{MAX_SNOOZE_S}}} and nothing else',
                [
                    {
                        "field": "seconds",
                        "expected": f"60..{MAX_SNOOZE_S}",
                        "got": body.get("seconds"),
                    }
                ],
            )
        record = await self.alerts.snooze(alert_id, float(seconds), who)
        self.write_json({"alert": alert_json(record)})


class LockHandler(_AlertsHandler):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        self.write_json({"locked": await self.alerts.locked_by()})

    async def post(self) -> None:
        who = await self.require(Permission.SWITCH_LAYOUT)
        self.write_json({"locked": await self.alerts.lock(who)})

    async def delete(self) -> None:
        who = await self.require(Permission.SWITCH_LAYOUT)
        await self.alerts.unlock(who)
        self.write_json({"locked": None})


ALERT_ROUTES: list[tuple[str, type[_AlertsHandler]]] = [
    (r"/api/v1/alerts", AlertsHandler),
    (rf"/api/v1/alerts/({ALERT_ID})/ack", AckHandler),
    (rf"/api/v1/alerts/({ALERT_ID})/snooze", SnoozeHandler),
    (r"/api/v1/wall/lock", LockHandler),
]


def alert_routes(
    alerts: WallAlerts, keys: Keys
) -> list[tuple[str, type[JsonHandler], dict[str, Any]]]:
    deps = {"alerts": alerts, "keys": keys}
    return [(pattern, handler, deps) for pattern, handler in ALERT_ROUTES]
