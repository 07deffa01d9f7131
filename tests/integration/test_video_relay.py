"""The media path on real aiortc peers over 127.0.0.1: publisher -> server -> subscribers.

Publishers send frames encoded once up front (``EncodedLoopTrack``), so the bytes sent are
known and a subscriber's received frames can be compared with them: equal bytes prove the
server forwards and never transcodes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from relaysupport import cred, publisher, subscriber, video_runtime
from wallsupport import wait_until

from command_center.server.runtime import WallRuntime
from video.media import EncodedClip, encode_clip


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with video_runtime(tmp_path) as runtime:
        yield runtime


async def test_subscriber_receives_the_publishers_exact_bytes(
    rt: WallRuntime, clip: EncodedClip
) -> None:
    async with (
        publisher(rt, "quang-ninh", clip) as (_, sent),
        subscriber(rt, "quang-ninh", cred(rt, "hue")) as (_, got),
    ):
        await wait_until(lambda: got.count() >= 45, within=20, what="45 forwarded frames")
    frames = got.frames["video"]
    assert frames[0].keyframe, "a new subscriber starts at a keyframe"
    # Every frame is one of the clip's encoded frames, byte for byte, in clip order.
    index = clip.frames.index(frames[0].data)
    for offset, frame in enumerate(frames):
        expected = clip.frames[(index + offset) % len(clip.frames)]
        if frame.data != expected:  # a keyframe jump (PLI) restarts at a keyframe
            assert frame.keyframe and frame.data in clip.frames, f"frame {offset} was altered"
            index = clip.frames.index(frame.data) - offset
    assert sent.keyframe_requests >= 1, (
        "the new subscriber's keyframe request reached the publisher"
    )


async def test_two_subscribers_and_a_screen_all_get_frames(
    rt: WallRuntime, clip: EncodedClip
) -> None:
    from wallsupport import screen_token

    screen = rt.wall.screens[0].id
    async with (
        publisher(rt, "hue", clip),
        subscriber(rt, "hue", cred(rt, "quang-ninh")) as (_, a),
        subscriber(rt, "hue", f"screen:{screen}:{screen_token(rt, screen)}") as (_, b),
    ):
        await wait_until(lambda: a.count() >= 30 and b.count() >= 30, within=20, what="frames")
        assert rt.video is not None
        status = rt.video.status("hue")
        assert status.in_call and status.online and status.subscribers == 2


async def test_a_publisher_that_drops_and_comes_back(rt: WallRuntime, clip: EncodedClip) -> None:
    async with subscriber(rt, "program", cred(rt, "hue")) as (_, got):
        async with publisher(rt, "room", clip):
            await wait_until(lambda: got.count() >= 20, within=20, what="frames before the drop")
        assert rt.video is not None
        await wait_until(lambda: not rt.video.status("room").online, what="the room to leave")
        before = got.count()
        async with publisher(rt, "room", clip):
            await wait_until(lambda: got.count() >= before + 20, within=20, what="frames again")
        after = got.frames["video"][before:]
        assert after[0].keyframe, "the returning publisher's frames start at a keyframe"
        assert all(f.data in clip.frames for f in after)


async def test_a_new_post_replaces_the_old_session(rt: WallRuntime, clip: EncodedClip) -> None:
    assert rt.video is not None
    async with publisher(rt, "da-nang", clip) as (first, _):
        old = rt.video.publishers["da-nang"].id
        async with publisher(rt, "da-nang", clip) as (second, _):
            assert rt.video.publishers["da-nang"].id != old
            await wait_until(lambda: rt.video.status("da-nang").in_call, what="the new session")
            assert first.resource != second.resource
        await asyncio.sleep(0)  # the first link's DELETE names a replaced session: 404, ignored


async def test_mute_stops_a_points_sound_and_program_switches_what_points_see(
    rt: WallRuntime, clip: EncodedClip
) -> None:
    assert rt.video is not None
    room = rt.video
    other = encode_clip(frames=30, width=160, height=90, gop=30)
    async with (
        publisher(rt, "room", clip, audio=True),
        publisher(rt, "hue", other, audio=True),
        subscriber(rt, "hue", cred(rt, "quang-ninh")) as (_, direct),
        subscriber(rt, "program", cred(rt, "quang-ninh")) as (_, program),
    ):
        await wait_until(lambda: direct.count("audio") >= 20, within=20, what="hue's sound")
        await wait_until(lambda: program.count() >= 20, within=20, what="the room's picture")
        assert all(f.data in clip.frames for f in program.frames["video"])  # the room by default
        await room.control.set_muted("hue", True, "truc-ban")
        await asyncio.sleep(0.3)  # packets already in flight
        heard, seen = direct.count("audio"), direct.count()
        await wait_until(lambda: direct.count() >= seen + 20, within=20, what="hue's picture")
        assert direct.count("audio") <= heard + 2, "a muted point's sound reached a subscriber"
        await room.control.set_program("hue", "truc-ban")
        before = program.count()
        await wait_until(
            lambda: sum(f.data in other.frames for f in program.frames["video"][before:]) >= 20,
            within=20,
            what="the points to see hue",
        )
        switched = program.frames["video"][before:]
        first_hue = next(i for i, f in enumerate(switched) if f.data in other.frames)
        assert switched[first_hue].keyframe, "the switch starts at a keyframe of the new source"
