"""The wall's schedule at start-up: which file (``--schedule FILE|none``, default the wall's
shipped ``layouts/schedules/<wall id>.yaml`` when there is one), checked as ``validate``
checks it (a bad file stops the start with the same messages), and its ``Scheduler`` for
as long as the runtime runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from command_center.audit import AuditStore
from command_center.control_store import ControlStore
from command_center.server.scheduler import Scheduler, SwitchedWall
from command_center.server.timers import wall_ms
from command_center.settings import Settings
from layouts import schedule_file_for
from layouts.model import PresetSpec
from layouts.schedule_check import load_schedule
from layouts.schedule_model import Schedule


def schedule_path(settings: Settings, wall_id: str) -> Path | None:
    """The schedule file this start uses, if any."""
    if settings.schedule_file is not None:
        return settings.schedule_file
    shipped = schedule_file_for(wall_id)
    return shipped if settings.shipped_schedule and shipped.exists() else None


def load_wall_schedule(
    settings: Settings, wall_id: str, presets: Mapping[str, PresetSpec]
) -> Schedule | None:
    """The checked schedule; ``SpecError`` listing every problem of a bad file."""
    path = schedule_path(settings, wall_id)
    return None if path is None else load_schedule(path, presets)


@asynccontextmanager
async def run_schedule(
    settings: Settings,
    schedule: Schedule | None,
    wall_id: str,
    hub: SwitchedWall,
    audit_store: AuditStore,
    holder: str,
    control: ControlStore,
    held: Callable[[], bool] = lambda: False,
) -> AsyncIterator[Scheduler | None]:
    """The running scheduler (None without a schedule); stopped on exit."""
    if schedule is None:
        yield None
        return
    offset_ms = settings.clock_offset_s * 1000.0
    scheduler = Scheduler(
        schedule,
        wall_id,
        hub,
        control,
        audit_store,
        holder=holder,
        clock=lambda: wall_ms() + offset_ms,
        held=held,
    )
    scheduler.start()
    try:
        yield scheduler
    finally:
        await scheduler.stop()
