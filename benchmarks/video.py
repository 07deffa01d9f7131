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

    python -m benchmarks video [--short]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.rig import ROOT, cpu_seconds, free_port, percentile

POINT = "quang-ninh"
# The benchmark's processes (server, publishers, watchers) share one key file.
KEYS_FILE = Path(tempfile.gettempdir()) / f"cc-bench-video-{os.getuid()}" / "keys.json"


def _keys() -> Any:
    from command_center.credentials import DeviceCredentials
    from command_center.server.keys import KeyFile, Keys

    KEYS_FILE.parent.mkdir(mode=0o700, exist_ok=True)
    file = KeyFile.open(KEYS_FILE)
    return Keys(file, DeviceCredentials(file))


# --- the processes ---------------------------------------------------------------------


async def _serve(
    port: int, points_file: str = "", host_addresses: str = "127.0.0.1", ice: str = ""
) -> None:
    """A server of the video routes only (no wall), on 127.0.0.1, plus ``/bench/counters``:
    the room's own frame counters, for the benchmark alone. ICE host candidates on
    ``host_addresses``, STUN/TURN servers ``ice`` (both comma-separated)."""
    from tornado.web import Application, RequestHandler

    from command_center.bus import MemoryBus
    from command_center.server.video_routes import video_routes
    from command_center.sessions import Sessions
    from command_center.store import open_store
    from video.config import VideoConfig
    from video.ice import parse_ice_server
    from video.registry import BRIDGE_POINTS_FILE, load_bridge_points
    from video.room import VideoRoom, open_video_room

    class Counters(RequestHandler):
        def initialize(self, room: VideoRoom) -> None:
            self.room = room

        def get(self) -> None:
            self.finish(
                {
                    "publishers": {
                        p: s.sources["video"].frames for p, s in self.room.publishers.items()
                    },
                    "watchers": {
                        w.id: {
                            "source": w.source,
                            "sent": w.tracks["video"].frames_sent,
                            "dropped": w.tracks["video"].dropped,
                        }
                        for w in self.room.watchers.values()
                    },
                }
            )

    keys = _keys()
    config = VideoConfig(
        host_addresses=tuple(host_addresses.split(",")),
        ice_servers=tuple(parse_ice_server(url) for url in ice.split(",") if url),
    )
    registry = load_bridge_points(Path(points_file) if points_file else BRIDGE_POINTS_FILE)
    async with (
        open_store(Path(tempfile.mkdtemp(prefix="bench-video-")), None) as store,
        open_video_room(registry, MemoryBus(), config) as room,
    ):
        # Bridge points use their point tokens; the sessions are there for the routes' sake.
        sessions = Sessions(store, keys.session)
        routes = [
            *video_routes(room, keys, frozenset(), sessions, store),
            (r"/bench/counters", Counters, {"room": room}),
        ]
        app = Application(routes)
        server = app.listen(port, address="127.0.0.1")
        print("READY", flush=True)
        await asyncio.Event().wait()  # until terminated
        server.stop()


async def _publish(url: str, clip: Any, until: float) -> dict[str, Any]:
    from video.media import EncodedLoopTrack
    from video.tokens import point_token
    from video.whip_client import publish

    track = EncodedLoopTrack(clip, record=True)
    link = await publish(
        url,
        POINT,
        point_token(_keys().devices, POINT),
        [track],
        ("127.0.0.1",),
        track.request_keyframe,
    )
    await asyncio.sleep(max(0.0, until - time.time()))
    await link.close()
    return {"sent": track.sent, "pli": track.keyframe_requests}


async def _watch(url: str, clip: Any, until: float) -> dict[str, Any]:
    from video.aiortc_hooks import EncodedFrame
    from video.tokens import point_token
    from video.whip_client import watch

    index = {data: i for i, data in enumerate(clip.frames)}
    got: list[tuple[int, float]] = []

    def on_frame(kind: str, frame: EncodedFrame) -> None:
        if kind == "video":
            got.append((index.get(frame.data, -1), frame.received_at))

    asked = time.time()
    credential = f"point:hue:{point_token(_keys().devices, 'hue')}"
    link = await watch(url, POINT, credential, on_frame, ("127.0.0.1",), kinds=("video",))
    await asyncio.sleep(max(0.0, until - time.time()))
    await link.close()
    return {"asked": asked, "got": got}


