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
