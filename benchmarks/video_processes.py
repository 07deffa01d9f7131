"""The video benchmark's processes: the server of the video routes alone, publishers and
subscribers, each started as ``python -m benchmarks.video_processes <mode> ...`` (``spawn``)
so that only the server's CPU is counted. ``benchmarks.video`` starts them and measures.

    _serve PORT [POINTS_FILE] [HOST_ADDRESSES] [ICE] [RECORD_DIR]
                                                       the room and its routes; READY when up
    _publish URL CLIP UNTIL OUT [ADDRESS]              one publisher of POINT, frames recorded
    _watch URL CLIP UNTIL OUT [ADDRESS]                one subscriber of POINT
    _publish_many / _watch_many URL CLIP UNTIL OUT POINTS   one per point, in one process
    _answers URL CLIP OUT COUNT ADDRESS                WHIP answer and first-frame times
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.rig import ROOT, free_port

POINT = "quang-ninh"
# The benchmark's processes (server, publishers, watchers) share one key file.
KEYS_FILE = Path(tempfile.gettempdir()) / f"cc-bench-video-{os.getuid()}" / "keys.json"


def bench_keys() -> Any:
    from command_center.credentials import DeviceCredentials
    from command_center.server.keys import KeyFile, Keys

    KEYS_FILE.parent.mkdir(mode=0o700, exist_ok=True)
    file = KeyFile.open(KEYS_FILE)
    return Keys(file, DeviceCredentials(file))


async def _serve(
    port: int,
    points_file: str = "",
    host_addresses: str = "127.0.0.1",
    ice: str = "",
    record_dir: str = "",
) -> None:
    """A server of the video routes only (no wall), on 127.0.0.1, plus ``/bench/counters``:
    the room's own frame counters, for the benchmark alone. ICE host candidates on
    ``host_addresses``, STUN/TURN servers ``ice`` (both comma-separated). With
    ``record_dir``, every call is recorded there (``record_calls``, as the wall does)."""
    from tornado.web import Application, RequestHandler

    from command_center.bus import MemoryBus
    from command_center.server.video_parts import VideoParts
    from command_center.server.video_routes import video_routes
    from command_center.sessions import Sessions
    from command_center.store import open_store
    from video.config import VideoConfig
    from video.ice import parse_ice_server
    from video.recordings import RecordingConfig, Recordings, open_recordings
    from video.registry import BRIDGE_POINTS_FILE, load_bridge_points
    from video.room import VideoRoom, open_video_room

    class Counters(RequestHandler):
        def initialize(self, room: VideoRoom, recordings: Recordings | None) -> None:
            self.room = room
            self.recordings = recordings

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
                    "recorded": {
                        p: recorder.frames
                        for p, (_, recorder) in (
                            self.recordings.active.items() if self.recordings else ()
                        )
                    },
                }
            )

    keys = bench_keys()
    config = VideoConfig(
        host_addresses=tuple(host_addresses.split(",")),
        ice_servers=tuple(parse_ice_server(url) for url in ice.split(",") if url),
    )
    registry = load_bridge_points(Path(points_file) if points_file else BRIDGE_POINTS_FILE)
    async with contextlib.AsyncExitStack() as stack:
        store = await stack.enter_async_context(
            open_store(Path(tempfile.mkdtemp(prefix="bench-video-")), None)
        )
        room = await stack.enter_async_context(open_video_room(registry, MemoryBus(), config))
        recordings = None
        if record_dir:
            recording = RecordingConfig(Path(record_dir), record_calls=True)
            recordings = await stack.enter_async_context(open_recordings(room, recording, store))
        # Bridge points use their point tokens; the sessions are there for the routes' sake.
        sessions = Sessions(store, keys.session)
        routes = [
            *video_routes(VideoParts(room, keys, frozenset(), sessions, store)),
            (r"/bench/counters", Counters, {"room": room, "recordings": recordings}),
        ]
        app = Application(routes)
        server = app.listen(port, address="127.0.0.1")
        print("READY", flush=True)
        await asyncio.Event().wait()  # until terminated
        server.stop()


async def _publish(url: str, clip: Any, until: float, address: str = "127.0.0.1") -> dict[str, Any]:
    from video.media import EncodedLoopTrack
    from video.tokens import point_token
    from video.whip_client import publish

    track = EncodedLoopTrack(clip, record=True)
    link = await publish(
        url,
        POINT,
        point_token(bench_keys().devices, POINT),
        [track],
        (address,),
        track.request_keyframe,
    )
    await asyncio.sleep(max(0.0, until - time.time()))
    await link.close()
    return {"sent": track.sent, "pli": track.keyframe_requests}


async def _watch(url: str, clip: Any, until: float, address: str = "127.0.0.1") -> dict[str, Any]:
    from video.aiortc_hooks import EncodedFrame
    from video.tokens import point_token
    from video.whip_client import watch

    index = {data: i for i, data in enumerate(clip.frames)}
    got: list[tuple[int, float]] = []

    def on_frame(kind: str, frame: EncodedFrame) -> None:
        if kind == "video":
            got.append((index.get(frame.data, -1), frame.received_at))

    asked = time.time()
    credential = f"point:hue:{point_token(bench_keys().devices, 'hue')}"
    link = await watch(url, POINT, credential, on_frame, (address,), kinds=("video",))
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
        token = point_token(bench_keys().devices, point)
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
        credential = f"point:{holder}:{point_token(bench_keys().devices, holder)}"
        got[point] = []

        def on_frame(kind: str, frame: EncodedFrame, into: list[float] = got[point]) -> None:
            into.append(frame.received_at)

        asked[point] = time.time()
        links.append(await watch(url, point, credential, on_frame, ("127.0.0.1",), ("video",)))
    await asyncio.sleep(max(0.0, until - time.time()))
    for link in links:
        await link.close()
    return {"got": got, "asked": asked}


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
        "Authorization": f"Bearer {point_token(bench_keys().devices, POINT)}",
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
    credential = f"point:hue:{point_token(bench_keys().devices, 'hue')}"
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


def spawn(*args: str, launcher: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*launcher, sys.executable, "-m", "benchmarks.video_processes", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


_READ_COUNTERS = (
    "import sys, urllib.request; "
    "print(urllib.request.urlopen(sys.argv[1] + '/bench/counters', timeout=10).read().decode())"
)


@dataclass
class VideoServer:
    """A running ``_serve`` process and the clients started against it (``spawn``)."""

    url: str
    pid: int
    launcher: tuple[str, ...]
    clients: list[subprocess.Popen[str]] = field(default_factory=list)

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        client = spawn(*args, launcher=self.launcher)
        self.clients.append(client)
        return client

    def counters(self) -> dict[str, Any]:
        """The server's ``/bench/counters``, read by a process beside it (in its namespace;
        the standard library only, so it takes a few tens of ms)."""
        read = subprocess.run(
            [*self.launcher, sys.executable, "-c", _READ_COUNTERS, self.url],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        counted: dict[str, Any] = json.loads(read.stdout)
        return counted


@contextlib.contextmanager
def video_server(*args: str, launcher: tuple[str, ...] = ()) -> Iterator[VideoServer]:
    """``_serve`` on a free port with ``args``, once it says READY; on exit every client
    started through it, then the server, are stopped."""
    port = free_port()
    server = spawn("_serve", str(port), *args, launcher=launcher)
    running = VideoServer(f"http://127.0.0.1:{port}", server.pid, launcher)
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != "READY":
            raise RuntimeError("video server did not start")
        yield running
    finally:
        for proc in [*running.clients, server]:
            if proc.poll() is None:
                proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


def bench_points(folder: Path, count: int) -> tuple[Path, list[str]]:
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
        url, clip_file, until, out, *address = rest
        clip = pickle.loads(Path(clip_file).read_bytes())  # our own file, written by run()
        work = _publish if mode == "_publish" else _watch
        Path(out).write_text(json.dumps(asyncio.run(work(url, clip, float(until), *address))))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
