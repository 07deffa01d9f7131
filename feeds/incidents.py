"""Search-and-rescue incidents: what an incident is, who may report one, and the checks.

    RequestError (command_center.errors)
    ├── BatchRejected (feeds.ingest)
    │   └── IncidentsRejected   422 invalid_incidents: one ``RowProblem`` per bad field, all at once
    └── BatchTooLarge       413 batch_too_large (feeds.ingest): more than ``MAX_INCIDENTS`` rows

An incident is keyed by (reporting agency, the agency's own ``id``): posting the same id
again with a new ``status`` or ``people_deployed`` updates it. A row is a flat mapping:
``id``, ``kind``, ``status``, ``occurred_at`` (ISO 8601 with a time zone), ``province``
(GSO code of the 34-unit list), ``lat``, ``lon``, ``people_deployed``, optional ``note``.

Who may report: a centre (the National Search and Rescue Operations Centre,
``trung_tam_tkcn``) anywhere; a provincial People's Committee in its own province; nobody
else. Pure: callers pass ``now``; nothing here reads a clock or a store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from command_center.errors import ForbiddenError
from command_center.spec_problems import did_you_mean
from feeds.agencies import Agency, AgencyKind
from feeds.ingest import BatchRejected, RowProblem
from feeds.ingest import check_size as batch_size_check
from geo import CodeList, codes

MAX_INCIDENTS = 1000
MAX_NOTE = 500
FIELDS = (
    "id",
    "kind",
    "status",
    "occurred_at",
    "province",
    "lat",
    "lon",
    "people_deployed",
    "note",
)
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Vietnam's land and the East Sea as far as Trường Sa: a point outside is a typo (swapped
# lat/lon, a missing minus) rather than a rescue.
LAT_RANGE = (5.0, 24.0)
LON_RANGE = (100.0, 118.0)
# A report may carry a clock a little ahead of ours; more than this is a wrong date.
FUTURE_SLACK = timedelta(minutes=10)


class IncidentKind(StrEnum):
    FLOOD = "flood"
    LANDSLIDE = "landslide"
    STORM = "storm"
    MARITIME = "maritime"
    FIRE = "fire"
    COLLAPSE = "collapse"
    TRAFFIC = "traffic"
    AVIATION = "aviation"
    MISSING_PERSON = "missing_person"
    OTHER = "other"


KIND_LABELS: Mapping[IncidentKind, tuple[str, str]] = {
    IncidentKind.FLOOD: ("Lũ, ngập lụt", "Flood"),
    IncidentKind.LANDSLIDE: ("Sạt lở đất", "Landslide"),
    IncidentKind.STORM: ("Bão, áp thấp nhiệt đới", "Storm"),
    IncidentKind.MARITIME: ("Sự cố trên biển", "Incident at sea"),
    IncidentKind.FIRE: ("Cháy, nổ", "Fire, explosion"),
    IncidentKind.COLLAPSE: ("Sập đổ công trình", "Structural collapse"),
    IncidentKind.TRAFFIC: ("Tai nạn giao thông", "Traffic accident"),
    IncidentKind.AVIATION: ("Sự cố hàng không", "Aviation incident"),
    IncidentKind.MISSING_PERSON: ("Người mất tích", "Missing person"),
    IncidentKind.OTHER: ("Sự cố khác", "Other incident"),
}


class IncidentStatus(StrEnum):
    REPORTED = "reported"  # tiếp nhận: received, no team on site yet
    RESPONDING = "responding"  # đang tìm kiếm cứu nạn: teams deployed
    RESOLVED = "resolved"  # đã kết thúc


STATUS_LABELS: Mapping[IncidentStatus, tuple[str, str]] = {
    IncidentStatus.REPORTED: ("Mới tiếp nhận", "Reported"),
    IncidentStatus.RESPONDING: ("Đang cứu nạn", "Responding"),
    IncidentStatus.RESOLVED: ("Đã kết thúc", "Resolved"),
}


class Incident(BaseModel):
    """One incident's latest state as reported. Times in ms since the epoch."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=ID_PATTERN.pattern)
    agency: str
    kind: IncidentKind
    status: IncidentStatus
    occurred_at: float
    province: str = Field(pattern=r"^\d{2}$")  # gso-34
    lat: float
    lon: float
    people_deployed: int = Field(ge=0)
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    received_at: float

    @property
    def key(self) -> str:
        """``agency|id``: two agencies may use the same reference."""
        return f"{self.agency}|{self.id}"

    def same_report(self, other: Incident) -> bool:
        """Equal but for when it was received: a repeat, not news."""
        return self.model_dump(exclude={"received_at"}) == other.model_dump(exclude={"received_at"})


class IncidentsRejected(BatchRejected):
    code = "invalid_incidents"
    subject = "incidents"


def incident_provinces(agency: Agency) -> frozenset[str] | None:
    """The provinces ``agency`` may report incidents in (None: everywhere); ForbiddenError
    for an agency that does not report incidents."""
    if agency.kind is AgencyKind.CENTRE:
        return None
    if agency.kind is AgencyKind.PROVINCE and agency.province is not None:
        return frozenset({agency.province})
    raise ForbiddenError(
        f"agency '{agency.id}' does not report search-and-rescue incidents "
        "(the national search-and-rescue centre and the provincial People's Committees do)"
    )


def check_size(count: int) -> None:
    batch_size_check(count, MAX_INCIDENTS, "incidents")


