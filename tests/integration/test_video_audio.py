"""Sound on real aiortc peers over 127.0.0.1: the room hears every unmuted point (several
audio tracks, forwarded side by side, never mixed), the active speaker follows whoever
makes sound (with or without the RFC 6464 level extension), and the roster's RTT.

Publishers send Opus packets encoded once up front (``EncodedAudioTrack``), so each
point's sound is known by its bytes and a subscriber's frames name who it hears.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiortc.mediastreams import MediaStreamTrack
from relaysupport import LOOPBACK, Collector, base, cred, publisher, video_runtime
from wallsupport import wait_until

from command_center.server.runtime import WallRuntime
from video.media import EncodedAudioTrack, ToneTrack, encode_audio, encode_clip
from video.tokens import point_token
from video.whip_client import Link, SignallingError, publish, watch

TONES = {"hue": 440.0, "quang-ninh": 660.0, "da-nang": 880.0, "room": 550.0}


@pytest.fixture(scope="module")
def tones() -> dict[str, tuple[bytes, ...]]:
    return {point: encode_audio(freq, seconds=0.6) for point, freq in TONES.items()}


@pytest.fixture(scope="module")
def silence() -> tuple[bytes, ...]:
    return encode_audio(amplitude=0.0, seconds=0.2)


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with video_runtime(tmp_path, stats_interval_s=0.5) as runtime:
        yield runtime


@contextlib.asynccontextmanager
async def sound(rt: WallRuntime, point: str, track: MediaStreamTrack) -> AsyncIterator[Link]:
    link = await publish(
        base(rt), point, point_token(rt.keys.devices, point), [track], host_addresses=LOOPBACK
    )
    try:
        yield link
    finally:
        await link.close()


@contextlib.asynccontextmanager
async def listener(rt: WallRuntime, point: str, slots: int = 3) -> AsyncIterator[Collector]:
    """``point`` watching ``program`` with ``slots`` audio tracks."""
    got = Collector()
    got.frames.update({f"audio{slot}": [] for slot in range(1, slots)})
    link = await watch(
        base(rt), "program", cred(rt, point), got, host_addresses=LOOPBACK, audio_slots=slots
    )
    try:
        yield got
    finally:
        await link.close()


def heard(got: Collector, clip: tuple[bytes, ...]) -> set[str]:
    """The audio tracks (tags) on which ``got`` received frames of ``clip``."""
    packets = set(clip)
    return {tag for tag, frames in got.frames.items() if any(f.data in packets for f in frames)}


async def test_the_room_hears_every_unmuted_point_and_no_muted_one(
    rt: WallRuntime, tones: dict[str, tuple[bytes, ...]]
) -> None:
    assert rt.video is not None
    room = rt.video
    await room.control.set_muted("da-nang", True, "truc-ban")
    async with (
        sound(rt, "hue", EncodedAudioTrack({"tone": tones["hue"]}, "tone")),
        sound(rt, "quang-ninh", EncodedAudioTrack({"tone": tones["quang-ninh"]}, "tone")),
        sound(rt, "da-nang", EncodedAudioTrack({"tone": tones["da-nang"]}, "tone")),
        listener(rt, "room") as got,
        listener(rt, "hue") as hue_hears,
    ):
        await wait_until(
            lambda: heard(got, tones["hue"]) and heard(got, tones["quang-ninh"]),
            within=30,
            what="the room to hear both unmuted points",
        )
        # Each voice on a track of its own (the browser plays them side by side).
        assert heard(got, tones["hue"]).isdisjoint(heard(got, tones["quang-ninh"]))
        await wait_until(
            lambda: heard(hue_hears, tones["quang-ninh"]), within=30, what="hue hears quang-ninh"
        )
        received = sum(len(f) for tag, f in got.frames.items() if tag != "video")
        await wait_until(
            lambda: (
                sum(len(f) for tag, f in got.frames.items() if tag != "video") >= received + 100
            ),
            within=30,
            what="two more seconds of sound",
        )
        assert room.publishers["da-nang"].sources["audio"].frames > 50, "da-nang does send"
        assert not heard(got, tones["da-nang"]), "a muted point's sound was forwarded"
        assert not heard(hue_hears, tones["hue"]), "a point heard its own voice"
        # Unmuted, it is heard too (three slots: all three points).
        await room.control.set_muted("da-nang", False, "truc-ban")
        await wait_until(
            lambda: heard(got, tones["da-nang"]), within=30, what="the unmuted point heard"
        )


async def test_a_one_track_subscriber_still_hears_the_active_speaker_only(
    rt: WallRuntime, tones: dict[str, tuple[bytes, ...]]
) -> None:
    async with (
        sound(rt, "hue", EncodedAudioTrack({"tone": tones["hue"]}, "tone")),
        listener(rt, "quang-ninh", slots=1) as got,
    ):
        await wait_until(lambda: heard(got, tones["hue"]), within=30, what="the speaker")
        assert set(got.frames) == {"video", "audio"}


@pytest.mark.parametrize("levels", ["rfc6464-header", "packet-size"])
async def test_the_active_speaker_follows_whoever_makes_sound(
    rt: WallRuntime,
    tones: dict[str, tuple[bytes, ...]],
    silence: tuple[bytes, ...],
    levels: str,
) -> None:
    """``rfc6464-header``: aiortc encodes a tone itself and attaches the level extension
    (as Chromium does). ``packet-size``: pre-encoded Opus without the extension (as
    GStreamer's webrtcbin sends by default); the centre judges by packet sizes."""
    assert rt.video is not None
    room = rt.video
    if levels == "rfc6464-header":
        a: ToneTrack | EncodedAudioTrack = ToneTrack(amplitude=0.3)
        b: ToneTrack | EncodedAudioTrack = ToneTrack(amplitude=0.0)
    else:
        a = EncodedAudioTrack({"tone": tones["hue"], "silence": silence}, "tone")
        b = EncodedAudioTrack({"tone": tones["quang-ninh"], "silence": silence}, "silence")

    def speak(track: ToneTrack | EncodedAudioTrack, on: bool) -> None:
        if isinstance(track, ToneTrack):
            track.amplitude = 0.3 if on else 0.0
        else:
            track.play("tone" if on else "silence")

    async with sound(rt, "hue", a), sound(rt, "quang-ninh", b):
        await wait_until(lambda: room.speaker.current == "hue", within=30, what="hue speaks")
        speak(a, False)
        speak(b, True)
        await wait_until(
            lambda: room.speaker.current == "quang-ninh", within=30, what="quang-ninh speaks"
        )
        assert room.roster().active_speaker == "quang-ninh"
        sources = [room.publishers[p].sources["audio"] for p in ("hue", "quang-ninh")]
        if levels == "rfc6464-header":
            assert all(s.levels_from_header > 0 and s.levels_from_size == 0 for s in sources)
        else:
            assert all(s.levels_from_header == 0 and s.levels_from_size > 0 for s in sources)


async def test_the_roster_shows_a_round_trip_time_on_a_live_call(rt: WallRuntime) -> None:
    assert rt.video is not None
    room = rt.video
    async with publisher(rt, "hue", encode_clip(30, 160, 90)):
        await wait_until(
            lambda: (s := room.status("hue").stats) is not None and s.rtt_ms is not None,
            within=30,
            what="an RTT figure for hue",
        )
        stats = room.status("hue").stats
        assert stats is not None and stats.rtt_ms is not None
        assert stats.rtt_ms > 0
        assert room.roster().points[[p.id for p in room.roster().points].index("hue")].stats


async def test_more_audio_sections_than_slots_are_refused(rt: WallRuntime) -> None:
    """An offer with more audio sections than ``audio_slots`` is refused before aiortc
    binds a socket for any of them; the limit is named."""
    assert rt.video is not None
    with pytest.raises(SignallingError) as refused:
        await watch(
            base(rt),
            "program",
            cred(rt, "room"),
            Collector(),
            host_addresses=LOOPBACK,
            audio_slots=5,
        )
    assert refused.value.status == 400
    assert "5 m=audio sections; at most 3 accepted" in str(refused.value)
    assert rt.video.watchers == {}
