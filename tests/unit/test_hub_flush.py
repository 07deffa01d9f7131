"""The hub's flush: one message per screen per tick, only what changed, and a busy (slow)
screen never delays the others. The hub runs on a real embedded store and in-memory bus;
the links are recording stand-ins for WebSockets (the WebSocket path has its own tests).
Pacing runs on fake timers the tests advance by hand: no test here waits on the clock."""

from __future__ import annotations

from timersupport import FakeTimers
from wallsupport import RecordingLink

from command_center.protocol import LayoutMessage
from command_center.server.hub import ScreenHub


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
    paced_hub: tuple[ScreenHub, FakeTimers],
) -> None:
    hub, timers = paced_hub  # a 100 ms period
    link = RecordingLink(hub.wall.screens[0].id)
    await hub.attach(link, None)
    tile = first_tile(link)
    hub.push(tile, {"n": 0}, ts=0.0)
    timers.advance(0)  # no time passes: the quiet screen is sent to at once
    assert [m.tiles for m in link.data()] == [{tile: {"n": 0}}]
    for i in range(1, 300):
        hub.push(tile, {"n": i}, ts=float(i))
    timers.advance(0.09)
    assert len(link.data()) == 1  # the burst waits for the period (100 ms) to end...
    timers.advance(0.02)
    assert [m.tiles for m in link.data()][1:] == [{tile: {"n": 299}}]  # ...then goes as one
    assert timers.pending == 0  # and nothing more is scheduled


async def test_the_console_sees_a_screen_that_cannot_keep_up(
    paced_hub: tuple[ScreenHub, FakeTimers],
) -> None:
    hub, timers = paced_hub
    screen = hub.wall.screens[0].id
    link = RecordingLink(screen, busy=True)
    await hub.attach(link, None)
    hub.push(first_tile(link), {"n": 1}, ts=1.0)
    timers.advance(0)  # the send is due at once, but the link is still writing
    assert link.data() == []
    timers.advance(0.11)  # a period later: still writing, skipped again
    row = next(s for s in hub.snapshot()["screens"] if s["id"] == screen)
    assert row["skipped_flushes"] == 2
    link.busy = False
    timers.advance(0.11)  # it caught up: the newest value goes out
    assert [m.tiles for m in link.data()] == [{first_tile(link): {"n": 1}}]
