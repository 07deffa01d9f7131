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

Where users are (``run_live``): a real 720p30 call published over WebRTC to the relay's
server process, inside a network namespace with no route out, once with every call
recorded and once without, in pairs (order alternating); the server's CPU difference,
median over the pairs, is the recorder's cost in the live path (depacketised frames
handed over, the writer thread muxing and writing). The recorded file is opened after the
call ends: its codec, its video packets against the frames the server received, its
length against the call's. The publisher sends video only (the Opus share is measured
above: a fiftieth of the video's bytes).

    python -m benchmarks recording [--short]     (short: a minute of call; else an hour)
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

from benchmarks.rig import cpu_seconds, percentile
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


# --- where users are: a real call through the relay, in a closed network -----------------


def _await_flowing(server: Any, record: bool, deadline: float) -> None:
    """Until the server receives the call and, when ``record``, has written its first
    packet (the recorder opens on a keyframe, which a slow start on a busy machine may
    push past a fixed settling time: the window would then count frames not yet due)."""
    from benchmarks.video_processes import POINT

    while time.monotonic() < deadline:
        counted = server.counters()
        flowing = counted["publishers"].get(POINT, 0) > 0
        if flowing and (not record or counted["recorded"].get(POINT, {}).get("video", 0) > 0):
            return
        time.sleep(0.2)
    raise RuntimeError("the call did not start flowing (and recording) in time")


def _live_run(
    folder: Path, clip_file: Path, seconds: float, record: bool, ns: Any
) -> dict[str, Any]:
    """One call through a ``_serve`` process (recording every call when ``record``), watched
    by one subscriber as the wall would: the server's CPU % of a core over ``seconds`` once
    the call is flowing, frames the server received in that window, and the recording's
    folder."""
    import json

    from benchmarks.video_processes import POINT, video_server

    server_address, peer_address = ns.addresses if ns else ("127.0.0.1", "127.0.0.1")
    launcher = tuple(ns.wrap([])) if ns else ()
    record_dir = folder / f"rec-{time.monotonic_ns()}" if record else None

    settle = 5.0  # at most, for the call to flow and the recording to open
    with video_server("", server_address, "", str(record_dir or ""), launcher=launcher) as server:
        until = time.time() + settle + seconds + 2.0
        out = folder / f"pub-{server.pid}.json"
        publisher = server.spawn(
            "_publish", server.url, str(clip_file), str(until), str(out), peer_address
        )
        watched = folder / f"watch-{server.pid}.json"
        server.spawn("_watch", server.url, str(clip_file), str(until), str(watched), peer_address)
        _await_flowing(server, record, deadline=time.monotonic() + settle)
        time.sleep(0.5)  # past the connection's own start-up work
        before, cpu0, t0 = server.counters(), cpu_seconds(server.pid), time.monotonic()
        time.sleep(seconds)
        cpu1, t1, after = cpu_seconds(server.pid), time.monotonic(), server.counters()
        publisher.wait(timeout=30)  # the call ends: the recording closes its segment
        time.sleep(2.0)
    received = after["publishers"].get(POINT, 0) - before["publishers"].get(POINT, 0)
    recorded = after["recorded"].get(POINT, {}).get("video", 0) - before["recorded"].get(
        POINT, {}
    ).get("video", 0)
    return {
        "cpu": 100 * (cpu1 - cpu0) / (t1 - t0),
        "received": received,
        "recorded": recorded,
        "sent": len(json.loads(out.read_text())["sent"]),
        "folder": record_dir,
    }


def _recorded_file(folder: Path) -> tuple[str, int, float, float]:
    """The recording's codec, video packets, length (s) and size (bytes), over its segments."""
    files = sorted(
        (p for p in folder.rglob("*") if p.suffix in (".webm", ".mkv")),
        key=lambda p: (str(p.parent), int(p.stem)),
    )
    codec, packets, length, size = "none", 0, 0.0, 0
    for path in files:
        size += path.stat().st_size
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            times = [
                float(p.pts * p.time_base)
                for p in container.demux(stream)
                if p.pts is not None and p.size
            ]
        packets += len(times)
        length += (max(times) - min(times) + 1 / FPS) if times else 0.0
    return codec, packets, length, size


def run_live(seconds: float, pairs: int) -> list[str]:
    """The recorder's cost in a real call, inside a namespace with no route out (or on
    loopback, said so, when namespaces are not available here)."""
    import pickle

    from netns import network_namespace, why_not_available  # tests/ (rig's path)

    clip = encode_clip(frames=60, width=1280, height=720, gop=60, noise=12, bitrate=1_500_000)
    reason = why_not_available()
    where = f"loopback (closed network skipped: {reason})" if reason else ""
    costs: list[float] = []
    off_cpu: list[float] = []
    kept: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-recording-live-") as tmp:
        folder = Path(tmp)
        clip_file = folder / "clip.pickle"
        clip_file.write_bytes(pickle.dumps(clip))
        with contextlib.ExitStack() as stack:
            ns = None if reason else stack.enter_context(network_namespace(default_route=False))
            if ns is not None:
                where = f"closed network (namespace, no route out; {' ↔ '.join(ns.addresses)})"
            for n in range(pairs):
                order = (False, True) if n % 2 == 0 else (True, False)
                runs = {rec: _live_run(folder, clip_file, seconds, rec, ns) for rec in order}
                costs.append(runs[True]["cpu"] - runs[False]["cpu"])
                off_cpu.append(runs[False]["cpu"])
                kept = runs[True]
        codec, packets, length, size = _recorded_file(kept["folder"])
    cost = statistics.median(costs)
    verdict = "met" if cost <= TARGET_CPU_PCT else "NOT met"
    tick = 1 / os.sysconf("SC_CLK_TCK")  # /proc's unit: 4 readings per pair, ±1 each
    call_s = seconds + 7.0  # the window, the settling before it and the seconds after
    return [
        f"recording, live: a 720p30 VP8 call published over WebRTC to the relay's process, "
        f"{where}, one subscriber watching; {pairs} pairs of {seconds:g} s, recorded and not",
        f"  relay process CPU without recording: median {statistics.median(off_cpu):.2f} % of a "
        f"core; recording adds median {cost:.2f} % (pairs {min(costs):+.2f} to "
        f"{max(costs):+.2f}; target {TARGET_CPU_PCT} %: {verdict}; CPU is counted in ticks of "
        f"{1000 * tick:g} ms, so a pair resolves ±{400 * tick / seconds:.2f} % at worst)",
        f"  last recorded call: {codec}, {packets} video packets in the file of "
        f"{kept['sent']} frames sent (the file opens on the first keyframe); in the measured "
        f"window {kept['recorded']} of {kept['received']} frames received were recorded; "
        f"{length:.1f} s of picture for a call of ~{call_s:.0f} s; {size / 1e6:.1f} MB",
    ]
