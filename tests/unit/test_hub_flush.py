"""The hub's flush: one message per screen per tick, only what changed, and a busy (slow)
screen never delays the others. The hub runs on a real embedded store and in-memory bus;
the links are recording stand-ins for WebSockets (the WebSocket path has its own tests)."""

from __future__ import annotations

from pathlib import Path

from wallsupport import RecordingLink

from command_center.bus import MemoryBus
from command_center.protocol import LayoutMessage
from command_center.server.composition import build_registry
from command_center.server.hub import ScreenHub
from command_center.store import open_store
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_presets, load_wall


def first_tile(link: RecordingLink) -> str:
    layout = next(m for m in link.sent if isinstance(m, LayoutMessage))
    return layout.tiles[0].id


async def test_many_updates_become_one_message_with_the_latest_values(hub: ScreenHub) -> None:
    screen = hub.wall.screens[0].id
    link = RecordingLink(screen)
    await hub.attach(link, None)
    tile = first_tile(link)
    hub.flush()  # drop whatever start-up queued
    link.sent.clear()
    for i in range(500):
        hub.push(tile, {"vi": f"v{i}", "n": i}, ts=float(i))
    assert hub.flush() == 1
    (msg,) = link.data()
    assert msg.tiles == {tile: {"vi": "v499", "n": 499}}
    assert msg.ts == {tile: 499.0}
    assert hub.flush() == 0  # nothing changed since


async def test_a_busy_screen_is_skipped_and_later_gets_only_the_newest(hub: ScreenHub) -> None:
    a, b = (RecordingLink(s.id) for s in hub.wall.screens[:2])
    for link in (a, b):
        await hub.attach(link, None)
    tile_a, tile_b = first_tile(a), first_tile(b)
    for link in (a, b):
        link.sent.clear()
    a.busy = True
    for i in range(3):
        hub.push(tile_a, {"n": i}, ts=1.0)
        hub.push(tile_b, {"n": i}, ts=1.0)
        hub.flush()
    assert a.data() == []  # the slow screen got nothing while busy...
    assert len(b.data()) == 3  # ...and the other screen did not wait for it
    a.busy = False
    hub.flush()
    (msg,) = a.data()
    assert msg.tiles[tile_a] == {"n": 2}


async def test_switch_sends_each_screen_its_layout_once_with_one_instant(hub: ScreenHub) -> None:
    from command_center.auth import Principal, Role

    links = [RecordingLink(s.id) for s in hub.wall.screens]
    for link in links:
        await hub.attach(link, None)
        link.sent.clear()
    report = await hub.switch("calibration", Principal("duty", Role.DUTY_OFFICER))
    layouts = [[m for m in link.sent if isinstance(m, LayoutMessage)] for link in links]
    assert all(len(lay) == 1 for lay in layouts)
    assert {lay[0].swap_at for lay in layouts} == {report.swap_at}
    assert all(lay[0].preset == "calibration" for lay in layouts)
    assert report.expected == {s.id for s in hub.wall.screens}


async def test_the_first_change_goes_at_once_and_a_burst_waits_for_the_period(
    tmp_path: Path,
) -> None:
    import asyncio

    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    async with open_store(tmp_path, None) as store:
        bus = MemoryBus()
        hub = ScreenHub(wall, presets, store, bus, flush_hz=10)  # a 100 ms period
        await hub.start()
        try:
            link = RecordingLink(wall.screens[0].id)
            await hub.attach(link, None)
            tile = first_tile(link)
            hub.push(tile, {"n": 0}, ts=0.0)
            await asyncio.sleep(0)  # one loop turn: the quiet screen is sent to at once
            assert [m.tiles for m in link.data()] == [{tile: {"n": 0}}]
            for i in range(1, 300):
                hub.push(tile, {"n": i}, ts=float(i))
            await asyncio.sleep(0.01)
            assert len(link.data()) == 1  # the burst waits for the period to end...
            await asyncio.sleep(0.15)
            assert [m.tiles for m in link.data()][1:] == [{tile: {"n": 299}}]  # ...then one
        finally:
            await hub.stop()
            await bus.close()


async def test_the_console_sees_a_screen_that_cannot_keep_up(hub: ScreenHub) -> None:
    import asyncio

    screen = hub.wall.screens[0].id
    link = RecordingLink(screen, busy=True)
    await hub.attach(link, None)
    hub.push(first_tile(link), {"n": 1}, ts=1.0)
    await asyncio.sleep(0)  # the send is due at once, but the link is still writing
    assert link.data() == []
    row = next(s for s in hub.snapshot()["screens"] if s["id"] == screen)
    assert row["skipped_flushes"] == 1
