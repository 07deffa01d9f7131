"""Reporting periods, their deadlines and lateness: pure functions of a ``now`` argument.

Every date is a calendar date in Asia/Ho_Chi_Minh: a report dated by a province on the
evening of 31 March (UTC+7) belongs to March even though it is still 31 March in UTC
only until 17:00. Callers pass ``now``; nothing here reads the clock, so tests and the
simulator can run any day of any year.

A period is named by its nominal calendar period (``Tháng 3/2026``); with Decree 09's data
cut-off its data window shifts (15 Feb – 14 Mar), see ``feeds.deadline``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from feeds.deadline import DeadlineRule
from feeds.frequency import Frequency
from geo.codelists import TIME_ZONE as TIME_ZONE  # the one definition, re-exported

_ROMAN = ("I", "II", "III", "IV")
# Spelled out: calendar.month_name follows the process locale.
_MONTHS_EN = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Period:
    """One reporting period. ``start`` and ``end`` are the inclusive days its data cover."""

    frequency: Frequency
    anchor: date  # first day of the nominal calendar period (a Monday for weeks)
    start: date
    end: date
    cutoff_day: int | None
    key: str  # 2026-10-19, 2026-W42, 2026-10, 2026-Q3, 2026: stable, sortable per frequency
    label_vi: str
    label_en: str

    @property
    def year(self) -> int:
        """The year the period is named after (the ISO year for weeks)."""
        if self.frequency is Frequency.WEEKLY:
            return self.anchor.isocalendar().year
        return self.anchor.year

    def next(self) -> Period:
        return make_period(self.frequency, _shift(self.frequency, self.anchor, 1), self.cutoff_day)

    def previous(self) -> Period:
        return make_period(self.frequency, _shift(self.frequency, self.anchor, -1), self.cutoff_day)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def make_period(frequency: Frequency, anchor: date, cutoff_day: int | None = None) -> Period:
    """The period of ``frequency`` whose nominal calendar period contains ``anchor``."""
    if cutoff_day is not None and frequency.months == 0:
        raise ValueError(f"a data cut-off applies to monthly or longer periods (got {frequency})")
    anchor = _nominal_anchor(frequency, anchor)
    following = _shift(frequency, anchor, 1)
    start, end = anchor, following - timedelta(days=1)
    if cutoff_day is not None:
        start = _add_months(anchor, -1).replace(day=cutoff_day + 1)
        end = end.replace(day=cutoff_day)
    key, label_vi, label_en = _names(frequency, anchor)
    return Period(frequency, anchor, start, end, cutoff_day, key, label_vi, label_en)


def period_of(frequency: Frequency, day: date, cutoff_day: int | None = None) -> Period:
    """The period whose data include ``day``: after the cut-off, the next one."""
    period = make_period(frequency, day, cutoff_day)
    return period.next() if day > period.end else period


def local_date(now: datetime) -> date:
    """The calendar date of ``now`` in Vietnam; a naive ``now`` is refused, never guessed."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"'now' must be timezone-aware (got naive {now.isoformat()})")
    return now.astimezone(TIME_ZONE).date()


def current_period(frequency: Frequency, now: datetime, cutoff_day: int | None = None) -> Period:
    return period_of(frequency, local_date(now), cutoff_day)


def previous_period(frequency: Frequency, now: datetime, cutoff_day: int | None = None) -> Period:
    return current_period(frequency, now, cutoff_day).previous()


def deadline_of(period: Period, rule: DeadlineRule) -> datetime:
    """The instant the period's report becomes late (Vietnam time).

    A "no later than the 25th" rule allows the whole 25th, so the report is late from
    00:00 on the 26th. The due day is clamped to the month's length (day 31 in April is
    the 30th).
    """
    if rule.day is not None:
        if period.frequency.months == 0:
            raise ValueError("a day-of-month deadline needs monthly or longer periods")
        month = _add_months(period.end.replace(day=1), rule.months_after)
        due = month.replace(day=min(rule.day, _days_in_month(month)))
        return datetime.combine(due + timedelta(days=1), time(0), TIME_ZONE)
    assert rule.after_end_hours is not None  # the rule's validator guarantees one shape
    end = datetime.combine(period.end + timedelta(days=1), time(0), TIME_ZONE)
    return end + timedelta(hours=rule.after_end_hours)


