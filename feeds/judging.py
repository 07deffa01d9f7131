"""Judging a value against its indicator's target: the target as a tile shows it, whether it
is met, whether a period is judged at all, the status colour and the attainment ratio
(the thresholds themselves are ``feeds.direction``'s)."""

from __future__ import annotations

from typing import Literal

from feeds.catalogue import Indicator
from feeds.direction import Direction, Status, judged_status, meets_target
from feeds.periods import Period
from feeds.targets import Target
from feeds.tile_common import period_of_key
from feeds.tile_payloads import TargetPayload


def target_json(indicator: Indicator, target: Target | None) -> TargetPayload | None:
    if target is None:
        return None
    comparator: Literal["range", "ge", "le", "eq"]
    if target.high is not None or indicator.direction is Direction.BAND:
        comparator = "range"
    elif indicator.direction is Direction.HIGHER_BETTER:
        comparator = "ge"
    elif indicator.direction is Direction.LOWER_BETTER:
        comparator = "le"
    else:
        comparator = "eq"
    return {
        "value": target.value,
        "high": target.high,
        "comparator": comparator,
        "period": target.period,
        "set_by": target.set_by.value,
        "set_by_vi": target.set_by.name_vi,
        "set_by_en": target.set_by.name_en,
        "instrument": target.instrument,
        "illustrative": target.illustrative,
    }


def target_met(indicator: Indicator, value: float, target: Target) -> bool | None:
    """Whether ``value`` meets ``target`` read with the indicator's direction."""
    return meets_target(value, indicator.direction, target.value, target.high)


def target_judges(indicator: Indicator, period: Period, target: Target) -> bool:
    """Whether ``target`` judges the value of ``period`` (colour and met / not met).

    Always, except for a year-to-date indicator under a target of a longer period: its
    months climb towards the year's target, so only the period that closes the target's
    period is judged; the earlier ones show their progress without a verdict.
    """
    if not indicator.year_to_date or target.period == period.key:
        return True
    return period.end == period_of_key(indicator, target.period).end


def judge(indicator: Indicator, value: float, period: Period) -> tuple[Status, bool | None]:
    """(status, target met) of ``value`` for ``period``: ``feeds.direction.judged_status``
    with the period's target, so a value on the wrong side of its target is never green."""
    target = indicator.target_for(period)
    met = (
        target_met(indicator, value, target)
        if target is not None and target_judges(indicator, period, target)
        else None
    )
    status = judged_status(value, indicator.direction, indicator.band, indicator.thresholds, met)
    return status, met


def attainment(indicator: Indicator, value: float, target: Target) -> float | None:
    """Per cent of the target reached: 100 means exactly met, above 100 better than asked.

    Higher is better: value / target. Lower is better: ceiling / value (a CPI of 3 % under
    a 4,5 % ceiling is 150 %); none for a value at or below zero. Bands and neutral
    indicators have no single number to reach, only ``target_met``.
    """
    if indicator.direction is Direction.HIGHER_BETTER and target.value > 0:
        return 100.0 * value / target.value
    if indicator.direction is Direction.LOWER_BETTER and value > 0:
        ceiling = target.high if target.high is not None else target.value
        return 100.0 * ceiling / value if ceiling > 0 else None
    return None


def is_rate(indicator: Indicator) -> bool:
    """A rate in per cent ("%", "% GDP", "% kế hoạch"): its gap to a target is read in
    percentage points, never as a per cent of the target ("đạt 71,9 %" of a ≥ 10 % growth
    target means nothing to an official; "−2,81 điểm %" does)."""
    return indicator.unit_vi.startswith("%")


def gap_points(indicator: Indicator, value: float, target: Target) -> float | None:
    """The value minus the target it is held to, in percentage points (rates only): below a
    floor is negative, above a ceiling positive, 0 inside a range; None for non-rates."""
    if not is_rate(indicator):
        return None
    if target.high is not None:  # a range: the distance to the nearer bound outside it
        if value < target.value:
            return value - target.value
        return max(0.0, value - target.high)
    return value - target.value
