"""A preset on a zone of the wall (issue 14 pt 2): only the zone's screens swap, together; the
rest keep their layout and are sent nothing; a whole-wall switch drops every zone's preset.
Two hubs on one embedded store and in-memory bus stand for two server processes (the Redis
pair is in tests/integration/test_multiprocess.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from wallsupport import RecordingLink, wait_until

from command_center.auth import Principal, Role
from command_center.bus import MemoryBus
from command_center.errors import NotFoundError
from command_center.messages import LayoutSwitched
from command_center.protocol import LayoutMessage
from command_center.server.composition import build_registry
from command_center.server.hub import ScreenHub
from command_center.server.wall_layouts import screen_presets, zone_targets
from command_center.store import Store, WallState, open_store
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_presets, load_wall
from layouts.model import ZoneSpec

DUTY = Principal("duty", Role.DUTY_OFFICER)
LEFT = ("r1c1", "r1c2", "r2c1", "r2c2")
RIGHT = ("r1c3", "r1c4", "r2c3", "r2c4")


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[ScreenHub, ScreenHub, Store, MemoryBus]]:
    """Two hubs ("processes") sharing a store and a bus."""
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    async with open_store(tmp_path, None) as store:
        bus = MemoryBus()
        a = ScreenHub(wall, presets, store, bus, flush_hz=0.01)
        b = ScreenHub(wall, presets, store, bus, flush_hz=0.01)
        await a.start()
        await b.start()
        yield a, b, store, bus
        await b.stop()
        await a.stop()
        await bus.close()


async def linked(hub: ScreenHub) -> dict[str, RecordingLink]:
    links = {s.id: RecordingLink(s.id) for s in hub.wall.screens}
    for link in links.values():
        await hub.attach(link, None)
        link.sent.clear()
    return links


def layouts(link: RecordingLink) -> list[LayoutMessage]:
    return [m for m in link.sent if isinstance(m, LayoutMessage)]


async def test_a_zone_switch_swaps_only_the_zones_screens_at_one_instant(
    hub: ScreenHub,
) -> None:
    links = await linked(hub)
    report = await hub.switch("map-national", DUTY, zone="trai")

    for screen in LEFT:
        (message,) = layouts(links[screen])
        assert message.preset == "map-national" and message.swap_at == report.swap_at
        assert message.switch_id == report.switch_id
    for screen in RIGHT:
        assert layouts(links[screen]) == [], f"{screen} is outside the zone: sent nothing"
        assert hub.preset_of(screen) == "overview"
    assert report.expected == frozenset(LEFT) and report.zone == "trai"
    assert hub.state.preset == "overview" and hub.state.zones == {"trai": "map-national"}
    snap = hub.snapshot()
    assert snap["zones"] == {"trai": "map-national"}
    assert {s["id"]: s["preset"] for s in snap["screens"]}["r1c3"] == "overview"
    # A screen linking later shows its own zone's preset.
    late = RecordingLink("r2c1", preview=True)
    await hub.attach(late, None)
    assert layouts(late)[0].preset == "map-national"


async def test_a_whole_wall_switch_drops_every_zones_preset(hub: ScreenHub) -> None:
    await hub.switch("map-national", DUTY, zone="trai")
    await hub.switch("calibration", DUTY, zone="phai")
    links = await linked(hub)
    report = await hub.switch("overview", DUTY)
    assert hub.state.zones == {}
    assert all(hub.preset_of(s) == "overview" for s in (*LEFT, *RIGHT))
    assert all([m.preset for m in layouts(link)] == ["overview"] for link in links.values())
    assert report.zone is None and report.expected == frozenset((*LEFT, *RIGHT))


async def test_the_zone_switch_is_stored_and_audited_with_its_zone(
    pair: tuple[ScreenHub, ScreenHub, Store, MemoryBus],
) -> None:
    a, _, store, _ = pair
    await a.switch("map-national", DUTY, zone="phai")
    stored = await store.get_state()
    assert stored.zones == {"phai": "map-national"} and stored.preset == "overview"
    (entry,) = [e for e in await store.audit() if e.action == "switch_layout"]
    assert entry.target == "map-national"
    assert entry.detail["zone"] == "phai" and entry.detail["from"] == "overview"


async def test_an_unknown_zone_is_named_with_a_did_you_mean(hub: ScreenHub) -> None:
    with pytest.raises(NotFoundError, match=r"unknown zone 'tria' .*did you mean 'trai'\?"):
        await hub.switch("map-national", DUTY, zone="tria")
    assert hub.state.zones == {} and hub.state.version == 1


async def test_another_process_follows_a_zone_switch_through_the_bus(
    pair: tuple[ScreenHub, ScreenHub, Store, MemoryBus],
) -> None:
    a, b, _, _ = pair
    links = await linked(b)
    report = await a.switch("map-national", DUTY, zone="trai")
    await wait_until(lambda: b.state.version == a.state.version, what="b heard the switch")
    assert b.state.zones == {"trai": "map-national"}
    for screen in LEFT:
        (message,) = layouts(links[screen])
        assert message.preset == "map-national" and message.swap_at == report.swap_at
    assert all(layouts(links[s]) == [] for s in RIGHT)
    # And the whole wall afterwards, zones dropped there too.
    await a.switch("calibration", DUTY)
    await wait_until(lambda: b.state.version == a.state.version, what="b heard the switch")
    assert b.state.zones == {} and b.preset_of("r1c1") == "calibration"


async def test_a_process_that_missed_a_switch_reads_the_zones_from_the_store(
    pair: tuple[ScreenHub, ScreenHub, Store, MemoryBus],
) -> None:
    _, b, store, bus = pair
    # Two switches made elsewhere; only the second was heard: b cannot derive the state.
    before = await store.get_state()
    missed = WallState(
        preset="calibration", zones={"phai": "map-national"}, version=before.version + 2
    )
    assert await store.compare_and_set_state(before.version, missed)
    await bus.publish(
        LayoutSwitched(
            preset="map-national",
            version=missed.version,
            switch_id="elsewhere",
            swap_at=0.0,
            actor="duty",
            zone="phai",
        )
    )
    await wait_until(lambda: b.state.version == missed.version, what="b re-read the state")
    assert b.preset_of("r1c1") == "calibration" and b.preset_of("r2c4") == "map-national"


def test_a_screen_in_two_zones_shows_the_first_listed_zones_preset() -> None:
    wall = load_wall(DEFAULT_WALL_FILE)
    middle = ZoneSpec(id="giua", name_vi="Giữa", name_en="Middle", screens=("r1c2", "r1c3"))
    wall = wall.model_copy(update={"zones": {**wall.zones, "giua": middle}})
    presets = ("overview", "map-national", "calibration")
    state = WallState(preset="overview", zones={"giua": "calibration", "trai": "map-national"})
    shown = screen_presets(wall, presets, state)
    # trai is listed before giua: r1c2 stays with trai; r1c3 is giua's alone.
    assert shown["r1c2"] == "map-national" and shown["r1c3"] == "calibration"
    assert shown["r1c4"] == "overview"
    assert zone_targets(wall, "giua", state.zones) == ("r1c3",)
    # A zone or preset the files no longer have is ignored.
    stale = WallState(preset="overview", zones={"gone": "map-national", "phai": "old"})
    assert set(screen_presets(wall, presets, stale).values()) == {"overview"}
