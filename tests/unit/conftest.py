"""Fixtures of the unit tests: a screen hub on a real embedded store and in-memory bus,
paced by the event loop (``hub``) or by a clock the test advances (``paced_hub``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from timersupport import FakeTimers

from command_center.bus import MemoryBus
from command_center.server.composition import build_registry
from command_center.server.hub import ScreenHub
from command_center.store import open_store
from feeds.catalogue import Catalogue
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_presets, load_wall


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[ScreenHub]:
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    async with open_store(tmp_path, None) as store:
        bus = MemoryBus()
        # A very slow flush rate: the test drives flush() itself.
        hub = ScreenHub(wall, presets, store, bus, flush_hz=0.01)
        await hub.start()
        yield hub
        await hub.stop()
        await bus.close()


@pytest.fixture
async def paced_hub(tmp_path: Path) -> AsyncIterator[tuple[ScreenHub, FakeTimers]]:
    """A hub whose data pacing runs on fake timers: a 100 ms flush period (10 Hz) that passes
    only when the test calls ``timers.advance``."""
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    timers = FakeTimers()
    async with open_store(tmp_path, None) as store:
        bus = MemoryBus()
        hub = ScreenHub(wall, presets, store, bus, flush_hz=10, timers=timers)
        await hub.start()
        yield hub, timers
        await hub.stop()
        await bus.close()


@pytest.fixture(scope="session")
def judging_catalogue() -> Catalogue:
    """Made-up indicators, one per judging case (tests/data/judging-catalogue.yaml): the
    judging rules tested without the shipped catalogue's facts, which change by decree."""
    text = (Path(__file__).resolve().parents[1] / "data" / "judging-catalogue.yaml").read_text(
        encoding="utf-8"
    )
    return Catalogue.model_validate(yaml.safe_load(text))
