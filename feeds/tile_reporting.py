"""The reporting-status tile's data: for each indicator, the report now due, who reported,
who is overdue and by how long, by ``feeds.expected``'s rule (the API's too)
(``assets/wall/tiles/reporting-status.js``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from feeds.agencies import AgencyRegistry
from feeds.catalogue import Catalogue, Indicator
from feeds.expected import expected_for
from feeds.frequency import Frequency
from feeds.observations import Observation
from feeds.periods import Period, deadline_of, last_due_period, lateness
from feeds.tile_common import (
    NATIONAL_EN,
    NATIONAL_VI,
    agency_names,
    from_ms,
    indicator_names,
    latest_revisions,
    province_names,
    to_ms,
)
from feeds.tile_payloads import (
    MissingReport,
    NationalReport,
    OverdueAgency,
    ProvinceCount,
    ReportingStatusPayload,
    StatusRow,
)


def reporting_status_data(
    catalogue: Catalogue,
    observations: Iterable[Observation],
    now: datetime,
    agencies: AgencyRegistry | None = None,
    indicators: Iterable[str] = (),
    area: str | None = None,
    include_daily: bool = True,
    max_rows: int = 12,
) -> ReportingStatusPayload:
    """For each indicator, the report now due (the latest period whose deadline passed):
    the national value and every province expected, who reported, who is overdue and by
    how long (``overdue_ms`` at ``now``; the renderer keeps counting from ``deadline``).

    Rows: overdue first (longest first), then reports that came late, then complete.
    ``overdue_agencies`` lists every agency with a missing report, longest overdue first.
    """
    wanted = set(indicators)
    selected = [
        i
        for i in catalogue
        if (not wanted or i.code in wanted)
        and (area is None or i.area.value == area)
        and (include_daily or i.frequency is not Frequency.DAILY)
    ]
    latest = latest_revisions(observations)
    rows: list[StatusRow] = []
    agencies_overdue: dict[str, OverdueAgency] = {}
    next_change: datetime | None = None
    for indicator in selected:
        row = _status_row(indicator, latest, now, agencies, agencies_overdue)
        rows.append(row)
        upcoming = deadline_of(
            last_due_period(indicator.frequency, indicator.deadline, now).next(),
            indicator.deadline,
        )
        next_change = upcoming if next_change is None else min(next_change, upcoming)
    rows.sort(
        key=lambda r: (-r["overdue_ms"], -r["missing_count"], -r["late_count"], r["indicator"])
    )
    expected = sum(r["expected_count"] for r in rows)
    received = sum(r["expected_count"] - r["missing_count"] for r in rows)
    now_ms = to_ms(now)
    return {
        "generated_at": now_ms,
        "rows": rows[:max_rows],
        "hidden_rows": max(0, len(rows) - max_rows),
        "summary": {
            "indicators": len(rows),
            "complete": sum(1 for r in rows if r["missing_count"] == 0),
            "overdue": sum(1 for r in rows if r["missing_count"] > 0),
            "reports_expected": expected,
            "reports_received": received,
            "reports_missing": expected - received,
            "reports_late": sum(r["late_count"] for r in rows),
        },
        "overdue_agencies": sorted(
            agencies_overdue.values(), key=lambda a: (-a["overdue_ms"], a["agency"])
        ),
        # The table is as of its computation; it goes stale when the next report falls
        # due and nobody recomputed it.
        "as_of": now_ms,
        "stale_after_s": (
            None if next_change is None else max(0.0, (to_ms(next_change) - now_ms) / 1000.0)
        ),
    }


def _status_row(
    indicator: Indicator,
    latest: dict[tuple[str, str, str], Observation],
    now: datetime,
    agencies: AgencyRegistry | None,
    agencies_overdue: dict[str, OverdueAgency],
) -> StatusRow:
    rule = indicator.deadline
    period = last_due_period(indicator.frequency, rule, now)
    deadline = deadline_of(period, rule)
    overdue_ms = lateness(period, rule, now).total_seconds() * 1000.0
    owner_vi, owner_en = agency_names(agencies, indicator.owner)
    missing: list[MissingReport] = []
    late_count = 0

    def note_missing(agency_id: str, entry: MissingReport) -> None:
        missing.append(entry)
        record = agencies_overdue.setdefault(
            agency_id,
            {
                "agency": agency_id,
                "agency_vi": agency_names(agencies, agency_id)[0],
                "agency_en": agency_names(agencies, agency_id)[1],
                "indicators": [],
                "overdue_ms": 0.0,
            },
        )
        if indicator.code not in record["indicators"]:
            record["indicators"].append(indicator.code)
        record["overdue_ms"] = max(record["overdue_ms"], overdue_ms)

    national: NationalReport | None = None
    provinces: ProvinceCount | None = None
    owed = expected_for(indicator, period, agencies)
    for report in owed:
        obs = latest.get((indicator.code, report.area, period.key))
        arrived = _arrival_lateness(period, indicator, obs, now)
        late_count += 1 if arrived else 0
        where = report.province
        code: str | None = None
        if where is None:
            national = {
                "reported": obs is not None,
                "reported_at": obs.received_at if obs is not None else None,
                "agency": obs.agency if obs is not None else report.agency,
                "arrived_late_ms": arrived,
            }
            name_vi, name_en = NATIONAL_VI, NATIONAL_EN
        else:
            code, code_list = where
            if provinces is None:
                provinces = {"code_list": code_list.value, "expected": 0, "reported": 0}
            provinces["expected"] += 1
            provinces["reported"] += obs is not None
            names = province_names(code, code_list, period)
            name_vi, name_en = names["name_vi"], names["name_en"]
        if obs is None:
            entry: MissingReport = {
                "area": report.area,
                "name_vi": name_vi,
                "name_en": name_en,
                "agency": report.agency,
                "agency_vi": agency_names(agencies, report.agency)[0],
            }
            if code is not None:  # the nation has no code
                entry["code"] = code
            note_missing(report.agency, entry)
    return {
        **indicator_names(indicator),
        "frequency": indicator.frequency.value,
        "period": period.key,
        "period_vi": period.label_vi,
        "period_en": period.label_en,
        "deadline": to_ms(deadline),
        "agency": indicator.owner,
        "agency_vi": owner_vi,
        "agency_en": owner_en,
        "national": national,
        "provinces": provinces,
        "expected_count": len(owed),
        "missing_count": len(missing),
        "missing": missing,
        "late_count": late_count,
        "overdue_ms": overdue_ms if missing else 0.0,
        "state": "overdue" if missing else ("late" if late_count else "complete"),
    }


def _arrival_lateness(
    period: Period, indicator: Indicator, obs: Observation | None, now: datetime
) -> float | None:
    """How late the report arrived (ms), None when on time or absent."""
    if obs is None:
        return None
    late = lateness(period, indicator.deadline, now, from_ms(obs.received_at, now))
    return late.total_seconds() * 1000.0 if late.total_seconds() > 0 else None
