"""The schedule's driver on a hand-driven clock with a real hub and real stores: a slot fires
at its time, a switch by the officer is kept until the next change, a held wall is not
switched until let go, a restart or a second process does not switch again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from timersupport import FakeTimers
from wallsupport import wait_until

from command_center.auth import Principal, Role
from command_center.control_store import ControlStore, open_control_store
from command_center.server.runtime import WallRuntime
from command_center.server.scheduler import Scheduler
from layouts.schedule_model import Rotation, Schedule, ScheduleSlot

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER = Principal("truc-ban", Role.DUTY_OFFICER)
SLOT = ScheduleSlot(
    id="sang",
    title_vi="Giao ban",
    title_en="Briefing",
    days=frozenset({"mon"}),
    start_min=7 * 60 + 30,
    end_min=8 * 60 + 30,
    preset="map-national",
)
# The wall-2x2's presets: overview (the wall starts on it), map-national, emergency-banner…
SCHEDULE = Schedule(timezone="Asia/Ho_Chi_Minh", slots=(SLOT,), rotation=None, source="t")
ROTATING = SCHEDULE.model_copy(
    update={"rotation": Rotation(every_s=600, presets=("emergency-banner", "calibration"))}
)
# Monday 2 June 2025, 07:29:50 in Hà Nội: ten seconds before the slot.
START = datetime(2025, 6, 2, 7, 29, 50, tzinfo=HCM)


@pytest.fixture
async def control(tmp_path: Path) -> AsyncIterator[ControlStore]:
    async with open_control_store(tmp_path / "control", None) as store:
        yield store


class Rig:
    """Schedulers on one fake clock that starts at ``START``."""

    def __init__(self, rt: WallRuntime, control: ControlStore) -> None:
        self.rt = rt
        self.control = control
        self.timers = FakeTimers()
        self.held = False
        self.running: list[Scheduler] = []

    def clock(self) -> float:
        return START.timestamp() * 1000.0 + (self.timers.now - 1000.0) * 1000.0

    async def scheduler(self, schedule: Schedule, holder: str = "p1") -> Scheduler:
        s = Scheduler(
            schedule,
            self.rt.wall.id,
            self.rt.hub,
            self.control,
            self.rt.store,
            holder=holder,
            clock=self.clock,
            timers=self.timers,
            held=lambda: self.held,
        )
        self.running.append(s)
        s.start()
        await self.advance(0, s)
        return s

    async def advance(self, seconds: float, *waiting: Scheduler) -> None:
        """Move the clock; wait for each of ``waiting`` to have taken one more look."""
        before = [s.looks for s in waiting]
        self.timers.advance(seconds)
        for s, n in zip(waiting, before, strict=True):
            await wait_until(lambda s=s, n=n: s.looks > n, what="the scheduler's look")

    async def schedule_rows(self) -> list[tuple[str, str, str]]:
        rows = await self.rt.store.audit(limit=100)
        return [
            (r.actor, r.action, r.target)
            for r in reversed(rows)
            if r.action in ("schedule_switch", "switch_layout")
        ]


@pytest.fixture
async def rig(rt: WallRuntime, control: ControlStore) -> AsyncIterator[Rig]:
    made = Rig(rt, control)
    yield made
    for s in made.running:
        await s.stop()


async def test_a_slot_fires_at_its_time(rig: Rig) -> None:
    s = await rig.scheduler(SCHEDULE)
    assert rig.rt.hub.state.preset == "overview"  # before the slot: nothing to show
    assert s.ahead() is not None and s.ahead()[0] == START.replace(second=0, minute=30)  # type: ignore[index]

    await rig.advance(10, s)
    assert rig.rt.hub.state.preset == "map-national"
    assert rig.rt.hub.state.switched_by == "lich-trinh"
    assert await rig.schedule_rows() == [
        ("lich-trinh", "switch_layout", "map-national"),
        ("lich-trinh", "schedule_switch", "map-national"),
    ]
    rows = await rig.rt.store.audit(limit=1)
    assert rows[0].detail["why"] == "sang" and rows[0].detail["from"] == "overview"


async def test_the_officers_switch_is_kept_until_the_next_change(rig: Rig) -> None:
    s = await rig.scheduler(ROTATING)
    assert rig.rt.hub.state.preset in ("emergency-banner", "calibration")  # the rotation
    await rig.advance(10, s)
    assert rig.rt.hub.state.preset == "map-national"
    await rig.rt.hub.switch("overview", OFFICER)

    looks = s.looks
    rig.timers.advance(3599)  # to 08:29:59: no change point inside the slot
    assert s.looks == looks
    assert rig.rt.hub.state.preset == "overview"

    # A restart (a new scheduler on the same stores) finds the slot already shown.
    await s.stop()
    again = await rig.scheduler(ROTATING, holder="p1-restarted")
    assert rig.rt.hub.state.preset == "overview"

    await rig.advance(1, again)  # 08:30: the slot ends, the rotation takes over
    assert rig.rt.hub.state.preset in ("emergency-banner", "calibration")
    assert rig.rt.hub.state.switched_by == "lich-trinh"


async def test_a_held_wall_is_not_switched_until_let_go(rig: Rig) -> None:
    s = await rig.scheduler(SCHEDULE)
    rig.held = True
    await rig.advance(10, s)
    assert rig.rt.hub.state.preset == "overview"
    assert await rig.schedule_rows() == []

    rig.held = False
    await s.resume()
    assert rig.rt.hub.state.preset == "map-national"
    # The officer switches; another resume() (another alert let go) keeps their choice.
    await rig.rt.hub.switch("overview", OFFICER)
    await s.resume()
    assert rig.rt.hub.state.preset == "overview"
    assert [r for r in await rig.schedule_rows() if r[1] == "schedule_switch"] == [
        ("lich-trinh", "schedule_switch", "map-national")
    ]


async def test_a_held_wall_switches_at_the_next_look_when_let_go(rig: Rig) -> None:
    s = await rig.scheduler(SCHEDULE)
    rig.held = True
    await rig.advance(10, s)
    rig.held = False
    await rig.advance(15, s)
    assert rig.rt.hub.state.preset == "map-national"


async def test_two_processes_switch_once(rig: Rig) -> None:
    one = await rig.scheduler(SCHEDULE, holder="p1")
    two = await rig.scheduler(SCHEDULE, holder="p2")
    await rig.advance(10, one, two)
    await rig.advance(15, two)  # the one without the lease looks again, finds it done
    assert rig.rt.hub.state.preset == "map-national"
    assert [r for r in await rig.schedule_rows() if r[1] == "schedule_switch"] == [
        ("lich-trinh", "schedule_switch", "map-national")
    ]
