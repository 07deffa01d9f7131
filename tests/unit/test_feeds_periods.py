"""Periods, Decree 09 deadlines and lateness across month, quarter and year boundaries,
always in Vietnam time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from feeds.deadline import DeadlineRule
from feeds.frequency import Frequency
from feeds.periods import (
    TIME_ZONE,
    current_period,
    deadline_of,
    last_due_period,
    lateness,
    make_period,
    parse_period_key,
    period_of,
    previous_period,
)

DECREE_09 = DeadlineRule(day=25, cutoff_day=14)  # Art. 12 cut-off, Art. 13 deadline
CPI_RULE = DeadlineRule(day=3, months_after=1)  # Decree 13/2026: 3rd of the following month
GDP_RULE = DeadlineRule(day=6, months_after=1)  # Decree 62/2024
DAILY_RULE = DeadlineRule(after_end_hours=7)


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TIME_ZONE)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("frequency", "day", "key", "label_vi", "label_en", "start", "end"),
    [
        (
            Frequency.DAILY,
            date(2020, 8, 19),
            "2020-08-19",
            "Ngày 19/08/2020",
            "19/08/2020",
            date(2020, 8, 19),
            date(2020, 8, 19),
        ),
        (
            Frequency.WEEKLY,
            date(2026, 1, 1),
            "2026-W01",
            "Tuần 1/2026",
            "Week 1/2026",
            date(2025, 12, 29),
            date(2026, 1, 4),
        ),
        (
            Frequency.MONTHLY,
            date(2026, 10, 31),
            "2026-10",
            "Tháng 10/2026",
            "October 2026",
            date(2026, 10, 1),
            date(2026, 10, 31),
        ),
        (
            Frequency.QUARTERLY,
            date(2026, 8, 19),
            "2026-Q3",
            "Quý III/2026",
            "Q3 2026",
            date(2026, 7, 1),
            date(2026, 9, 30),
        ),
        (
            Frequency.YEARLY,
            date(2024, 2, 29),
            "2024",
            "Năm 2024",
            "Year 2024",
            date(2024, 1, 1),
            date(2024, 12, 31),
        ),
    ],
    ids=["daily", "iso-week-across-year", "monthly", "quarterly", "yearly"],
)
def test_calendar_periods(
    frequency: Frequency, day: date, key: str, label_vi: str, label_en: str, start: date, end: date
) -> None:
    period = period_of(frequency, day)
    assert (period.key, period.label_vi, period.label_en) == (key, label_vi, label_en)
    assert (period.start, period.end) == (start, end)
    assert parse_period_key(key) == period
    assert period.next().previous() == period


@pytest.mark.parametrize(
    ("frequency", "day", "key", "start", "end"),
    [
        # Worked example of the reference: March 2026 covers 15 Feb - 14 Mar.
        (Frequency.MONTHLY, date(2026, 3, 14), "2026-03", date(2026, 2, 15), date(2026, 3, 14)),
        # After the cut-off a day belongs to the next month's report.
        (Frequency.MONTHLY, date(2026, 3, 15), "2026-04", date(2026, 3, 15), date(2026, 4, 14)),
        # Quarter: 15th of the month before the quarter to the 14th of its last month.
        (Frequency.QUARTERLY, date(2026, 1, 5), "2026-Q1", date(2025, 12, 15), date(2026, 3, 14)),
        # Year: 15 Dec of the previous year to 14 Dec; 20 Dec already counts for next year.
        (Frequency.YEARLY, date(2026, 12, 14), "2026", date(2025, 12, 15), date(2026, 12, 14)),
        (Frequency.YEARLY, date(2026, 12, 20), "2027", date(2026, 12, 15), date(2027, 12, 14)),
    ],
    ids=["month-before-cutoff", "month-after-cutoff", "quarter-across-year", "year", "year-rolls"],
)
def test_decree_09_cutoff_windows(
    frequency: Frequency, day: date, key: str, start: date, end: date
) -> None:
    period = period_of(frequency, day, cutoff_day=14)
    assert (period.key, period.start, period.end) == (key, start, end)
    assert period.contains(day)


def test_cutoff_only_for_monthly_or_longer() -> None:
    with pytest.raises(ValueError, match="monthly or longer"):
        make_period(Frequency.DAILY, date(2026, 1, 1), cutoff_day=14)


@pytest.mark.parametrize(
    ("key", "rule", "late_from"),
    [
        ("2026-03", DECREE_09, vn(2026, 3, 26)),  # reference: monthly March 2026 due by 25 Mar
        ("2026", DECREE_09, vn(2026, 12, 26)),  # reference: annual 2026 due by 25 Dec 2026
        ("2026-Q3", DECREE_09, vn(2026, 9, 26)),  # the 25th of the quarter's last month
        ("2026-12", CPI_RULE, vn(2027, 1, 4)),  # following month crosses the year
        ("2026-Q4", GDP_RULE, vn(2027, 1, 7)),  # GDP estimate on 6 Jan
        ("2026-01", DeadlineRule(day=31, months_after=1), vn(2026, 3, 1)),  # 31 Feb → 28 Feb
        ("2026-10-19", DAILY_RULE, vn(2026, 10, 20, 7)),
    ],
    ids=["monthly", "yearly", "quarterly", "cpi-new-year", "gdp-q4", "clamped-day", "daily"],
)
def test_deadlines(key: str, rule: DeadlineRule, late_from: datetime) -> None:
    period = parse_period_key(key, rule.cutoff_day)  # a daily key takes no cut-off
    assert deadline_of(period, rule) == late_from


def test_day_rule_refuses_daily_periods() -> None:
    with pytest.raises(ValueError, match="monthly or longer"):
        deadline_of(parse_period_key("2026-10-19"), DECREE_09)


def test_current_period_uses_vietnam_time() -> None:
    # 17:30 UTC on 31 Mar is already 00:30 on 1 Apr in Hà Nội.
    now = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)
    assert current_period(Frequency.MONTHLY, now).key == "2026-04"
    assert current_period(Frequency.QUARTERLY, now).key == "2026-Q2"
    assert previous_period(Frequency.QUARTERLY, now).key == "2026-Q1"
    # 31 Dec 2026 18:00 UTC is New Year's Day 2027 in Vietnam.
    assert current_period(Frequency.YEARLY, datetime(2026, 12, 31, 18, tzinfo=UTC)).key == "2027"
    assert current_period(Frequency.DAILY, datetime(2026, 12, 31, 16, 59, tzinfo=UTC)).key == (
        "2026-12-31"
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        current_period(Frequency.MONTHLY, datetime(2026, 3, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        lateness(parse_period_key("2026-03", 14), DECREE_09, datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("key", "rule", "now", "overdue"),
    [
        ("2026-03", DECREE_09, vn(2026, 3, 25, 23, 59), timedelta(0)),  # the whole 25th is on time
        ("2026-03", DECREE_09, vn(2026, 3, 26, 8), timedelta(hours=8)),
        ("2026-03", DECREE_09, vn(2026, 4, 1), timedelta(days=6)),  # across the month end
        ("2026-Q1", DECREE_09, vn(2026, 4, 6), timedelta(days=11)),  # across the quarter end
        ("2026", DECREE_09, vn(2027, 1, 2, 12), timedelta(days=7, hours=12)),  # across the year
        ("2026-12", CPI_RULE, vn(2027, 1, 5), timedelta(days=1)),
        ("2026-10-19", DAILY_RULE, vn(2026, 10, 20, 9, 30), timedelta(hours=2, minutes=30)),
        # 01:00 UTC on 26 Mar is 08:00 in Vietnam: the UTC clock must not make it on time.
        ("2026-03", DECREE_09, datetime(2026, 3, 26, 1, tzinfo=UTC), timedelta(hours=8)),
    ],
    ids=["on-the-day", "hours-late", "month", "quarter", "year", "cpi", "daily", "utc-now"],
)
def test_lateness_of_missing_reports(
    key: str, rule: DeadlineRule, now: datetime, overdue: timedelta
) -> None:
    period = parse_period_key(key, rule.cutoff_day)
    assert lateness(period, rule, now) == overdue


def test_lateness_stops_when_the_report_arrives() -> None:
    period = parse_period_key("2026-03", 14)
    arrived = vn(2026, 3, 27, 10)
    assert lateness(period, DECREE_09, vn(2026, 5, 1), reported_at=arrived) == timedelta(
        days=1, hours=10
    )
    assert lateness(period, DECREE_09, vn(2026, 5, 1), reported_at=vn(2026, 3, 20)) == timedelta(0)


@pytest.mark.parametrize(
    ("frequency", "rule", "now", "key"),
    [
        (Frequency.MONTHLY, DECREE_09, vn(2026, 3, 25, 12), "2026-02"),  # March not due yet
        (Frequency.MONTHLY, DECREE_09, vn(2026, 3, 26), "2026-03"),
        (Frequency.MONTHLY, CPI_RULE, vn(2027, 1, 2), "2026-11"),  # December's CPI on 3 Jan
        (Frequency.QUARTERLY, GDP_RULE, vn(2026, 4, 7), "2026-Q1"),
        (Frequency.YEARLY, DECREE_09, vn(2026, 12, 20), "2025"),
        (Frequency.DAILY, DAILY_RULE, vn(2026, 1, 1, 6), "2025-12-30"),
    ],
    ids=["monthly-before", "monthly-after", "cpi-year-end", "gdp", "yearly", "daily"],
)
def test_last_due_period(frequency: Frequency, rule: DeadlineRule, now: datetime, key: str) -> None:
    assert last_due_period(frequency, rule, now).key == key


@pytest.mark.parametrize("key", ["2026-13", "2026-Q5", "2026-W54", "2026-02-30", "26", "Q3/2026"])
def test_bad_period_keys(key: str) -> None:
    with pytest.raises(ValueError, match=r"period|not a real"):
        parse_period_key(key)
