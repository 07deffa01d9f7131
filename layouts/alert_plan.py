"""What the wall should show for the alerts that hold it: a pure function, so "alerts clear
in any order and the wall returns to exactly what it showed" is a property of one function.

The highest priority wins (the most recent on a tie); a lock keeps every switch, focus and
pin off the wall but lets banners show (the room still sees what is in alarm).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from layouts.alert_rules import AlertRule
from layouts.alert_state import AlertRecord, holds, render


@dataclass(frozen=True)
class PlannedBanner:
    id: str  # "alert:<alert id>"
    text_vi: str
    text_en: str
    severity: Literal["info", "warning", "critical"]
    zone: str | None
    # "showing": only on screens showing one of ``shows``; else the zone (None: every screen).
    shows: tuple[str, ...] | None
    since: float


@dataclass(frozen=True)
class WallPlan:
    """``preset`` None: no alert switches the wall (it shows what it showed before)."""

    preset: str | None = None
    preset_by: str | None = None  # the alert that decided it
    # (zone id, preset, the alert that decided it): alerts that switch part of the wall.
    zones: tuple[tuple[str, str, str], ...] = ()
    focus: str | None = None
    pin: tuple[str, str] | None = None  # (video tile, bridge point)
    banners: tuple[PlannedBanner, ...] = ()


def plan(
    rules: Mapping[str, AlertRule],
    records: Mapping[str, AlertRecord],
    now: float,
    locked: bool,
) -> WallPlan:
    holding = [
        (record, rules[record.rule])
        for record in records.values()
        if record.rule in rules and holds(record, rules[record.rule], now)
    ]
    holding.sort(key=lambda pair: (pair[0].priority, pair[0].raised_at), reverse=True)
    preset = preset_by = focus = None
    pin = None
    zones: dict[str, tuple[str, str]] = {}
    if not locked:
        for record, rule in holding:
            switch = rule.do.switch
            if switch is not None and switch.zone is None and preset is None:
                preset, preset_by = switch.preset, record.id
            if switch is not None and switch.zone is not None and switch.zone not in zones:
                zones[switch.zone] = (switch.preset, record.id)
            if rule.do.focus == "province" and focus is None and record.province:
                focus = record.province
            if rule.do.pin is not None and pin is None:
                point = rule.do.pin.point or record.point
                if point:
                    pin = (rule.do.pin.tile, point)
    banners = tuple(
        PlannedBanner(
            id=f"alert:{record.id}",
            text_vi=render(rule.do.banner.vi, record.values),
            text_en=render(rule.do.banner.en, record.values, "en"),
            severity=rule.do.banner.severity,
            zone=rule.do.banner.zone or (rule.do.switch.zone if rule.do.switch else None),
            shows=record.shows if rule.do.banner.show_on == "showing" else None,
            since=record.raised_at,
        )
        for record, rule in holding
        if rule.do.banner is not None
    )
    zoned = tuple((zone, p, by) for zone, (p, by) in sorted(zones.items()))
    return WallPlan(preset, preset_by, zoned, focus, pin, banners)
