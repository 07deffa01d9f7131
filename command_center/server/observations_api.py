"""The agencies' ingestion route and the read routes of the reporting data, under ``/api/v1``.

Reporting: ``POST /api/v1/observations`` with ``Authorization: Bearer <agency id>:<token>``,
the token being ``keys.devices.issue("agency", <agency id>)`` (print them with
``run_wall.py agency-tokens``). The id travels inside the credential, so an agency keeps one
secret string and no header can claim one agency while signing as another. A console
session is refused with 403: people read, agencies report.

Reading needs ``view_wall`` (a console session or its Bearer token), as the rest of the API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from command_center.auth import Permission, authorize
from command_center.bus import Bus
from command_center.errors import AuthError, NotFoundError, RequestError, UnsupportedMediaType
from command_center.json_text import ON_LOOP_BYTES, parse_json_off_loop
from command_center.server.agency_credential import verified_agency
from command_center.server.body_limit import MAX_OBSERVATIONS_BODY
from command_center.server.http_base import JsonHandler
from command_center.server.ingest_counters import IngestCounters
from command_center.server.keys import Keys
from feeds.acceptance import store_and_announce
from feeds.csv_batch import parse_csv
from feeds.ingest import check_size, not_a_row_list, validate_batch
from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from feeds.observations import Observation
from feeds.reporting_status import expected_reports, reporting_status

log = logging.getLogger(__name__)

MAX_BATCH_BYTES = MAX_OBSERVATIONS_BODY  # 10,000 rows with notes fit with room to spare
THREAD_ABOVE_ROWS = 500  # validate bigger batches off the event loop: screens keep flushing

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ObservationsBase(JsonHandler):
    def initialize(
        self,
        feeds: FeedsSpec,
        observations: ObservationStore,
        bus: Bus,
        keys: Keys,
        clock: Clock = utc_now,
        counters: IngestCounters | None = None,
    ) -> None:
        self.feeds = feeds
        self.observations = observations
        self.bus = bus
        self.keys = keys
        self.clock = clock
        self.counters = counters

    def query(self, name: str, required: bool = False) -> str | None:
        value = self.get_query_argument(name, None)
        if required and not value:
            raise RequestError(
                f"query parameter '{name}' is required",
                [{"field": name, "expected": "a value", "got": value}],
            )
        return value or None

    def indicator_param(self, required: bool) -> str | None:
        code = self.query("indicator", required)
        if code is not None and code not in self.feeds.catalogue:
            try:
                self.feeds.catalogue.get(code)
            except KeyError as exc:
                raise NotFoundError(
                    str(exc.args[0]), [{"field": "indicator", "got": code}]
                ) from None
        return code


class ObservationsHandler(ObservationsBase):
    body_limit = MAX_BATCH_BYTES
    _agency = ""

    async def authenticate(self) -> None:
        # The agency is known from the headers: a stranger's 16 MB is never read.
        self._agency = await self.agency()

    async def post(self) -> None:
        agency = self._agency
        rows, lines = await self.rows()
        reporter = self.feeds.reporter(agency)
        now = self.clock()
        args = (rows, self.feeds.catalogue, reporter, now, lines)
        if len(rows) > THREAD_ABOVE_ROWS:
            batch = await asyncio.to_thread(validate_batch, *args)
        else:
            batch = validate_batch(*args)
        result = await store_and_announce(self.observations, self.bus, agency, batch)
        if self.counters is not None:
            self.counters.stored(agency, len(result.accepted), result.duplicates)
        self.write_json(
            {
                "agency": agency,
                "rows": len(batch),
                "accepted": len(result.accepted),
                "duplicates": result.duplicates,
                "received_at": now.timestamp() * 1000.0,
            },
            201 if result.accepted else 200,
        )

    def on_finish(self) -> None:
        status = self.get_status()
        if status >= 400 and self.counters is not None:
            self.counters.refused_batch(status)
        super().on_finish()

    async def agency(self) -> str:
        header = self.request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        if header and scheme.lower() == "bearer" and ":" not in credential:
            # A session token: only an account of role reporting_agency named as an agency.
            principal = authorize(await self.principal(), Permission.REPORT_DATA)
            if principal.name not in self.feeds.agencies:
                raise AuthError(f"account '{principal.name}' is not a registered agency")
            return principal.name
        return await verified_agency(
            header, self.feeds.agencies, self.keys.devices, self.request.remote_ip, "reporting"
        )

    async def rows(self) -> tuple[list[Any], list[int] | None]:
        body = self.body  # at most MAX_BATCH_BYTES: refused in prepare otherwise
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype == "text/csv":
            # A big CSV is parsed in a thread: the loop serves every screen meanwhile.
            big = len(body) > ON_LOOP_BYTES
            parsed = await asyncio.to_thread(parse_csv, body) if big else parse_csv(body)
            return parsed.rows, parsed.lines
        if ctype != "application/json":
            raise UnsupportedMediaType(
                f"Content-Type must be application/json or text/csv (got '{ctype or 'none'}')"
            )
        payload = await parse_json_off_loop(body)
        rows = payload.get("observations") if isinstance(payload, dict) else None
        if not isinstance(rows, list) or set(payload) != {"observations"}:
            raise RequestError(
                'body must be {"observations": [...]} and nothing else',
                not_a_row_list(rows),
            )
        check_size(len(rows))
        return rows, None


class IndicatorsHandler(ObservationsBase):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        self.write_json({"indicators": [i.model_dump(mode="json") for i in self.feeds.catalogue]})


class LatestHandler(ObservationsBase):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        found = await self.observations.latest(self.indicator_param(False), self.query("area"))
        self.write_json({"observations": [dump(o) for o in found]})


class SeriesHandler(ObservationsBase):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        indicator = self.indicator_param(True)
        assert indicator is not None
        area = self.query("area") or "VN"
        found = await self.observations.series(
            indicator, area, self.query("from"), self.query("to")
        )
        self.write_json(
            {"indicator": indicator, "area": area, "observations": [dump(o) for o in found]}
        )


class ReportingStatusHandler(ObservationsBase):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        period = self.query("period")
        now = self.clock()
        try:
            expected = expected_reports(self.feeds, period, now)
        except ValueError as exc:
            raise RequestError(str(exc), [{"field": "period", "got": period}]) from None
        reported = await self.observations.reported(*sorted({e.period.key for e in expected}))
        entries = reporting_status(expected, reported, now)
        counts: dict[str, int] = {}
        for e in entries:
            counts[e.status] = counts.get(e.status, 0) + 1
        self.write_json(
            {
                "period": period,
                "now": now.timestamp() * 1000.0,
                "summary": counts,
                "entries": [
                    {**e.__dict__, "deadline": e.deadline.timestamp() * 1000.0} for e in entries
                ],
            }
        )


def dump(o: Observation) -> dict[str, Any]:
    return {**o.model_dump(mode="json"), "area_key": o.area.key}


OBSERVATION_ROUTES: list[tuple[str, type[ObservationsBase]]] = [
    (r"/api/v1/observations", ObservationsHandler),
    (r"/api/v1/observations/latest", LatestHandler),
    (r"/api/v1/series", SeriesHandler),
    (r"/api/v1/indicators", IndicatorsHandler),
    (r"/api/v1/reporting-status", ReportingStatusHandler),
]
