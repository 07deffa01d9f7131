"""Checking a schedule file: every problem at once, each with file, line, key and a hint.

The first pass is the file's shape (``schedule_model.ScheduleFile``); the second checks each
slot on its own (days, times, from before to, the preset), then the slots against each other
(two slots of one day may not overlap: which one would the wall show?) and the rotation.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Collection
from pathlib import Path

from command_center.errors import SpecError, SpecProblem
from command_center.spec_problems import IdsOnce, ProblemLog, closest, did_you_mean, read_spec
from layouts.schedule_model import (
    DEFAULT_TIMEZONE,
    MINUTES_PER_DAY,
    WEEKDAYS,
    Rotation,
    RotationEntry,
    Schedule,
    ScheduleFile,
    ScheduleSlot,
    SlotEntry,
    Weekday,
)

_CLOCK = re.compile(r"^(\d{2}):(\d{2})$")


def load_schedule(path: Path | str, presets: Collection[str]) -> Schedule:
    """The schedule in ``path``, its presets among ``presets``; ``SpecError`` with every
    problem otherwise."""
    log = ProblemLog(str(path))
    source = read_spec(Path(path), log)
    schedule = check_schedule(str(path), source.data, presets, log) if source else None
    if schedule is None or log.problems:
        raise SpecError(log.problems)
    return schedule


def check_schedule_file(path: Path | str, presets: Collection[str]) -> list[SpecProblem]:
    """Every problem of one schedule file (for ``validate``)."""
    try:
        load_schedule(path, presets)
    except SpecError as exc:
        return exc.problems
    return []


def is_schedule_file(path: Path) -> bool:
    """A file in a ``schedules`` folder is a schedule (``validate`` tells it from a preset)."""
    return path.parent.name == "schedules"


def check_schedule(
    source: str, data: object, presets: Collection[str], log: ProblemLog
) -> Schedule | None:
    """Validate a parsed schedule file; log every problem and return None if there is any."""
    before = len(log.problems)
    if data is None:
        data = {}  # an empty file: no slots, no rotation
    head = log.validate(ScheduleFile, data)
    if head is None:
        return None
    _check_timezone(head.timezone, log)
    slots = [
        (i, slot)
        for i, raw in enumerate(head.slots)
        if (slot := _slot(i, raw, presets, log)) is not None
    ]
    _check_ids_and_overlaps(slots, log)
    rotation = _rotation(head.rotation, presets, log)
    if len(log.problems) > before:
        return None
    return Schedule(
        timezone=head.timezone, slots=tuple(s for _, s in slots), rotation=rotation, source=source
    )


def _check_timezone(name: str, log: ProblemLog) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = closest(name, zoneinfo.available_timezones())
        hint = f"did you mean '{close}'?" if close else f"an IANA name such as {DEFAULT_TIMEZONE}"
        log.add(("timezone",), f"unknown time zone '{name}'", hint)


def _slot(i: int, raw: object, presets: Collection[str], log: ProblemLog) -> ScheduleSlot | None:
    entry = log.validate(SlotEntry, raw, ("slots", i))
    if entry is None:
        return None
    before = len(log.problems)
    days: list[Weekday] = []
    for d, day in enumerate(entry.days):
        known = next((w for w in WEEKDAYS if w == str(day).lower()), None)
        if known is None:
            log.add(("slots", i, "days", d), f"unknown day '{day}'", did_you_mean(day, WEEKDAYS))
        else:
            days.append(known)
    start = _minutes(entry.start, ("slots", i, "from"), log, end=False)
    end = _minutes(entry.end, ("slots", i, "to"), log, end=True)
    if start is not None and end is not None and start >= end:
        log.add(
            ("slots", i, "to"),
            f"'to' ({_clock(end)}) must be after 'from' ({_clock(start)})",
            'a slot past midnight is two slots: one to "24:00", one from "00:00"',
        )
    if entry.preset not in presets:
        log.add(
            ("slots", i, "preset"),
            f"unknown preset '{entry.preset}'",
            did_you_mean(entry.preset, presets),
        )
    if len(log.problems) > before or start is None or end is None:
        return None
    return ScheduleSlot(
        id=entry.id,
        title_vi=entry.title.vi,
        title_en=entry.title.en,
        days=frozenset(days),
        start_min=start,
        end_min=end,
        preset=entry.preset,
    )


def _minutes(
    value: object, key: tuple[str | int, ...], log: ProblemLog, *, end: bool
) -> int | None:
    """``"HH:MM"`` as minutes after midnight; ``"24:00"`` only as an end."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 7:30 or 17:30 as a base-60 number.
        log.add(key, f'a time must be quoted, e.g. "{_clock(value)}" (got the number {value})')
        return None
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        log.add(key, f'expected a time "HH:MM" (got {value!r})')
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    if minutes > 59 or total > MINUTES_PER_DAY or (total == MINUTES_PER_DAY and not end):
        allowed = "00:00 to 24:00" if end else "00:00 to 23:59"
        log.add(key, f"no such time {value!r} (allowed: {allowed})")
        return None
    return total


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _check_ids_and_overlaps(slots: list[tuple[int, ScheduleSlot]], log: ProblemLog) -> None:
    """``slots``: the valid ones, each with its index in the file (for the line)."""
    ids = IdsOnce(log, "slot")
    for n, (i, slot) in enumerate(slots):
        ids.see(slot.id, ("slots", i))
        for j, earlier in slots[:n]:
            shared = [d for d in WEEKDAYS if d in slot.days and d in earlier.days]
            if shared and slot.start_min < earlier.end_min and earlier.start_min < slot.end_min:
                log.add(
                    ("slots", i, "from"),
                    f"slot '{slot.id}' ({_span(slot)}) overlaps slot '{earlier.id}' "
                    f"({_span(earlier)}, slots[{j}]) on {', '.join(shared)}",
                    "one must end before the other starts: which would the wall show?",
                )


def _span(slot: ScheduleSlot) -> str:
    return f"{_clock(slot.start_min)}–{_clock(slot.end_min)}"


def _rotation(raw: object, presets: Collection[str], log: ProblemLog) -> Rotation | None:
    if raw is None:
        return None
    entry = log.validate(RotationEntry, raw, ("rotation",))
    if entry is None:
        return None
    for k, preset in enumerate(entry.presets):
        if preset not in presets:
            log.add(
                ("rotation", "presets", k),
                f"unknown preset '{preset}'",
                did_you_mean(preset, presets),
            )
    return Rotation(every_s=entry.every_s, presets=entry.presets)
