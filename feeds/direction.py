"""Which way is good for an indicator, and when its value turns to warning or alarm.

* ``higher_better``: below ``warning`` is a warning, below ``alarm`` an alarm, so
  ``alarm < warning``;
* ``lower_better``: the mirror image, ``warning < alarm``;
* ``band``: the aim is to stay inside ``band``; ``warning`` and ``alarm`` are wider bounds
  around it (band ⊆ warning ⊆ alarm), leaving them is a warning or an alarm;
* ``neutral``: context values (population, the capital plan) that carry no colour.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator


class Direction(StrEnum):
    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    BAND = "band"
    NEUTRAL = "neutral"


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ALARM = "alarm"
    NONE = "none"  # neutral indicators, or no thresholds


class Bounds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.low >= self.high:
            raise ValueError(f"'low' ({self.low}) must be below 'high' ({self.high})")
        return self

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


class Thresholds(BaseModel):
    """Numbers for one-sided directions, bounds for a band; checked against the direction
    when the catalogue is loaded (``feeds.catalogue_check``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    warning: float | Bounds | None = None
    alarm: float | Bounds | None = None


def threshold_problems(
    direction: Direction, band: Bounds | None, thresholds: Thresholds | None
) -> list[tuple[str, str]]:
    """(key under the indicator, message) for each inconsistency; empty when consistent."""
    problems: list[tuple[str, str]] = []
    if (direction is Direction.BAND) != (band is not None):
        key = "band" if band is not None else "direction"
        problems.append((key, "a 'band' goes with direction 'band', and only with it"))
    if thresholds is None:
        return problems
    if direction is Direction.NEUTRAL:
        return [*problems, ("thresholds", "a neutral indicator has no thresholds")]
    for name, value in (("warning", thresholds.warning), ("alarm", thresholds.alarm)):
        if value is not None and isinstance(value, Bounds) != (direction is Direction.BAND):
            want = "{low, high} bounds" if direction is Direction.BAND else "a single number"
            problems.append((f"thresholds.{name}", f"direction '{direction}' needs {want}"))
    if problems:
        return problems
    warning, alarm = thresholds.warning, thresholds.alarm
    if direction is Direction.BAND:
        inner = band
        for name, outer in (("warning", warning), ("alarm", alarm)):
            if isinstance(outer, Bounds) and inner is not None:
                if not (outer.low <= inner.low and inner.high <= outer.high):
                    problems.append(
                        (f"thresholds.{name}", f"must enclose the {_band_name(inner, band)}")
                    )
                inner = outer
        return problems
    if isinstance(warning, float | int) and isinstance(alarm, float | int):
        if direction is Direction.HIGHER_BETTER and not alarm < warning:
            problems.append(
                ("thresholds.alarm", f"must be below warning ({warning}) when higher is better")
            )
        if direction is Direction.LOWER_BETTER and not alarm > warning:
            problems.append(
                ("thresholds.alarm", f"must be above warning ({warning}) when lower is better")
            )
    return problems


def _band_name(inner: Bounds, band: Bounds | None) -> str:
    kind = "band" if inner is band else "warning bounds"
    return f"{kind} [{inner.low}, {inner.high}]"


def status_of(
    value: float, direction: Direction, band: Bounds | None, thresholds: Thresholds | None
) -> Status:
    """The colour of ``value``; assumes thresholds already passed ``threshold_problems``."""
    if direction is Direction.NEUTRAL:
        return Status.NONE
    if direction is Direction.BAND:
        warning = thresholds.warning if thresholds else None
        alarm = thresholds.alarm if thresholds else None
        if isinstance(alarm, Bounds) and not alarm.contains(value):
            return Status.ALARM
        if isinstance(warning, Bounds):
            return Status.OK if warning.contains(value) else Status.WARNING
        # Without warning bounds, leaving the band itself is the warning.
        return Status.OK if band is None or band.contains(value) else Status.WARNING
    if thresholds is None:
        return Status.NONE
    sign = 1.0 if direction is Direction.HIGHER_BETTER else -1.0
    for status, limit in ((Status.ALARM, thresholds.alarm), (Status.WARNING, thresholds.warning)):
        if isinstance(limit, float | int) and sign * value < sign * limit:
            return status
    return Status.OK


# ---- status against a target ---------------------------------------------------------------

_SEVERITY = {Status.NONE: 0, Status.OK: 1, Status.WARNING: 2, Status.ALARM: 3}


def worse(a: Status, b: Status) -> Status:
    """The more severe of two colours (none < ok < warning < alarm)."""
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def meets_target(value: float, direction: Direction, low: float, high: float | None) -> bool | None:
    """Whether ``value`` is on the right side of a target ``low`` (or range ``low``–``high``)
    read with the direction: at least ``low`` when higher is better, at most ``high`` (else
    ``low``) when lower is better, inside the range for a band; None when neutral."""
    if direction is Direction.HIGHER_BETTER:
        return value >= low
    if direction is Direction.LOWER_BETTER:
        return value <= (high if high is not None else low)
    if direction is Direction.BAND:
        return low <= value <= (high if high is not None else low)
    return None


def judged_status(
    value: float,
    direction: Direction,
    band: Bounds | None,
    thresholds: Thresholds | None,
    target_met: bool | None,
) -> Status:
    """The colour the wall shows for ``value``: thresholds and the target together.

    The rule, for every direction:

    * neutral indicators carry no colour (``none``), whatever the target says;
    * ``target_met`` is False (the value is on the wrong side of the period's target):
      never ``ok``. The thresholds (or a band's wider bounds) decide between ``warning``
      and ``alarm``; with no thresholds a miss is a ``warning``. GDP growth 6,5 % under a
      ≥ 8 % target is amber even though 6,5 is not below the 6,5 warning threshold;
    * ``target_met`` is True: the thresholds' colour, ``ok`` when they are silent or
      absent. Thresholds stay stricter than the target where the centre set them so (an
      unemployment rate of 3,9 % meets the < 4 % target but is past the 3,8 % early
      warning: amber);
    * ``target_met`` is None (no target for the period, or a year-to-date value before the
      period the target judges): the thresholds' colour alone, ``none`` without them;
    * band indicators use their band as their target: outside it is never ``ok``, and the
      wider warning/alarm bounds decide how bad (``status_of``); a target range, when one
      is set, is judged as for the other directions.
    """
    if direction is Direction.NEUTRAL:
        return Status.NONE
    base = status_of(value, direction, band, thresholds)
    if direction is Direction.BAND and band is not None:
        in_band = band.contains(value)
        target_met = in_band if target_met is None else (target_met and in_band)
    if target_met is None:
        return base
    if target_met:
        return Status.OK if base is Status.NONE else base
    return worse(base, Status.WARNING)
