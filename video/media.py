"""What a headless bridge point can send: a test pattern, a tone, a file or camera (via
aiortc's ``MediaPlayer``), or a loop of frames encoded once up front (tests, benchmarks).

``EncodedLoopTrack`` hands aiortc's sender ``av.Packet``s, so publishing costs almost no
CPU and the exact bytes sent are known: the relay test compares them with what a
subscriber receives, and the benchmark measures the server alone.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from aiortc.mediastreams import AudioStreamTrack, MediaStreamTrack, VideoStreamTrack

VIDEO_CLOCK = 90_000


class TestPatternTrack(VideoStreamTrack):
    """Colour bars with a moving block, ``width``×``height`` at aiortc's 30 fps."""

    __test__ = False  # not a pytest class

    def __init__(self, width: int = 640, height: int = 360) -> None:
        super().__init__()
        self.width, self.height = width, height
        bars = np.array(
            [
                [235, 235, 235],
                [235, 235, 16],
                [16, 235, 235],
                [16, 235, 16],
                [235, 16, 235],
                [235, 16, 16],
                [16, 16, 235],
                [16, 16, 16],
            ],
            dtype=np.uint8,
        )
        columns = np.repeat(bars, math.ceil(width / len(bars)), axis=0)[:width]
        self._base = np.broadcast_to(columns, (height, width, 3)).copy()
        self._n = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = self._base.copy()
        x = (self._n * 8) % max(1, self.width - 64)
        image[self.height // 2 - 32 : self.height // 2 + 32, x : x + 64] = 255
        self._n += 1
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class ToneTrack(AudioStreamTrack):
    """A quiet 440 Hz tone (so the point has an audio level and can be the speaker);
    set ``amplitude`` to 0 for silence."""

    def __init__(self, amplitude: float = 0.3) -> None:
        super().__init__()
        self.amplitude = amplitude
        self._sample = 0

    async def recv(self) -> av.AudioFrame:
        frame: Any = await super().recv()  # silence with the right timing
        samples = frame.samples
        t = (np.arange(samples) + self._sample) / frame.sample_rate
        self._sample += samples
        wave = (self.amplitude * 32767 * np.sin(2 * math.pi * 440 * t)).astype(np.int16)
        tone = av.AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        tone.sample_rate, tone.pts, tone.time_base = frame.sample_rate, frame.pts, frame.time_base
        return tone


@dataclass(frozen=True)
class EncodedClip:
    """Frames encoded once: bytes, and which ones are keyframes."""

    codec: str
    frames: tuple[bytes, ...]
    keyframes: tuple[bool, ...]
    fps: int


def encode_clip(
    frames: int = 60,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    gop: int = 30,
    bitrate: int = 1_500_000,
    codec: str = "VP8",
    noise: int = 0,
) -> EncodedClip:
    """Encode the test pattern once (libvpx or libx264), a keyframe every ``gop`` frames;
    ``noise`` (0-255) adds grain for a camera-like bitrate."""
    name = {"VP8": "libvpx", "H264": "libx264"}[codec]
    context: Any = av.CodecContext.create(name, "w")
    context.width, context.height = width, height
    context.pix_fmt = "yuv420p"
    context.time_base = fractions.Fraction(1, fps)
    context.framerate = fractions.Fraction(fps, 1)
    context.bit_rate = bitrate
    context.gop_size = gop
    context.options = (
        {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
        if codec == "VP8"
        else {"preset": "ultrafast", "tune": "zerolatency", "bf": "0"}
    )
    pattern = TestPatternTrack(width, height)
    # Noise makes every frame distinct and the bitrate camera-like (a flat pattern
    # compresses to almost nothing).
    rng = np.random.default_rng(7)
    data: list[bytes] = []
    keys: list[bool] = []
    for index in range(frames):
        image = pattern._base.copy()
        x = (index * 8) % max(1, width - 64)
        image[height // 2 - 32 : height // 2 + 32, x : x + 64] = 255
        if noise:
            image = np.clip(
                image.astype(np.int16) + rng.integers(-noise, noise, image.shape), 0, 255
            ).astype(np.uint8)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        frame.pts = index
        frame.pict_type = (
            av.video.frame.PictureType.I if index % gop == 0 else av.video.frame.PictureType.NONE
        )
        for packet in context.encode(frame):
            data.append(bytes(packet))
            keys.append(bool(packet.is_keyframe))
    for packet in context.encode(None):
        data.append(bytes(packet))
        keys.append(bool(packet.is_keyframe))
    return EncodedClip(codec, tuple(data), tuple(keys), fps)


class EncodedLoopTrack(MediaStreamTrack):
    """Replays an ``EncodedClip`` in a loop at its frame rate, as ``av.Packet``s. A
    keyframe request jumps to the clip's next keyframe. ``sent`` logs (index, time)."""

    kind = "video"

    def __init__(self, clip: EncodedClip, record: bool = False) -> None:
        super().__init__()
        self.clip = clip
        self._index = 0
        self._start: float | None = None
        self._count = 0
        self.keyframe_requests = 0
        self._jump = False
        self.record = record
        self.sent: list[tuple[int, float]] = []
        self._running = asyncio.Event()
        self._running.set()

    def request_keyframe(self) -> None:
        self.keyframe_requests += 1
        self._jump = True

    def pause(self) -> None:
        """Stop sending frames (a frozen camera): the connection and its RTCP stay up."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    async def recv(self) -> av.Packet:  # type: ignore[override, type-arg]
        if not self._running.is_set():
            await self._running.wait()
            self._start = time.monotonic() - self._count / self.clip.fps  # no catch-up burst
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._count / self.clip.fps - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if self._jump:
            self._jump = False
            if not self.clip.keyframes[self._index]:
                self._index = next(
                    (i for i, key in enumerate(self.clip.keyframes) if key and i > self._index), 0
                )
        index = self._index
        packet = av.Packet(self.clip.frames[index])
        packet.pts = self._count * (VIDEO_CLOCK // self.clip.fps)
        packet.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._count += 1
        self._index = (index + 1) % len(self.clip.frames)
        if self.record:
            self.sent.append((index, time.time()))
        return packet


AUDIO_CLOCK = 48_000
AUDIO_FRAME = 960  # 20 ms at 48 kHz


def encode_audio(
    frequency: float = 440.0, seconds: float = 1.0, amplitude: float = 0.3
) -> tuple[bytes, ...]:
    """Opus packets (20 ms each) of a tone, encoded once by aiortc's own encoder (as the
    headless client sends); ``amplitude=0`` gives digital silence."""
    from aiortc.codecs.opus import OpusEncoder

    encoder = OpusEncoder()
    packets: list[bytes] = []
    for index in range(int(seconds * AUDIO_CLOCK / AUDIO_FRAME)):
        t = (np.arange(AUDIO_FRAME) + index * AUDIO_FRAME) / AUDIO_CLOCK
        wave = (amplitude * 32767 * np.sin(2 * math.pi * frequency * t)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = AUDIO_CLOCK, index * AUDIO_FRAME
        frame.time_base = fractions.Fraction(1, AUDIO_CLOCK)
        payloads, _ = encoder.encode(frame)
        packets.extend(payloads)
    return tuple(packets)


class EncodedAudioTrack(MediaStreamTrack):
    """Replays pre-encoded Opus packets every 20 ms, looping whichever of ``clips`` is
    playing (``play(name)`` switches, e.g. tone ↔ silence). aiortc sends pre-encoded
    audio without the ``ssrc-audio-level`` extension (it only measures frames it encodes
    itself), so this is also the publisher the centre must judge by packet sizes."""

    kind = "audio"

    def __init__(self, clips: dict[str, tuple[bytes, ...]], playing: str) -> None:
        super().__init__()
        self.clips = clips
        self.playing = playing
        self._start: float | None = None
        self._count = 0

    def play(self, name: str) -> None:
        self.playing = name

    async def recv(self) -> av.Packet:  # type: ignore[override, type-arg]
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._count * AUDIO_FRAME / AUDIO_CLOCK - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        clip = self.clips[self.playing]
        packet = av.Packet(clip[self._count % len(clip)])
        packet.pts = self._count * AUDIO_FRAME
        packet.time_base = fractions.Fraction(1, AUDIO_CLOCK)
        self._count += 1
        return packet