def validate_incidents(
    rows: Sequence[object],
    agency: str,
    provinces: frozenset[str] | None,
    now: datetime,
) -> list[Incident]:
    """Typed incidents stamped with ``now``, or ``IncidentsRejected`` naming every problem."""
    check_size(len(rows))
    received_at = now.timestamp() * 1000.0
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    out: list[Incident] = []
    for index, raw in enumerate(rows):
        row = _Row(index)
        incident = row.check(raw, agency, provinces, now, received_at)
        if incident is not None:
            first = seen.setdefault(incident.id, index)
            if first != index:
                row.add(
                    "id", "duplicate", f"each id once per batch; row {first} has it", incident.id
                )
            else:
                out.append(incident)
        problems += row.problems
    if problems:
        raise IncidentsRejected(problems)
    return out


class _Row:
    def __init__(self, index: int) -> None:
        self.index = index
        self.problems: list[RowProblem] = []

    def add(self, field: str, problem: str, expected: str, got: Any) -> None:
        self.problems.append(RowProblem(self.index, field, problem, expected, got))

    def check(
        self,
        raw: object,
        agency: str,
        provinces: frozenset[str] | None,
        now: datetime,
        received_at: float,
    ) -> Incident | None:
        if not isinstance(raw, Mapping):
            self.add("row", "not_an_object", "an object with " + ", ".join(FIELDS), raw)
            return None
        for name in sorted(set(raw) - set(FIELDS)):
            self.add(name, "unknown_field", "one of " + ", ".join(FIELDS), raw[name])
        ident = self._id(raw.get("id"))
        kind = self._choice("kind", raw.get("kind"), IncidentKind)
        status = self._choice("status", raw.get("status"), IncidentStatus)
        occurred = self._time(raw.get("occurred_at"), now)
        province = self._province(raw.get("province"), provinces, agency)
        lat = self._coordinate("lat", raw.get("lat"), LAT_RANGE)
        lon = self._coordinate("lon", raw.get("lon"), LON_RANGE)
        people = self._people(raw.get("people_deployed"))
        note = self._note(raw.get("note"))
        if self.problems:
            return None
        assert ident and kind and status and occurred is not None and province
        assert lat is not None and lon is not None and people is not None
        return Incident(
            id=ident,
            agency=agency,
            kind=IncidentKind(kind),
            status=IncidentStatus(status),
            occurred_at=occurred,
            province=province,
            lat=lat,
            lon=lon,
            people_deployed=people,
            note=note,
            received_at=received_at,
        )

    def _id(self, raw: object) -> str | None:
        if isinstance(raw, str) and ID_PATTERN.match(raw):
            return raw
        self.add("id", "bad_id", "the agency's reference: 1-64 of A-Z a-z 0-9 . _ -", raw)
        return None

    def _choice(self, field: str, raw: object, allowed: type[StrEnum]) -> str | None:
        values = [m.value for m in allowed]
        if isinstance(raw, str) and raw in values:
            return raw
        hint = did_you_mean(raw, values)
        self.add(field, f"unknown_{field}", f"one of {', '.join(values)} ({hint})", raw)
        return None

    def _time(self, raw: object, now: datetime) -> float | None:
        moment: datetime | None = None
        if isinstance(raw, str):
            try:
                moment = datetime.fromisoformat(raw)
            except ValueError:
                moment = None
        if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
            self.add(
                "occurred_at",
                "bad_time",
                "ISO 8601 with a time zone, e.g. 2026-10-19T07:30:00+07:00",
                raw,
            )
            return None
        if moment > now + FUTURE_SLACK:
            self.add("occurred_at", "in_future", f"no later than {now.isoformat()}", raw)
            return None
        return moment.timestamp() * 1000.0

    def _province(self, raw: object, provinces: frozenset[str] | None, agency: str) -> str | None:
        known = codes(CodeList.NEW_34)
        if not isinstance(raw, str) or raw not in known:
            hint = did_you_mean(raw, known)
            self.add("province", "unknown_province", f"a GSO code of gso-34 ({hint})", raw)
            return None
        if provinces is not None and raw not in provinces:
            allowed = ", ".join(sorted(provinces))
            self.add(
                "province",
                "not_permitted",
                f"a province agency '{agency}' reports incidents in ({allowed})",
                raw,
            )
            return None
        return raw

    def _coordinate(self, field: str, raw: object, bounds: tuple[float, float]) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            self.add(field, "not_a_number", "a finite number in decimal degrees", raw)
            return None
        if not bounds[0] <= raw <= bounds[1]:
            self.add(field, "out_of_range", f"from {bounds[0]} to {bounds[1]}", raw)
            return None
        return float(raw)

    def _people(self, raw: object) -> int | None:
        if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 1_000_000:
            return raw
        self.add("people_deployed", "bad_count", "a whole number from 0 to 1000000", raw)
        return None

    def _note(self, raw: object) -> str | None:
        if raw in (None, ""):
            return None
        if isinstance(raw, str) and len(raw) <= MAX_NOTE:
            return raw
        self.add("note", "bad_note", f"text of at most {MAX_NOTE} characters", raw)
        return None


def incident_json(incident: Incident) -> dict[str, Any]:
    """As the map's layer draws it (and the console lists it), labels included."""
    kind_vi, kind_en = KIND_LABELS[incident.kind]
    status_vi, status_en = STATUS_LABELS[incident.status]
    return {
        **incident.model_dump(mode="json"),
        "kind_vi": kind_vi,
        "kind_en": kind_en,
        "status_vi": status_vi,
        "status_en": status_en,
    }