def lateness(
    period: Period, rule: DeadlineRule, now: datetime, reported_at: datetime | None = None
) -> timedelta:
    """How long the report is overdue: zero if it came in time or is not due yet.

    Without ``reported_at`` the report is still missing and lateness grows with ``now``;
    with it, lateness is fixed at the moment the report arrived.
    """
    local_date(now)  # refuse a naive now
    moment = now if reported_at is None else min(reported_at, now)
    return max(moment - deadline_of(period, rule), timedelta(0))


def last_due_period(frequency: Frequency, rule: DeadlineRule, now: datetime) -> Period:
    """The latest period whose deadline has passed: the report the wall expects to have."""
    period = current_period(frequency, now, rule.cutoff_day)
    while deadline_of(period, rule) > now:
        period = period.previous()
    return period


_KEY_FORMS = (
    (Frequency.DAILY, re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    (Frequency.WEEKLY, re.compile(r"^(\d{4})-W(\d{2})$")),
    (Frequency.MONTHLY, re.compile(r"^(\d{4})-(\d{2})$")),
    (Frequency.QUARTERLY, re.compile(r"^(\d{4})-Q([1-4])$")),
    (Frequency.YEARLY, re.compile(r"^(\d{4})$")),
)


@lru_cache(maxsize=4096)  # pure, and a batch names the same few periods thousands of times
def parse_period_key(key: str, cutoff_day: int | None = None) -> Period:
    """``2026-Q3`` → that quarter; raises ValueError naming the accepted forms."""
    for frequency, pattern in _KEY_FORMS:
        match = pattern.match(key)
        if match is None:
            continue
        parts = [int(g) for g in match.groups()]
        try:
            anchor = _anchor_from_key(frequency, parts)
        except ValueError as exc:
            raise ValueError(f"'{key}' is not a real {frequency} period: {exc}") from None
        if cutoff_day is not None and frequency.months == 0:
            cutoff_day = None
        return make_period(frequency, anchor, cutoff_day)
    raise ValueError(
        f"period '{key}' must look like 2026-10-19, 2026-W42, 2026-10, 2026-Q3 or 2026"
    )


def _anchor_from_key(frequency: Frequency, parts: list[int]) -> date:
    if frequency is Frequency.DAILY:
        return date(parts[0], parts[1], parts[2])
    if frequency is Frequency.WEEKLY:
        return date.fromisocalendar(parts[0], parts[1], 1)
    if frequency is Frequency.MONTHLY:
        return date(parts[0], parts[1], 1)
    if frequency is Frequency.QUARTERLY:
        return date(parts[0], 3 * parts[1] - 2, 1)
    return date(parts[0], 1, 1)


def _nominal_anchor(frequency: Frequency, day: date) -> date:
    if frequency is Frequency.DAILY:
        return day
    if frequency is Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    if frequency is Frequency.MONTHLY:
        return day.replace(day=1)
    if frequency is Frequency.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _shift(frequency: Frequency, anchor: date, count: int) -> date:
    if frequency is Frequency.DAILY:
        return anchor + timedelta(days=count)
    if frequency is Frequency.WEEKLY:
        return anchor + timedelta(weeks=count)
    return _add_months(anchor, count * frequency.months)


def _add_months(first_of_month: date, count: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + count
    return date(index // 12, index % 12 + 1, first_of_month.day)


def _days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _names(frequency: Frequency, anchor: date) -> tuple[str, str, str]:
    """(key, Vietnamese label, English label); dates as Vietnamese readers write them."""
    if frequency is Frequency.DAILY:
        text = anchor.strftime("%d/%m/%Y")
        return anchor.isoformat(), f"Ngày {text}", text
    if frequency is Frequency.WEEKLY:
        year, week, _ = anchor.isocalendar()
        return f"{year}-W{week:02d}", f"Tuần {week}/{year}", f"Week {week}/{year}"
    if frequency is Frequency.MONTHLY:
        return (
            f"{anchor.year}-{anchor.month:02d}",
            f"Tháng {anchor.month}/{anchor.year}",
            f"{_MONTHS_EN[anchor.month]} {anchor.year}",
        )
    if frequency is Frequency.QUARTERLY:
        quarter = (anchor.month - 1) // 3 + 1
        return (
            f"{anchor.year}-Q{quarter}",
            f"Quý {_ROMAN[quarter - 1]}/{anchor.year}",
            f"Q{quarter} {anchor.year}",
        )
    return str(anchor.year), f"Năm {anchor.year}", f"Year {anchor.year}"
