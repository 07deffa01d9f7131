"""What a schedule shows at an instant, and when that next changes: pure functions of the
schedule and a time, so every server process (and every test) agrees.

A slot holds its preset from its start to its end on its weekdays, in the schedule's time
zone. Outside the slots a rotation, if any, shows its presets in turn, ``every_s`` each,
counted from the Unix epoch (not from a process's start: two processes, or one restarted,
name the same preset at the same instant). Outside the slots without a rotation the
schedule says nothing and the wall keeps what it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from layouts.schedule_model import WEEKDAYS, Schedule, ScheduleSlot

ROTATION = "rotation"
ROTATION_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Slots repeat weekly: a change, if there is one, comes within a week and a day.
_HORIZON_DAYS = 8


@dataclass(frozen=True)
class Decision:
    """What the schedule shows: ``preset`` (None: nothing, the wall keeps what it shows),
    ``why`` (the slot's id, or ``"rotation"``) and ``since``, when this period began."""

    preset: str | None
    why: str | None = None
    since: datetime | None = None

    @property
    def key(self) -> str | None:
        """Names this period (the same in every process): a change is a new key."""
        if self.since is None:
            return None
        return f"{self.why}@{self.since.astimezone(UTC).isoformat()}"


def what_now(schedule: Schedule, at: datetime) -> Decision:
    """The decision in force at ``at`` (an aware datetime)."""
    zone = ZoneInfo(schedule.timezone)
    local = at.astimezone(zone)
    slot = _slot_at(schedule, local)
    if slot is not None:
        return Decision(slot.preset, slot.id, _at_minute(local.date(), slot.start_min, zone))
    rotation = schedule.rotation
    if rotation is None:
        return Decision(None)
    step = math.floor((at - ROTATION_EPOCH).total_seconds() / rotation.every_s)
    since = ROTATION_EPOCH + timedelta(seconds=step * rotation.every_s)
    preset = rotation.presets[step % len(rotation.presets)]
    return Decision(preset, ROTATION, since.astimezone(zone))


def next_change(schedule: Schedule, at: datetime) -> datetime | None:
    """The first instant after ``at`` when the schedule shows something new (a slot starts,
    a slot ends into the rotation, the rotation steps); None if it never will."""
    current = what_now(schedule, at)
    for when in _candidates(schedule, at):
        ahead = what_now(schedule, when)
        if ahead.preset is not None and ahead != current:
            return when
    return None


def _candidates(schedule: Schedule, at: datetime) -> list[datetime]:
    """Every instant after ``at`` at which the decision may change, in order: each slot's
    start and end over the coming week and a day, and the rotation's next step."""
    zone = ZoneInfo(schedule.timezone)
    today = at.astimezone(zone).date()
    found: list[datetime] = []
    for offset in range(_HORIZON_DAYS):
        day = today + timedelta(days=offset)
        weekday = WEEKDAYS[day.weekday()]
        for slot in schedule.slots:
            if weekday in slot.days:
                found += [_at_minute(day, m, zone) for m in (slot.start_min, slot.end_min)]
    if schedule.rotation is not None:
        every = schedule.rotation.every_s
        step = math.floor((at - ROTATION_EPOCH).total_seconds() / every) + 1
        found.append(ROTATION_EPOCH + timedelta(seconds=step * every))
    return sorted(t for t in set(found) if t > at)


def _slot_at(schedule: Schedule, local: datetime) -> ScheduleSlot | None:
    weekday = WEEKDAYS[local.weekday()]
    midnight = _at_minute(local.date(), 0, local.tzinfo)
    minute = (local - midnight).total_seconds() / 60.0
    for slot in schedule.slots:
        if weekday in slot.days and slot.start_min <= minute < slot.end_min:
            return slot
    return None


def _at_minute(day: date, minutes: int, zone: tzinfo | None) -> datetime:
    """``minutes`` after local midnight of ``day`` (1440: the next midnight)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    return midnight + timedelta(minutes=minutes)
