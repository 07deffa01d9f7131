"""video: the relay's cost and delay. One 720p30 publisher, 1 → N subscribers, each in its
own process; the server runs alone in another, and only its CPU is counted.

The publisher replays a clip encoded once up front (grain added for a camera-like 2 Mbit/s),
so publishing costs almost nothing and every frame is identified by its bytes: a
subscriber's receive time minus the publisher's send time of the same frame (one clock:
same machine) is the latency through the relay (send → forwarded → reassembled, no
decode, no display). Figures: server CPU % of a core per relayed stream and per extra
subscriber, frames delivered/sent and fps per subscriber, latency p50/p95, time to first
frame. The server's own counters (frames it handed to each subscriber's sender, read
over a benchmark-only route) are set beside the frames each subscriber received: when
the server forwards 30 fps and a subscriber counts fewer, the subscriber process was
starved (a loaded machine), not the relay. The full mode adds 25 bridge points at once
(25 publishers, one subscriber each). Not measured here (yet): a 10-minute drift run.

Where users are: the operations centre's network has no internet. ``run_closed`` runs the
server and its peers inside a network namespace with no route out (a veth pair with
private addresses, as the browser tests use) and reports the WHIP answer time (POST → 201)
and the time to first frame there, beside the same figures on loopback, and once more with
a ``stun:`` server configured at an address with no route (the relay must not wait on it).
Needs root (``ip netns``); otherwise it says so and skips.

This module measures and reports; the processes it starts are in ``video_processes``, the
targets it reports against in ``video_targets`` (one table).

    python -m benchmarks video [--short]
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.rig import cpu_seconds, percentile
from benchmarks.video_processes import bench_points, video_server
from benchmarks.video_targets import (
    FIRST_FRAME,
    FPS,
    LATENCY_P50,
    LATENCY_P95,
    PER_EXTRA_CPU,
    PER_STREAM_CPU,
    WHIP_ANSWER,
    Target,
)

# --- the run -------------------------------------------------------------------------


@dataclass
class VideoResult:
    subscribers: list[int]
    cpu_pct: list[float]  # server CPU % of one core with that many subscribers
    idle_pct: float  # publisher only, nobody watching
    fps: list[float]  # mean delivered fps per subscriber, per phase
    delivered_ratio: float
    latency_ms: list[float] = field(default_factory=list)
    first_frame_ms: list[float] = field(default_factory=list)
    unknown_frames: int = 0
    pli: int = 0
    load: float = 0.0  # the machine's 1-minute load average at the end (other work skews all)
    # The server's own counters per phase: frames in from the publisher (fps) and frames it
    # handed to each subscriber's sender (mean fps per subscriber).
    ingest_fps: list[float] = field(default_factory=list)
    forwarded_fps: list[float] = field(default_factory=list)

    def lines(self) -> list[str]:
        per_stream = self.cpu_pct[0]
        extra = (
            (self.cpu_pct[-1] - self.cpu_pct[0]) / (self.subscribers[-1] - self.subscribers[0])
            if len(self.subscribers) > 1
            else float("nan")
        )
        l50, l95 = percentile(self.latency_ms, 0.5), percentile(self.latency_ms, 0.95)
        f95 = percentile(self.first_frame_ms, 0.95)
        min_fps = min(self.fps) if self.fps else 0.0
        ok = lambda good: "met" if good else "NOT met"  # noqa: E731
        phases = ", ".join(
            f"{n} sub: {c:.1f} % CPU, {f:.1f} fps"
            for n, c, f in zip(self.subscribers, self.cpu_pct, self.fps, strict=True)
        )
        return [
            f"video: one 720p30 publisher (~2 Mbit/s VP8), 1 → {self.subscribers[-1]} subscribers, separate processes",
            f"  server CPU: publisher alone {self.idle_pct:.1f} % of a core; {phases}",
            f"  per relayed stream (1 publisher → 1 subscriber): {per_stream:.1f} % of a core"
            f" (target {PER_STREAM_CPU.bound} %: {ok(PER_STREAM_CPU.met(per_stream))})",
            f"  per extra subscriber: {extra:.2f} % of a core"
            f" (target {PER_EXTRA_CPU.bound} %: {ok(PER_EXTRA_CPU.met(extra))})",
            f"  frames delivered/sent: {self.delivered_ratio:.3f}; slowest phase {min_fps:.1f} fps per subscriber"
            f" (target {FPS.bound}: {ok(FPS.met(min_fps))}); {self.unknown_frames} frames not byte-identical to one sent",
            f"  latency publisher send → subscriber reassembled: p50 {l50:.1f} ms, p95 {l95:.1f} ms"
            f" (targets p50 {LATENCY_P50.bound}, p95 {LATENCY_P95.bound} ms:"
            f" {ok(LATENCY_P50.met(l50) and LATENCY_P95.met(l95))}; no decode or display included)",
            f"  server's own counters per phase (publisher → server fps / server → each subscriber fps"
            f" / received fps): {self._split()}",
            f"  {self._verdict()}",
            f"  time to first frame for a new subscriber: p95 {f95:.0f} ms over {len(self.first_frame_ms)}"
            f" (target {FIRST_FRAME.bound} ms: {ok(FIRST_FRAME.met(f95))}); keyframe requests reaching the publisher: {self.pli}",
            f"  machine load average {self.load:.1f} on {os.cpu_count()} cores (publisher and"
            " subscribers are Python processes too: fps and latency suffer first when it is high)",
        ]

    def _split(self) -> str:
        return ", ".join(
            f"{n} sub: {i:.1f} / {f:.1f} / {r:.1f}"
            for n, i, f, r in zip(
                self.subscribers, self.ingest_fps, self.forwarded_fps, self.fps, strict=False
            )
        )

    def _verdict(self) -> str:
        """Whose fault a missed fps target is: the relay's, or the subscribers' processes."""
        if not self.forwarded_fps:
            return "server counters unavailable"
        worst = min(range(len(self.fps)), key=lambda k: self.fps[k])
        ingest, forwarded, got = (
            self.ingest_fps[worst],
            self.forwarded_fps[worst],
            self.fps[worst],
        )
        if FPS.met(got):
            return "every subscriber got ≥ 29 fps"
        if not FPS.met(ingest):
            return (
                f"the publisher reached the server at {ingest:.1f} fps: the publisher was starved"
            )
        if FPS.met(forwarded):
            return (
                f"the server forwarded {forwarded:.1f} fps to each subscriber but they counted"
                f" {got:.1f}: the shortfall is the subscriber processes' (CPU starvation), not the relay"
            )
        return f"the server itself forwarded only {forwarded:.1f} fps per subscriber: the relay fell behind"


def _counters(url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(f"{url}/bench/counters", timeout=10) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def _server_rates(
    before: dict[str, Any], after: dict[str, Any], span: float
) -> tuple[float, float]:
    """(publisher → server fps, mean server → subscriber fps) between two counter reads."""
    ingest = sum(after["publishers"].values()) - sum(before["publishers"].values())
    per_sub = [
        (w["sent"] - before["watchers"].get(wid, {"sent": 0})["sent"]) / span
        for wid, w in after["watchers"].items()
    ]
    return ingest / span / max(1, len(after["publishers"])), (
        sum(per_sub) / len(per_sub) if per_sub else 0.0
    )


def run(
    subscribers: tuple[int, ...] = (1, 2, 4, 8), seconds: float = 10.0, frames: int = 60
) -> VideoResult:
    from video.media import encode_clip

    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        folder = Path(tmp)
        clip_file = folder / "clip.pickle"
        clip = encode_clip(frames, 1280, 720, fps=30, gop=frames, bitrate=2_000_000, noise=12)
        clip_file.write_bytes(pickle.dumps(clip))
        with video_server() as server:
            url = server.url
            settle = 2.0
            total = settle + seconds + len(subscribers) * (settle + seconds) + 2.0
            until = time.time() + total
            server.spawn("_publish", url, str(clip_file), str(until), str(folder / "pub.json"))
            time.sleep(settle)
            before = cpu_seconds(server.pid)
            time.sleep(seconds)
            idle = 100 * (cpu_seconds(server.pid) - before) / seconds
            cpu: list[float] = []
            ingest_fps: list[float] = []
            forwarded_fps: list[float] = []
            windows: list[tuple[float, float]] = []
            running = 0
            for target in subscribers:
                while running < target:
                    out = folder / f"sub{running}.json"
                    server.spawn("_watch", url, str(clip_file), str(until), str(out))
                    running += 1
                time.sleep(settle)
                counted = _counters(url)
                start, before = time.time(), cpu_seconds(server.pid)
                time.sleep(seconds)
                cpu.append(100 * (cpu_seconds(server.pid) - before) / seconds)
                windows.append((start, time.time()))
                rates = _server_rates(counted, _counters(url), time.time() - start)
                ingest_fps.append(rates[0])
                forwarded_fps.append(rates[1])
            for proc in server.clients:
                proc.wait(timeout=total + 30)
        pub = json.loads((folder / "pub.json").read_text())
        sent: dict[int, list[float]] = {}
        for index, at in pub["sent"]:
            sent.setdefault(index, []).append(at)
        subs = [json.loads((folder / f"sub{i}.json").read_text()) for i in range(running)]
    latency: list[float] = []
    unknown = 0
    first: list[float] = []
    fps: list[float] = []
    for sub in subs:
        if sub["got"]:
            first.append(1000 * (sub["got"][0][1] - sub["asked"]))
        for index, at in sub["got"]:
            if index < 0:
                unknown += 1
                continue
            earlier = [t for t in sent.get(index, []) if t <= at]
            if earlier:
                latency.append(1000 * (at - max(earlier)))
    for phase, (start, end) in enumerate(windows):
        watching = subs[: subscribers[phase]]
        counts = [sum(1 for _, at in s["got"] if start <= at < end) for s in watching]
        fps.append(sum(counts) / len(counts) / (end - start))
    sent_in_windows = [sum(1 for _, at in pub["sent"] if s <= at < e) for s, e in windows]
    delivered = sum(f * (e - s) * n for f, (s, e), n in zip(fps, windows, subscribers, strict=True))
    expected = sum(c * n for c, n in zip(sent_in_windows, subscribers, strict=True))
    return VideoResult(
        list(subscribers),
        cpu,
        idle,
        fps,
        delivered / expected if expected else 0.0,
        latency,
        first,
        unknown,
        int(pub["pli"]),
        os.getloadavg()[0],
        ingest_fps,
        forwarded_fps,
    )


def run_points(count: int = 25, seconds: float = 10.0) -> list[str]:
    """``count`` bridge points at once, each publishing 360p30 (~600 kbit/s) and watched by
    one subscriber: server CPU, and fps by the server's counters and as received."""
    from video.media import encode_clip

    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        folder = Path(tmp)
        points_file, ids = bench_points(folder, count)
        clip_file = folder / "clip.pickle"
        clip = encode_clip(60, 640, 360, fps=30, gop=60, bitrate=600_000, noise=8)
        clip_file.write_bytes(pickle.dumps(clip))
        with video_server(str(points_file)) as server:
            url = server.url
            settle = 5.0
            until = time.time() + 2 * settle + seconds + 2.0
            names = ",".join(ids)
            pub_out, sub_out = str(folder / "pub.json"), str(folder / "sub.json")
            server.spawn("_publish_many", url, str(clip_file), str(until), pub_out, names)
            time.sleep(settle)
            server.spawn("_watch_many", url, str(clip_file), str(until), sub_out, names)
            time.sleep(settle)
            counted = _counters(url)
            start, before = time.time(), cpu_seconds(server.pid)
            time.sleep(seconds)
            cpu = 100 * (cpu_seconds(server.pid) - before) / seconds
            end = time.time()
            ingest, forwarded = _server_rates(counted, _counters(url), end - start)
            for proc in server.clients:
                proc.wait(timeout=until - time.time() + 60)
        sub = json.loads((folder / "sub.json").read_text())
    fps = [
        sum(1 for at in times if start <= at < end) / (end - start) for times in sub["got"].values()
    ]
    first = [1000 * (times[0] - sub["asked"][p]) for p, times in sub["got"].items() if times]
    ok = lambda good: "met" if good else "NOT met"  # noqa: E731
    low = min(fps) if fps else 0.0
    return [
        f"video: {count} bridge points at once (360p30 ~600 kbit/s each, one subscriber each;"
        " publishers in one process, subscribers in another)",
        f"  server CPU {cpu:.1f} % of a core in all: {cpu / count:.2f} % per point"
        f" (in + out; target {PER_STREAM_CPU.bound} % per stream: {ok(PER_STREAM_CPU.met(cpu / count))})",
        f"  server counters: publisher → server {ingest:.1f} fps per point, server → subscriber"
        f" {forwarded:.1f} fps per subscriber; received: mean {sum(fps) / max(1, len(fps)):.1f},"
        f" slowest {low:.1f} fps (target {FPS.bound}: {ok(FPS.met(low))})",
        f"  first frame p95 {percentile(first, 0.95):.0f} ms over {len(first)} subscribers;"
        f" machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
    ]


