"""What a schedule shows when, and when that next changes, on fixed instants: weekday
boundaries, midnight, and rotation steps counted from the epoch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from layouts.schedule_model import Rotation, Schedule, ScheduleSlot
from layouts.schedule_plan import ROTATION, Decision, next_change, what_now

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BRIEFING = ScheduleSlot(
    id="giao-ban-sang",
    title_vi="Giao ban kinh tế - xã hội",
    title_en="Socio-economic briefing",
    days=frozenset({"mon", "tue", "wed", "thu", "fri"}),
    start_min=7 * 60 + 30,
    end_min=8 * 60 + 30,
    preset="socio-economic",
)
NIGHT = ScheduleSlot(
    id="dem",
    title_vi="Trực đêm",
    title_en="Night watch",
    days=frozenset({"sun"}),
    start_min=22 * 60,
    end_min=24 * 60,
    preset="map-national",
)
ROTATE = Rotation(every_s=60, presets=("overview", "map-national", "area-view"))


def _schedule(*slots: ScheduleSlot, rotation: Rotation | None = None) -> Schedule:
    return Schedule(timezone="Asia/Ho_Chi_Minh", slots=slots, rotation=rotation, source="t")


def _at(day: int, hh: int, mm: int, ss: int = 0) -> datetime:
    """A time in Hà Nội in the week of Monday 2 June 2025 (day 2 is a Monday)."""
    return datetime(2025, 6, day, hh, mm, ss, tzinfo=HCM)


def test_a_slot_holds_from_its_start_to_just_before_its_end() -> None:
    s = _schedule(BRIEFING)
    assert what_now(s, _at(2, 7, 29, 59)) == Decision(None)
    now = what_now(s, _at(2, 7, 30))
    assert (now.preset, now.why, now.since) == ("socio-economic", "giao-ban-sang", _at(2, 7, 30))
    assert what_now(s, _at(2, 8, 29, 59)).preset == "socio-economic"
    assert what_now(s, _at(2, 8, 30)) == Decision(None)


def test_the_same_instant_in_another_zone_is_the_same_decision() -> None:
    s = _schedule(BRIEFING)
    utc = _at(2, 7, 45).astimezone(UTC)  # 00:45 UTC
    assert what_now(s, utc).preset == "socio-economic"


def test_weekdays_only() -> None:
    s = _schedule(BRIEFING)
    assert what_now(s, _at(7, 7, 45)).preset is None  # Saturday
    assert what_now(s, _at(6, 7, 45)).preset == "socio-economic"  # Friday


def test_next_change_is_the_next_start_skipping_the_end_when_nothing_follows() -> None:
    s = _schedule(BRIEFING)
    assert next_change(s, _at(2, 6, 0)) == _at(2, 7, 30)
    # In the slot: its end switches nothing (no rotation), so the next is Tuesday's start.
    assert next_change(s, _at(2, 7, 30)) == _at(3, 7, 30)
    # Friday after the briefing: over the weekend to Monday.
    assert next_change(s, _at(6, 9, 0)) == _at(9, 7, 30)


def test_a_slot_to_midnight_ends_at_the_next_day() -> None:
    s = _schedule(NIGHT, rotation=ROTATE)
    assert what_now(s, _at(8, 23, 59, 59)).why == "dem"  # Sunday night
    after = what_now(s, _at(9, 0, 0))  # Monday 00:00
    assert after.why == ROTATION
    assert next_change(s, _at(8, 23, 0)) == _at(9, 0, 0)


def test_no_slots_no_rotation_never_changes() -> None:
    assert next_change(_schedule(), _at(2, 7, 0)) is None
    assert what_now(_schedule(), _at(2, 7, 0)) == Decision(None)


def test_rotation_steps_from_the_epoch_so_every_process_agrees() -> None:
    s = _schedule(rotation=ROTATE)
    # 2025-06-02 00:00:00 UTC is 20241 days after the epoch: step 29_147_040, i.e. 0 mod 3.
    base = datetime(2025, 6, 2, tzinfo=UTC)
    assert what_now(s, base).preset == "overview"
    assert what_now(s, base + timedelta(seconds=59.9)).preset == "overview"
    assert what_now(s, base + timedelta(seconds=60)).preset == "map-national"
    assert what_now(s, base + timedelta(seconds=150)).preset == "area-view"
    assert what_now(s, base + timedelta(seconds=180)).preset == "overview"
    assert what_now(s, base + timedelta(seconds=75)).since == base + timedelta(seconds=60)
    assert next_change(s, base + timedelta(seconds=1)) == base + timedelta(seconds=60)
    assert next_change(s, base + timedelta(seconds=60)) == base + timedelta(seconds=120)


def test_a_slot_pre_empts_the_rotation_and_the_rotation_resumes_at_its_end() -> None:
    s = _schedule(BRIEFING, rotation=ROTATE)
    assert what_now(s, _at(2, 7, 29, 30)).why == ROTATION
    assert next_change(s, _at(2, 7, 29, 30)) == _at(2, 7, 30)
    # Inside the slot the rotation's steps change nothing: the next change is its end.
    assert next_change(s, _at(2, 7, 30)) == _at(2, 8, 30)
    assert what_now(s, _at(2, 8, 30)).why == ROTATION


def test_a_period_is_named_the_same_way_everywhere() -> None:
    s = _schedule(BRIEFING)
    one = what_now(s, _at(2, 7, 31))
    two = what_now(s, _at(2, 8, 1).astimezone(UTC))
    assert one.key == two.key == "giao-ban-sang@2025-06-02T00:30:00+00:00"
    assert what_now(s, _at(3, 7, 31)).key != one.key
    assert Decision(None).key is None
