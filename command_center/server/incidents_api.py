"""Search-and-rescue incidents under ``/api/v1/incidents``.

Reporting: ``POST /api/v1/incidents`` with ``Authorization: Bearer <agency id>:<token>`` (the
same agency credential as observations), body ``{"incidents": [row]}``; all-or-nothing, each
bad field named (``feeds.incidents``). Only the national search-and-rescue centre (anywhere)
and the provincial People's Committees (their own province) report incidents. Accepted means
stored durably, then announced on the bus (``IncidentsAccepted``) for every map.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from command_center.auth import Permission
from command_center.bus import Bus
from command_center.errors import RequestError
from command_center.json_text import parse_json_off_loop
from command_center.messages import IncidentsAccepted
from command_center.server.agency_credential import verified_agency
from command_center.server.body_limit import MAX_INCIDENTS_BODY
from command_center.server.http_base import JsonHandler
from command_center.server.keys import Keys
from feeds.incident_store import IncidentStore
from feeds.incident_store.base import MAX_PAGE, PAGE
from feeds.incidents import (
    Incident,
    check_size,
    incident_json,
    incident_provinces,
    validate_incidents,
)
from feeds.loader import FeedsSpec

MAX_BODY = MAX_INCIDENTS_BODY
# Incidents one agency may hold; resolved ones leave with the retention (a real centre sees
# tens a day: this stops a runaway script, not a typhoon season).
QUOTA = 5000


async def store_and_announce(
    incidents: IncidentStore, bus: Bus, agency: str, batch: list[Incident]
) -> list[Incident]:
    """Store a checked batch (durable when it returns), then tell every process what
    changed; the changed incidents. The API and the scripted scenarios report through it."""
    changed = await incidents.upsert(batch, QUOTA)
    if changed:
        await bus.publish(
            IncidentsAccepted(
                agency=agency,
                incidents=[i.model_dump(mode="json") for i in changed],
                ts=time.time() * 1000.0,
            )
        )
    return changed


class IncidentsHandler(JsonHandler):
    body_limit = MAX_BODY
    _agency = ""

    async def authenticate(self) -> None:
        # Agency credential from the headers, before the body is read.
        self._agency = await self.agency()

    def initialize(self, feeds: FeedsSpec, incidents: IncidentStore, bus: Bus, keys: Keys) -> None:
        self.feeds = feeds
        self.incidents = incidents
        self.bus = bus
        self.keys = keys

    async def agency(self) -> str:
        return await verified_agency(
            self.request.headers.get("Authorization", ""),
            self.feeds.agencies,
            self.keys.devices,
            self.request.remote_ip,
            "reporting incidents",
        )

    async def post(self) -> None:
        agency = self._agency
        provinces = incident_provinces(self.feeds.agencies.get(agency))  # 403 if not allowed
        body = self.body  # at most MAX_BODY: refused in prepare otherwise
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise RequestError(f"Content-Type must be application/json (got '{ctype or 'none'}')")
        payload = await parse_json_off_loop(body)
        rows = payload.get("incidents") if isinstance(payload, dict) else None
        if not isinstance(rows, list) or set(payload) != {"incidents"}:
            raise RequestError(
                'body must be {"incidents": [...]} and nothing else',
                [{"field": "incidents", "expected": "a list of rows", "got": type(rows).__name__}],
            )
        check_size(len(rows))
        now = datetime.now(UTC)
        batch = validate_incidents(rows, agency, provinces, now)
        changed = await store_and_announce(self.incidents, self.bus, agency, batch)
        self.write_json(
            {
                "agency": agency,
                "rows": len(batch),
                "accepted": len(changed),
                "duplicates": len(batch) - len(changed),
                "received_at": now.timestamp() * 1000.0,
            },
            201 if changed else 200,
        )

    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        raw = self.get_query_argument("since", None)
        since: float | None = None
        if raw:
            try:
                since = float(raw)
            except ValueError:
                raise RequestError(
                    f"'since' must be ms since the epoch (got '{raw}')",
                    [{"field": "since", "expected": "a number", "got": raw}],
                ) from None
        limit = _whole("limit", self.get_query_argument("limit", str(PAGE)), 1, MAX_PAGE)
        before_raw = self.get_query_argument("before", None)
        before = None if before_raw is None else _ms("before", before_raw)
        found = await self.incidents.incidents(since, limit, before)
        page: dict[str, object] = {"incidents": [incident_json(i) for i in found]}
        if len(found) == limit:  # maybe more: the next page starts before the last one
            page["next"] = f"/api/v1/incidents?limit={limit}&before={found[-1].occurred_at:.0f}"
        self.write_json(page)


def _whole(name: str, raw: str, low: int, high: int) -> int:
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise RequestError(
            f"'{name}' must be a whole number from {low} to {high} (got '{raw}')",
            [{"field": name, "expected": f"{low}..{high}", "got": raw}],
        )
    return int(raw)


def _ms(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise RequestError(
            f"'{name}' must be ms since the epoch (got '{raw}')",
            [{"field": name, "expected": "a number", "got": raw}],
        ) from None


INCIDENT_ROUTES: list[tuple[str, type[IncidentsHandler]]] = [
    (r"/api/v1/incidents", IncidentsHandler),
]
