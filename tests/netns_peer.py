"""A bare aiortc answerer for the namespace harness's own test (tests/netns.py).

Run inside the namespace: ``python tests/netns_peer.py``. Serves on 127.0.0.1 (a free
port, printed as ``ready <port>``): ``GET /`` an empty page (a secure origin for
getUserMedia), ``POST /offer`` an SDP offer -> the answer, ``GET /frames`` how many
video frames arrived and the candidate addresses aiortc gathered.
"""

from __future__ import annotations

import asyncio
import json
import socket

import tornado.web
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription

frames = {"video": 0}
peers: list[RTCPeerConnection] = []
tasks: set[asyncio.Task[None]] = set()
gathered: list[str] = []


async def _count(track: MediaStreamTrack) -> None:
    while True:
        await track.recv()
        frames["video"] += 1


class Page(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("<!doctype html><title>netns peer</title>")


class Offer(tornado.web.RequestHandler):
    async def post(self) -> None:
        pc = RTCPeerConnection()
        peers.append(pc)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                task = asyncio.ensure_future(_count(track))
                tasks.add(task)

        await pc.setRemoteDescription(RTCSessionDescription(self.request.body.decode(), "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        sdp = pc.localDescription.sdp
        gathered.extend(
            line.split()[4] for line in sdp.splitlines() if line.startswith("a=candidate:")
        )
        self.set_header("Content-Type", "application/sdp")
        self.write(sdp)


class Frames(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write(json.dumps({**frames, "candidates": gathered}))


async def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = tornado.web.Application([("/", Page), ("/offer", Offer), ("/frames", Frames)])
    app.listen(port, "127.0.0.1")
    print(f"ready {port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
