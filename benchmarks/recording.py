"""recording: what recording one 720p call costs, and how well sound and picture stay in step.

The recorder (``video.recorder.CallRecorder`` with its writer thread) is fed a call as the
relay would hand it over: a 720p30 clip encoded once up front with grain (a camera-like
bitrate) looped, and 20 ms Opus packets, with RTP timestamps that start near the 32-bit
wrap (so the run crosses it) and arrival times of a real call. The frames are fed as fast
as the writer takes them, so an hour of call takes a short while; the CPU time of the
whole process over that run, divided by the call's length, is the recorder's cost as a
share of one core (an upper bound: building the frames is counted too).

Figures: CPU % of a core per 720p call (target ≤ 0.5 %), storage per hour of call, segment
write latency (one packet's mux, and a segment's close) p50/p95/p99/max, and the A/V drift
at the end: in the last segment, the audio packet sent at the same instant as a video
frame must sit at the same time in the file (within one audio packet, 20 ms).

    python -m benchmarks recording [--short]     (short: a minute of call; else an hour)
"""

from __future__ import annotations

import asyncio
import fractions
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

from benchmarks.rig import percentile
from video.aiortc_hooks import EncodedFrame
from video.media import encode_clip
from video.recorder import CallRecorder
from video.recording_index import Recording

FPS = 30
TARGET_CPU_PCT = 0.5
WRAP = 1 << 32


def _opus_packets(count: int = 50) -> list[bytes]:
    """A second of a 440 Hz tone as 20 ms Opus packets (encoded once)."""
    encoder: Any = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = 48_000, "stereo", "s16"
    encoder.time_base = fractions.Fraction(1, 48_000)
    packets: list[bytes] = []
    for i in range(count):
        t = (np.arange(960) + i * 960) / 48_000
        wave = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(
            np.repeat(wave, 2).reshape(1, -1), format="s16", layout="stereo"
        )
        frame.sample_rate, frame.pts = 48_000, i * 960
        packets += [bytes(p) for p in encoder.encode(frame)]
    return packets


async def _feed(recorder: CallRecorder, seconds: float, clip: Any, opus: list[bytes]) -> None:
    """``seconds`` of call: video every 1/30 s, audio every 20 ms, in arrival order."""
    start = time.time()
    video_ts0 = WRAP - 90_000 * 20  # the video clock wraps 20 s in
    audio_ts0 = WRAP - 48_000 * 35
    frames = int(seconds * FPS)
    audio = 0
    for n in range(frames):
        at = start + n / FPS
        while audio * 0.02 <= n / FPS:  # the audio packets due by this frame
            recorder.on_frame(
                "audio",
                EncodedFrame(
                    "opus",
                    opus[audio % len(opus)],
                    (audio_ts0 + audio * 960) % WRAP,
                    True,
                    start + audio * 0.02,
                ),
            )
            audio += 1
        index = n % len(clip.frames)
        recorder.on_frame(
            "video",
            EncodedFrame(
                "VP8",
                clip.frames[index],
                (video_ts0 + n * 3000) % WRAP,
                clip.keyframes[index],
                at,
            ),
        )
        if n % 300 == 0:
            await asyncio.sleep(0)  # as the loop would: other work between frames


def _drift(path: Path) -> float:
    """In one segment: |(audio pts - video pts) in the file| for packets sent together,
    the worst over the segment's video frames at whole seconds (0.02 s = one packet)."""
    with av.open(str(path)) as container:
        video = [float(p.pts * p.time_base) for p in container.demux(video=0) if p.pts is not None]
    with av.open(str(path)) as container:
        audio = [float(p.pts * p.time_base) for p in container.demux(audio=0) if p.pts is not None]
    worst = 0.0
    for t in video[FPS::FPS]:  # the segment's first instant may precede its first audio
        nearest = min(audio, key=lambda a: abs(a - t))
        worst = max(worst, abs(nearest - t))
    return worst


def run(seconds: float, segment_s: float = 300.0) -> list[str]:
    clip = encode_clip(frames=60, width=1280, height=720, gop=60, noise=12, bitrate=1_500_000)
    opus = _opus_packets()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        recording = Recording("bench", "hue", "Huế", "Hue", time.time())

        class _Source:
            def attach(self, tap: Any) -> None: ...
            def detach(self, tap: Any) -> None: ...

        sources: Any = {"video": _Source(), "audio": _Source()}
        recorder = CallRecorder(
            root, recording, sources, {"video", "audio"}, segment_s, capacity=10_000_000
        )
        recorder._taps["video"].want_keyframe = lambda: None
        cpu0, wall0 = time.process_time(), time.monotonic()
        asyncio.run(_feed(recorder, seconds, clip, opus))
        recorder.close(recording.started_at + seconds)
        assert recorder.writer is not None
        recorder.writer.join()
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        folder_of = recording.folder(root)
        files = sorted(folder_of.glob("*.webm"), key=lambda p: int(p.stem))
        stored = sum(p.stat().st_size for p in files)
        drift = _drift(files[-1])
        latencies = [1000 * x for x in recorder.writer.latencies]
        closes = [1000 * x for x in recorder.writer.closes]
        sent = sum(len(f) for f in clip.frames) / len(clip.frames) * FPS * 8 / 1000
    cpu_pct = 100 * cpu / seconds
    per_hour = stored / seconds * 3600 / 1e9
    verdict = "met" if cpu_pct <= TARGET_CPU_PCT else "NOT met"
    return [
        f"recording: {seconds / 60:g} min of a 720p30 VP8 call (~{sent:,.0f} kbit/s) + Opus, "
        f"{len(files)} segment(s) of {segment_s:g} s, fed in {wall:.2f} s",
        f"  recorder CPU {cpu_pct:.3f} % of a core per call "
        f"(target {TARGET_CPU_PCT} %: {verdict}; {cpu:.2f} s CPU for {seconds:g} s of call)",
        f"  storage {per_hour:.2f} GB per hour of call ({stored / 1e6:.1f} MB written)",
        f"  segment write latency (ms): mux p50 {percentile(latencies, 0.5):.3f}, "
        f"p95 {percentile(latencies, 0.95):.3f}, p99 {percentile(latencies, 0.99):.3f}, "
        f"max {max(latencies):.1f}; segment close (trailer, cues, index) p50 "
        f"{percentile(closes, 0.5):.1f}, max {max(closes):.1f}",
        f"  A/V drift at the end: {1000 * drift:.1f} ms (one audio packet is 20 ms)",
        f"  writer drops: {recorder.writer.dropped}",
    ]