async def _publish_many(url: str, clip: Any, until: float, points: str) -> dict[str, Any]:
    """One publisher per point in ``points`` (comma-separated), all in this process."""
    from video.media import EncodedLoopTrack
    from video.tokens import point_token
    from video.whip_client import publish

    links, tracks = [], []
    for point in points.split(","):
        track = EncodedLoopTrack(clip)
        tracks.append(track)
        token = point_token(_keys().devices, point)
        links.append(
            await publish(url, point, token, [track], ("127.0.0.1",), track.request_keyframe)
        )
    await asyncio.sleep(max(0.0, until - time.time()))
    for link in links:
        await link.close()
    return {"pli": sum(t.keyframe_requests for t in tracks)}


async def _watch_many(url: str, clip: Any, until: float, points: str) -> dict[str, Any]:
    """One subscriber per point (as a wall of 25 tiles would), all in this process. Each
    watches with the next point's credential: the relay caps sessions per credential (16),
    which one credential for 25 tiles would pass."""
    from video.aiortc_hooks import EncodedFrame
    from video.tokens import point_token
    from video.whip_client import watch

    ids = points.split(",")
    got: dict[str, list[float]] = {}
    asked: dict[str, float] = {}
    links = []
    for n, point in enumerate(ids):
        holder = ids[(n + 1) % len(ids)]
        credential = f"point:{holder}:{point_token(_keys().devices, holder)}"
        got[point] = []

        def on_frame(kind: str, frame: EncodedFrame, into: list[float] = got[point]) -> None:
            into.append(frame.received_at)

        asked[point] = time.time()
        links.append(await watch(url, point, credential, on_frame, ("127.0.0.1",), ("video",)))
    await asyncio.sleep(max(0.0, until - time.time()))
    for link in links:
        await link.close()
    return {"got": got, "asked": asked}


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
            f" (target ≤ 5 %: {ok(per_stream <= 5)})",
            f"  per extra subscriber: {extra:.2f} % of a core (target ≤ 1 %: {ok(extra <= 1)})",
            f"  frames delivered/sent: {self.delivered_ratio:.3f}; slowest phase {min_fps:.1f} fps per subscriber"
            f" (target ≥ 29: {ok(min_fps >= 29)}); {self.unknown_frames} frames not byte-identical to one sent",
            f"  latency publisher send → subscriber reassembled: p50 {l50:.1f} ms, p95 {l95:.1f} ms"
            f" (targets p50 ≤ 60, p95 ≤ 100 ms: {ok(l50 <= 60 and l95 <= 100)}; no decode or display included)",
            f"  server's own counters per phase (publisher → server fps / server → each subscriber fps"
            f" / received fps): {self._split()}",
            f"  {self._verdict()}",
            f"  time to first frame for a new subscriber: p95 {f95:.0f} ms over {len(self.first_frame_ms)}"
            f" (target ≤ 500 ms: {ok(f95 <= 500)}); keyframe requests reaching the publisher: {self.pli}",
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
        if got >= 29:
            return "every subscriber got ≥ 29 fps"
        if ingest < 29:
            return (
                f"the publisher reached the server at {ingest:.1f} fps: the publisher was starved"
            )
        if forwarded >= 29:
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


