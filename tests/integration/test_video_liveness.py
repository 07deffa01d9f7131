"""The roster does not lie: a publisher whose frames stop is "no media" (not in call) until
they come back, and a peer that vanishes without a DELETE (its process killed) is noticed
within seconds, shown offline, and its sessions cleaned up. Real aiortc peers on
127.0.0.1; the vanishing one is the headless client as a separate process, killed -9.
"Longer than the link timeout" is skipped on the room's clock, not slept out."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

from relaysupport import LOOPBACK, base, client_process, publisher
from videoclocksupport import SteppedClock
from wallsupport import settings_for, wait_until

from command_center.bus import Bus
from command_center.messages import BridgePointState
from command_center.server.runtime import open_runtime
from video.config import VideoConfig
from video.events import Joined, Left, PointChanged, RoomEvent
from video.media import encode_clip
from video.room import VideoRoom
from video.tokens import point_token

CONFIG = VideoConfig(
    host_addresses=LOOPBACK, media_timeout_s=2.0, link_timeout_s=5.0, stats_interval_s=1.0
)


@contextlib.asynccontextmanager
async def recording(
    bus: Bus, room: VideoRoom, point: str
) -> AsyncIterator[tuple[list[BridgePointState], list[RoomEvent]]]:
    """The point's ``BridgePointState`` messages on the bus and the room's events, from
    the moment both readers are subscribed."""
    states: list[BridgePointState] = []
    events: list[RoomEvent] = []
    live = (asyncio.Event(), asyncio.Event())

    async def bus_reader() -> None:
        async with bus.subscribe() as messages:
            live[0].set()
            async for message in messages:
                if isinstance(message, BridgePointState) and message.point == point:
                    states.append(message)

    async def event_reader() -> None:
        async with room.listen() as queue:
            live[1].set()
            while (event := await queue.get()) is not None:
                events.append(event)

    tasks = [asyncio.ensure_future(bus_reader()), asyncio.ensure_future(event_reader())]
    await wait_until(lambda: all(e.is_set() for e in live), what="the recorders subscribed")
    try:
        yield states, events
    finally:
        for task in tasks:
            task.cancel()


async def test_stalled_media_shows_no_media_and_recovers(tmp_path: Path) -> None:
    clock = SteppedClock()
    async with open_runtime(settings_for(tmp_path), video_config=CONFIG, video_clock=clock) as rt:
        assert rt.video is not None
        room = rt.video
        async with (
            recording(rt.bus, room, "hue") as (states, events),
            publisher(rt, "hue", encode_clip(30, 160, 90)) as (_, track),
        ):
            await wait_until(lambda: room.status("hue").in_call, within=20, what="in call")
            track.pause()  # a frozen camera: no frames, but the peer and its RTCP live on
            await wait_until(
                lambda: room.status("hue").no_media, within=20, what="hue shown as no media"
            )
            status = room.status("hue")
            assert status.online and not status.in_call
            await wait_until(
                lambda: states and states[-1].online and not states[-1].in_call,
                within=10,
                what="BridgePointState: online, not in call",
            )
            await wait_until(
                lambda: any(
                    isinstance(e, PointChanged) and e.status.id == "hue" and e.status.no_media
                    for e in events
                ),
                within=10,
                what="a 'point' event saying no media",
            )
            # Longer than the link timeout: the peer is alive (RTCP, STUN), so it stays. The
            # clock skips ahead in steps shorter than the timeout, each time until the
            # peer is heard again (a peer heard before the skip only would be dropped).
            session = room.publishers["hue"]
            step = CONFIG.link_timeout_s * 0.4
            for _ in range(3):
                clock.advance(step)
                skipped_to = clock.now()
                await wait_until(
                    lambda at=skipped_to: (session.liveness.heard_at or 0.0) >= at,
                    within=10,
                    what="hue heard after the skip",
                )
            assert clock.now() - session.created_at > CONFIG.link_timeout_s
            room.links.check()  # the watchdog's tick, at once
            assert room.status("hue").online and room.publishers.get("hue") is session
            joined_before = sum(isinstance(e, Joined) for e in events)
            track.resume()
            await wait_until(lambda: room.status("hue").in_call, within=20, what="back in call")
            assert not room.status("hue").no_media
            await wait_until(
                lambda: states[-1].in_call, within=10, what="BridgePointState: in call again"
            )
            assert sum(isinstance(e, Joined) for e in events) == joined_before + 1
            assert not any(isinstance(e, Left) for e in events)


async def test_a_killed_client_is_noticed_shown_offline_and_cleaned_up(tmp_path: Path) -> None:
    async with open_runtime(settings_for(tmp_path), video_config=CONFIG) as rt:
        assert rt.video is not None
        room = rt.video
        point = "csb-8003"
        async with recording(rt.bus, room, point) as (states, events):
            proc = await client_process(
                base(rt), point, point_token(rt.keys.devices, point), "--watch", "program"
            )
            try:
                await wait_until(
                    lambda: (
                        room.status(point).in_call
                        and any(w.viewer == f"point:{point}" for w in room.watchers.values())
                    ),
                    within=40,
                    what="the ship publishing and watching",
                )
                proc.send_signal(signal.SIGKILL)  # no DELETE, no RTCP BYE, nothing
                await proc.wait()
                killed = time.monotonic()
                await wait_until(
                    lambda: not room.status(point).online, within=30, what="the ship offline"
                )
                noticed = time.monotonic() - killed
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
            print(f"a killed client was noticed after {noticed:.1f} s")
            assert point not in room.publishers
            await wait_until(
                lambda: not any(w.viewer == f"point:{point}" for w in room.watchers.values()),
                within=CONFIG.link_timeout_s * 3,
                what="the ship's WHEP session cleaned up",
            )
            left = [e for e in events if isinstance(e, Left) and e.point == point]
            assert [e.reason for e in left] == ["link_lost"]
            await wait_until(
                lambda: states and not states[-1].online and not states[-1].in_call,
                within=10,
                what="BridgePointState: offline",
            )
            roster = {p.id: p for p in room.roster().points}
            assert not roster[point].online and not roster[point].in_call
