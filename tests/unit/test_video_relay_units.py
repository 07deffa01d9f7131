"""The relay's pure parts: a subscriber's bounded queue, keyframe pacing, the speaker."""

from __future__ import annotations

import asyncio
import itertools
import time

from video.aiortc_hooks import EncodedFrame
from video.forward_track import ForwardTrack
from video.source import MediaSource
from video.speaker import SpeakerTracker


def frame(n: int, gop: int = 10) -> EncodedFrame:
    key = n % gop == 0
    data = bytes([0x10 if key else 0x11]) + n.to_bytes(4, "big")
    return EncodedFrame("VP8", data, n * 3000, key, time.time())


async def test_a_slow_subscriber_drops_to_a_keyframe_and_the_fast_one_gets_every_frame() -> None:
    requests: list[int] = []

    async def request() -> bool:
        requests.append(1)
        return True

    source = MediaSource("hue", "video", request, keyframe_interval_s=0.0)
    fast = ForwardTrack("video", capacity=8)
    slow = ForwardTrack("video", capacity=8)
    source.attach(fast)
    source.attach(slow)
    got_fast: list[int] = []
    got_slow: list[int] = []

    async def read(track: ForwardTrack, into: list[int], every: int) -> None:
        while True:
            packet = await track.recv()
            into.append(int.from_bytes(bytes(packet)[1:5], "big"))
            if every:
                await asyncio.sleep(0.001 * every)

    readers = [
        asyncio.ensure_future(read(fast, got_fast, 0)),
        asyncio.ensure_future(read(slow, got_slow, 0)),
    ]
    for n in range(100):
        source.deliver(frame(n))
        await asyncio.sleep(0)  # both readers keep up
    readers[1].cancel()  # the slow one stops reading for a while
    for n in range(100, 200):
        source.deliver(frame(n))
        await asyncio.sleep(0)
    readers.append(asyncio.ensure_future(read(slow, got_slow, 0)))  # and comes back
    for n in range(200, 300):
        source.deliver(frame(n))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    for task in readers:
        task.cancel()
    assert got_fast == list(range(300)), "the fast subscriber lost nothing"
    assert slow.resyncs >= 1 and slow.dropped > 0
    # After every gap the slow subscriber restarts on a keyframe: no delta frame without
    # the frames it depends on.
    for before, after in itertools.pairwise(got_slow):
        if after != before + 1:
            assert after % 10 == 0, f"resumed at {after}, not a keyframe"
    assert got_slow[-1] == 299
    await asyncio.sleep(0.01)
    assert requests, "the resync asked the publisher for a keyframe"


async def test_keyframe_requests_are_paced() -> None:
    sent: list[float] = []

    async def request() -> bool:
        sent.append(time.monotonic())
        return True

    source = MediaSource("hue", "video", request, keyframe_interval_s=10.0)
    for _ in range(20):
        source.want_keyframe()
    await asyncio.sleep(0.05)
    assert len(sent) == 1  # twenty requests in a burst, one PLI
    source.close()


def test_timestamps_stay_monotonic_across_a_source_switch() -> None:
    track = ForwardTrack("video", capacity=100)
    a, b = object(), object()
    for n in range(5):
        track.offer(frame(n * 10 if n == 0 else n), a)
    track.offer(EncodedFrame("VP8", b"\x10k", 90, True, time.time()), b)  # b's clock is behind
    pts = [p for _, p in track._queue]
    assert pts == sorted(pts) and len(set(pts)) == len(pts)


def test_the_speaker_needs_a_lead_to_take_the_floor() -> None:
    tracker = SpeakerTracker(speech_level=50, hold_s=0.5)
    everyone = {"room", "hue"}
    assert tracker.update("room", 20, 0.0, everyone) == "room"
    assert tracker.update("hue", 10, 0.1, everyone) is None  # louder, not yet long enough
    assert tracker.update("room", 127, 0.2, everyone) is None
    assert tracker.update("hue", 10, 0.7, everyone) == "hue"
    # A muted (ineligible) point never takes the floor; silence never does.
    assert tracker.update("room", 5, 0.8, {"hue"}) is None
    assert tracker.forget("hue") and tracker.current is None


def test_packet_sizes_stand_in_for_a_level() -> None:
    from video.speaker import PacketActivity

    activity = PacketActivity(speech_level=50)
    now = 1000.0
    assert all(activity.level(3, now + i * 0.02) == 127 for i in range(50))  # digital silence
    levels = [activity.level(300, now + 1 + i * 0.02) for i in range(10)]
    assert levels[-1] < 50, "a tone is sound"
    assert [activity.level(3, now + 2 + i * 0.02) for i in range(10)][-1] == 127
    # Louder (bigger packets) reads as a lower (louder) level.
    loud = PacketActivity(50)
    quiet = PacketActivity(50)
    for i in range(20):
        loud.level(3, now + i * 0.02)
        quiet.level(3, now + i * 0.02)
    assert loud.level(600, now + 1) < quiet.level(60, now + 1) < 50
    # A stream that never pauses still counts (the quiet-size threshold is capped).
    steady = PacketActivity(50)
    assert [steady.level(300, now + i * 0.02) for i in range(100)][-1] < 50
    # Comfort noise a little above the silent size is not speech.
    noise = PacketActivity(50)
    assert [noise.level(10, now + i * 0.02) for i in range(100)][-1] == 127


def test_audio_floor_and_stable_slots() -> None:
    from video.speaker import assign_slots, audio_floor

    ranked = ["hue", "quang-ninh", "room", "da-nang"]
    # The room hears the latest speakers, never itself.
    assert audio_floor(ranked, "room", [], 3) == ["hue", "quang-ninh", "da-nang"]
    # A point hears the room and the program first.
    assert audio_floor(ranked, "da-nang", ["room", "quang-ninh"], 3) == [
        "room",
        "quang-ninh",
        "hue",
    ]
    assert audio_floor(["hue"], "hue", [], 3) == []
    # Those already on a slot keep it; a newcomer takes the freed slot.
    assert assign_slots(["hue", "quang-ninh", "da-nang"], ["csb-8003", "hue", "da-nang"]) == [
        "hue",
        "csb-8003",
        "da-nang",
    ]
    assert assign_slots([None, None, None], ["hue"]) == ["hue", None, None]
    assert assign_slots(["hue", None], []) == [None, None]