def _spawn(*args: str, launcher: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*launcher, sys.executable, "-m", "benchmarks.video", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
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
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = _spawn("_serve", str(port))
        procs: list[subprocess.Popen[str]] = []
        try:
            assert server.stdout is not None
            if server.stdout.readline().strip() != "READY":
                raise RuntimeError("video server did not start")
            settle = 2.0
            total = settle + seconds + len(subscribers) * (settle + seconds) + 2.0
            until = time.time() + total
            procs.append(
                _spawn("_publish", url, str(clip_file), str(until), str(folder / "pub.json"))
            )
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
                    procs.append(_spawn("_watch", url, str(clip_file), str(until), str(out)))
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
            for proc in procs:
                proc.wait(timeout=total + 30)
        finally:
            for proc in [*procs, server]:
                if proc.poll() is None:
                    proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
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


def _points_file(folder: Path, count: int) -> tuple[Path, list[str]]:
    """A registry of the room and ``count`` bench points (the shipped one has 10)."""
    ids = [f"bench-{n:02d}" for n in range(1, count + 1)]
    rows = ["points:"]
    for ident in ["room", *ids]:
        kind = "room" if ident == "room" else "province"
        rows += [
            f"  - id: {ident}",
            f"    kind: {kind}",
            f'    name_vi: "Điểm cầu {ident}"',
            f'    name_en: "Bridge point {ident}"',
            "    location: {lat: 21.0, lon: 105.8}",
            '    area_code: "01"',
        ]
    path = folder / "points.yaml"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, ids


def run_points(count: int = 25, seconds: float = 10.0) -> list[str]:
    """``count`` bridge points at once, each publishing 360p30 (~600 kbit/s) and watched by
    one subscriber: server CPU, and fps by the server's counters and as received."""
    from video.media import encode_clip

    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        folder = Path(tmp)
        points_file, ids = _points_file(folder, count)
        clip_file = folder / "clip.pickle"
        clip = encode_clip(60, 640, 360, fps=30, gop=60, bitrate=600_000, noise=8)
        clip_file.write_bytes(pickle.dumps(clip))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = _spawn("_serve", str(port), str(points_file))
        procs: list[subprocess.Popen[str]] = []
        try:
            assert server.stdout is not None
            if server.stdout.readline().strip() != "READY":
                raise RuntimeError("video server did not start")
            settle = 5.0
            until = time.time() + 2 * settle + seconds + 2.0
            names = ",".join(ids)
            procs.append(
                _spawn(
                    "_publish_many",
                    url,
                    str(clip_file),
                    str(until),
                    str(folder / "pub.json"),
                    names,
                )
            )
            time.sleep(settle)
            procs.append(
                _spawn(
                    "_watch_many", url, str(clip_file), str(until), str(folder / "sub.json"), names
                )
            )
            time.sleep(settle)
            counted = _counters(url)
            start, before = time.time(), cpu_seconds(server.pid)
            time.sleep(seconds)
            cpu = 100 * (cpu_seconds(server.pid) - before) / seconds
            end = time.time()
            ingest, forwarded = _server_rates(counted, _counters(url), end - start)
            for proc in procs:
                proc.wait(timeout=until - time.time() + 60)
        finally:
            for proc in [*procs, server]:
                if proc.poll() is None:
                    proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
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
        f" (in + out; target ≤ 5 % per stream: {ok(cpu / count <= 5)})",
        f"  server counters: publisher → server {ingest:.1f} fps per point, server → subscriber"
        f" {forwarded:.1f} fps per subscriber; received: mean {sum(fps) / max(1, len(fps)):.1f},"
        f" slowest {low:.1f} fps (target ≥ 29: {ok(low >= 29)})",
        f"  first frame p95 {percentile(first, 0.95):.0f} ms over {len(first)} subscribers;"
        f" machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
    ]


# --- where users are: a closed network ---------------------------------------------------

ANSWER_TARGET_MS = 100.0
FIRST_FRAME_TARGET_MS = 500.0
# TEST-NET-2 (RFC 5737): never routed; in the namespace there is no route to it at all.
UNREACHABLE_STUN = "stun:198.51.100.7:3478"


