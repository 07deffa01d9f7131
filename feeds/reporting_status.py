"""Who has reported what for a period, who is overdue and by how long: a pure function of
the catalogue, the registry, what the store says was reported, and ``now``.

Who owes which report is ``feeds.expected``'s rule (the wall's reporting-status tile
follows the same one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from feeds.expected import Expected, expected_for
from feeds.loader import FeedsSpec
from feeds.observation_store.base import Reported
from feeds.periods import deadline_of, last_due_period, lateness, parse_period_key


@dataclass(frozen=True)
class StatusEntry:
    indicator: str
    area: str
    period: str
    agency: str  # who is expected to report
    deadline: datetime
    status: str  # reported, late (reported after the deadline), overdue, pending
    reported_by: str | None
    reported_at: float | None  # ms since the epoch, the first report
    late_by_s: float  # how far past the deadline it came, or is by now if still missing


def expected_reports(spec: FeedsSpec, period_key: str | None, now: datetime) -> list[Expected]:
    """For ``period_key``, the indicators of its frequency; without one, each indicator's
    latest period whose deadline has passed. ValueError for a malformed key. Who owes what
    is ``feeds.expected``'s rule, the same as the wall's reporting-status tile."""
    frequency = parse_period_key(period_key).frequency if period_key else None
    expected = []
    for indicator in spec.catalogue:
        if frequency is not None and indicator.frequency is not frequency:
            continue
        rule = indicator.deadline
        if period_key:
            period = parse_period_key(period_key, rule.cutoff_day)
        else:
            period = last_due_period(indicator.frequency, rule, now)
        expected += expected_for(indicator, period, spec.agencies)
    return expected


def reporting_status(
    expected: Iterable[Expected], reported: Iterable[Reported], now: datetime
) -> list[StatusEntry]:
    found = {(r.indicator, r.area, r.period): r for r in reported}
    entries = []
    for e in expected:
        report = found.get((e.indicator.code, e.area, e.period.key))
        deadline = deadline_of(e.period, e.indicator.deadline)
        at = (
            None
            if report is None
            else datetime.fromtimestamp(report.first_received_at / 1000.0, UTC)
        )
        late = lateness(e.period, e.indicator.deadline, now, at)
        if report is not None:
            status = "late" if late.total_seconds() > 0 else "reported"
        else:
            status = "overdue" if now >= deadline else "pending"
        entries.append(
            StatusEntry(
                indicator=e.indicator.code,
                area=e.area,
                period=e.period.key,
                agency=e.agency,
                deadline=deadline,
                status=status,
                reported_by=None if report is None else report.agency,
                reported_at=None if report is None else report.first_received_at,
                late_by_s=late.total_seconds(),
            )
        )
    return entries