# --- where users are: a closed network ---------------------------------------------------

# TEST-NET-2 (RFC 5737): never routed; in the namespace there is no route to it at all.
UNREACHABLE_STUN = "stun:198.51.100.7:3478"


def _measure(
    folder: Path,
    clip_file: Path,
    count: int,
    server_address: str,
    peer_address: str,
    ice: str = "",
    launcher: tuple[str, ...] = (),
) -> dict[str, list[float]]:
    with video_server("", server_address, ice, launcher=launcher) as server:
        out = folder / f"answers-{server.pid}.json"
        probe = server.spawn(
            "_answers", server.url, str(clip_file), str(out), str(count), peer_address
        )
        probe.wait(timeout=30 + count * 12)
        result: dict[str, list[float]] = json.loads(out.read_text())
        return result


def _verdict(value: float, target: Target) -> str:
    return "met" if target.met(value) else f"NOT met, ×{value / target.limit:.1f}"


def _closed_line(label: str, got: dict[str, list[float]]) -> str:
    a50, a95 = percentile(got["answers"], 0.5), percentile(got["answers"], 0.95)
    f95 = percentile(got["first"], 0.95)
    lost = len(got["answers"]) - len(got["first"])
    return (
        f"  {label}: WHIP answer (POST → 201) p50 {a50:.0f} ms, p95 {a95:.0f} ms"
        f" (target {WHIP_ANSWER.bound} ms: {_verdict(a95, WHIP_ANSWER)});"
        f" first frame p95 {f95:.0f} ms over {len(got['first'])}"
        f" (target {FIRST_FRAME.bound} ms: {_verdict(f95, FIRST_FRAME)})"
        + (f"; {lost} subscribers got no frame in 10 s" if lost > 0 else "")
    )