async def _timed_publish(url: str, track: Any, address: str) -> tuple[Any, float]:
    """``whip_client.publish``, with the POST → 201 time alone (the offer's own gathering
    is the point's, not the server's): the link and that time in ms."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    from video.aiortc_hooks import gather_on, on_keyframe_request
    from video.tokens import point_token
    from video.whip_client import Link

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # the point: no ICE server
    sender = pc.addTransceiver(track, direction="sendonly").sender
    on_keyframe_request(sender, track.request_keyframe)
    gather_on(pc, (address,))
    await pc.setLocalDescription(await pc.createOffer())
    headers = {
        "Authorization": f"Bearer {point_token(_keys().devices, POINT)}",
        "Content-Type": "application/sdp",
    }
    request = HTTPRequest(
        f"{url}/whip/{POINT}", method="POST", headers=headers, body=pc.localDescription.sdp
    )
    started = time.perf_counter()
    response = await AsyncHTTPClient().fetch(request)
    took = 1000 * (time.perf_counter() - started)
    await pc.setRemoteDescription(RTCSessionDescription(response.body.decode(), "answer"))
    resource = f"{url}{response.headers['Location']}"
    return Link(pc, resource, {"Authorization": headers["Authorization"]}), took


async def _answers(url: str, clip: Any, count: int, address: str) -> dict[str, list[float]]:
    """``count`` WHIP publishes (each until connected, then hung up), then one publisher
    that stays and ``count`` WHEP subscribers one after another, each until its first
    video frame: the answer times and first-frame times in ms."""
    from video.aiortc_hooks import EncodedFrame
    from video.media import EncodedLoopTrack
    from video.tokens import point_token
    from video.whip_client import watch

    answers: list[float] = []
    for _ in range(count):
        track = EncodedLoopTrack(clip)
        link, took = await _timed_publish(url, track, address)
        answers.append(took)
        for _ in range(500):  # until connected (at most 5 s), so each is a whole call
            if link.pc.connectionState in ("connected", "failed"):
                break
            await asyncio.sleep(0.01)
        await link.close()
    publisher, _ = await _timed_publish(url, EncodedLoopTrack(clip), address)
    credential = f"point:hue:{point_token(_keys().devices, 'hue')}"
    first: list[float] = []
    for _ in range(count):
        arrived = asyncio.Event()

        def on_frame(kind: str, frame: EncodedFrame, arrived: asyncio.Event = arrived) -> None:
            arrived.set()

        asked = time.perf_counter()
        link = await watch(url, POINT, credential, on_frame, (address,), kinds=("video",))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(arrived.wait(), 10)
            first.append(1000 * (time.perf_counter() - asked))
        await link.close()
    await publisher.close()
    return {"answers": answers, "first": first}


def _measure(
    folder: Path,
    clip_file: Path,
    count: int,
    server_address: str,
    peer_address: str,
    ice: str = "",
    launcher: tuple[str, ...] = (),
) -> dict[str, list[float]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _spawn("_serve", str(port), "", server_address, ice, launcher=launcher)
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "READY":
            raise RuntimeError("video server did not start")
        out = folder / f"answers-{port}.json"
        probe = _spawn(
            "_answers", url, str(clip_file), str(out), str(count), peer_address, launcher=launcher
        )
        probe.wait(timeout=30 + count * 12)
        result: dict[str, list[float]] = json.loads(out.read_text())
        return result
    finally:
        if server.poll() is None:
            server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else f"NOT met, ×{value / target:.1f}"


def _closed_line(label: str, got: dict[str, list[float]]) -> str:
    a50, a95 = percentile(got["answers"], 0.5), percentile(got["answers"], 0.95)
    f95 = percentile(got["first"], 0.95)
    lost = len(got["answers"]) - len(got["first"])
    return (
        f"  {label}: WHIP answer (POST → 201) p50 {a50:.0f} ms, p95 {a95:.0f} ms"
        f" (target ≤ {ANSWER_TARGET_MS:.0f} ms: {_verdict(a95, ANSWER_TARGET_MS)});"
        f" first frame p95 {f95:.0f} ms over {len(got['first'])}"
        f" (target ≤ {FIRST_FRAME_TARGET_MS:.0f} ms: {_verdict(f95, FIRST_FRAME_TARGET_MS)})"
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


def main(argv: list[str]) -> None:
    mode, *rest = argv
    if mode == "_serve":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(int(rest[0]), *rest[1:]))
    elif mode == "_answers":
        url, clip_file, out, count, address = rest
        clip = pickle.loads(Path(clip_file).read_bytes())  # our own file, written by run_closed()
        times = asyncio.run(_answers(url, clip, int(count), address))
        Path(out).write_text(json.dumps(times))
    elif mode in ("_publish_many", "_watch_many"):
        url, clip_file, until, out, points = rest
        clip = pickle.loads(Path(clip_file).read_bytes())  # our own file, written by run_points()
        many = _publish_many if mode == "_publish_many" else _watch_many
        Path(out).write_text(json.dumps(asyncio.run(many(url, clip, float(until), points))))
    elif mode in ("_publish", "_watch"):
        url, clip_file, until, out = rest
        clip = pickle.loads(Path(clip_file).read_bytes())  # our own file, written by run()
        work = _publish if mode == "_publish" else _watch
        Path(out).write_text(json.dumps(asyncio.run(work(url, clip, float(until)))))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
