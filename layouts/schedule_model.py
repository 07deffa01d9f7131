"""A wall's schedule: presets by weekday and time of day, and a rotation among presets in
between (``layouts/schedules/<wall id>.yaml``; no file, no schedule).

The file's shape is checked by ``ScheduleFile`` (first pass, ``extra="forbid"``, the keys as
written: ``from``/``to``); ``schedule_check`` then checks times, days, presets and overlaps
and builds ``Schedule``, the frozen model ``schedule_plan`` reasons about.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from layouts.schema import SLUG, Names

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# In ``datetime.weekday()`` order: Monday is 0.
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How the console names a day, Vietnamese first.
WEEKDAY_NAMES: dict[Weekday, tuple[str, str]] = {
    "mon": ("Thứ Hai", "Monday"),
    "tue": ("Thứ Ba", "Tuesday"),
    "wed": ("Thứ Tư", "Wednesday"),
    "thu": ("Thứ Năm", "Thursday"),
    "fri": ("Thứ Sáu", "Friday"),
    "sat": ("Thứ Bảy", "Saturday"),
    "sun": ("Chủ Nhật", "Sunday"),
}
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# A rotation faster than this would swap the wall before people have read it; slower than a
# day is a slot, not a rotation.
MIN_ROTATION_S = 10
MAX_ROTATION_S = 86_400
MINUTES_PER_DAY = 24 * 60


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- the file, as written -----------------------------------------------------------------


class SlotEntry(_Frozen):
    id: str = Field(pattern=SLUG)
    title: Names
    days: tuple[str, ...] = Field(min_length=1)
    # "HH:MM" strings; unquoted 07:30 is a YAML 1.1 sexagesimal number, caught by the checker.
    start: object = Field(alias="from")
    end: object = Field(alias="to")
    preset: str


class RotationEntry(_Frozen):
    every_s: int = Field(ge=MIN_ROTATION_S, le=MAX_ROTATION_S)
    presets: tuple[str, ...] = Field(min_length=2)


class ScheduleFile(_Frozen):
    timezone: str = DEFAULT_TIMEZONE
    # Each slot, and the rotation, checked on its own: one mistake hides nothing else.
    slots: tuple[object, ...] = ()
    rotation: object | None = None


# --- the checked model --------------------------------------------------------------------


class ScheduleSlot(_Frozen):
    """A preset on the given weekdays from ``start_min`` to ``end_min`` (minutes after
    local midnight; ``end_min`` may be 1440, "24:00")."""

    id: str
    title_vi: str
    title_en: str
    days: frozenset[Weekday]
    start_min: int = Field(ge=0, lt=MINUTES_PER_DAY)
    end_min: int = Field(gt=0, le=MINUTES_PER_DAY)
    preset: str


class Rotation(_Frozen):
    """Outside the slots, ``presets`` in turn, ``every_s`` each."""

    every_s: int
    presets: tuple[str, ...]


class Schedule(_Frozen):
    timezone: str
    slots: tuple[ScheduleSlot, ...]
    rotation: Rotation | None
    source: str

    def slot(self, slot_id: str) -> ScheduleSlot | None:
        return next((s for s in self.slots if s.id == slot_id), None)