def run_closed(count: int = 10) -> list[str]:
    """WHIP answer time and first frame on loopback, then inside a namespace with no route
    out (server on 10.77.0.1, peers on 10.77.0.2), then the same with an unreachable
    ``stun:`` server configured for the relay."""
    from netns import network_namespace, why_not_available

    from video.media import encode_clip

    head = (
        f"video where users are: {count} WHIP publishes (each until connected) and"
        f" {count} WHEP subscribers (each until its first frame), 360p30, one at a time"
    )
    with tempfile.TemporaryDirectory(prefix="bench-video-closed-") as tmp:
        folder = Path(tmp)
        clip_file = folder / "clip.pickle"
        clip = encode_clip(30, 640, 360, fps=30, gop=30, bitrate=600_000, noise=8)
        clip_file.write_bytes(pickle.dumps(clip))
        lines = [head]
        loop = _measure(folder, clip_file, count, "127.0.0.1", "127.0.0.1")
        lines.append(_closed_line("loopback (127.0.0.1)", loop))
        reason = why_not_available()
        if reason:
            return [*lines, f"  closed network: skipped ({reason})"]
        with network_namespace(default_route=False) as ns:
            server_address, peer_address = ns.addresses
            launcher = tuple(ns.wrap([]))
            closed = _measure(
                folder, clip_file, count, server_address, peer_address, launcher=launcher
            )
            lines.append(
                _closed_line(
                    f"closed network (namespace, no route out; {server_address} ↔ {peer_address})",
                    closed,
                )
            )
            unreachable = _measure(
                folder,
                clip_file,
                count,
                server_address,
                peer_address,
                UNREACHABLE_STUN,
                launcher,
            )
            lines.append(
                _closed_line(
                    f"closed network, relay given {UNREACHABLE_STUN} (no route)", unreachable
                )
            )
    return lines
