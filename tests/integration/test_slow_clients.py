"""Bad-input table (issue 10, point 5): slow and silent clients.

Each row failed before the change: a client that never read got every ``pong`` and
``layout`` the wall wrote, held in the server's memory without end; one viewer could open
any number of previews, each fed at the flush rate; a silent video control channel stayed
open until TCP gave up.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import struct
import subprocess
import sys

import httpx
import pytest
import websockets
from wallsupport import login, screen_token, wait_until

from command_center.auth import Role
from command_center.server.link_limits import MAX_PREVIEWS
from command_center.server.runtime import WallRuntime


def frame(text: str) -> bytes:
    """A client's text frame (masked, with a zero key: the payload is sent as is)."""
    payload = text.encode()
    n = len(payload)
    length = struct.pack("!B", 0x80 | n) if n < 126 else struct.pack("!BH", 0x80 | 126, n)
    return b"\x81" + length + b"\0\0\0\0" + payload


def never_reading_screen(port: int, token: str) -> socket.socket:
    """A screen that says hello and then reads nothing: a tiny receive window, and the
    handshake's answer left unread too."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /ws/screen HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    hello = {"type": "hello", "screen": "left-top", "token": token}
    sock.sendall(frame(json.dumps(hello)))
    return sock


async def test_bad_input_a_screen_that_never_reads_is_dropped_past_1_mb(rt: WallRuntime) -> None:
    """Issue 10: a client that never reads got unbounded ``pong`` writes. It pings (cheap
    to send) while reading nothing; once the server owes it more than 1 MB the link is
    dropped, counted in ``/health``, and the screen shows offline."""
    sock = never_reading_screen(rt.port, screen_token(rt, "left-top"))
    try:
        await wait_until(lambda: rt.hub.status["left-top"].online > 0, what="the screen online")
        pings = b"".join(frame(json.dumps({"type": "ping", "t0": 1.5e12 + i})) for i in range(1000))

        def flood() -> None:
            # 50,000 pings: as many pongs of ~70 bytes owed, well over the kernel's
            # buffers (LINK_SNDBUF) and 1 MB.
            try:
                for _ in range(50):
                    sock.sendall(pings)
            except OSError:
                pass  # dropped mid-flood: what the test waits for

        await asyncio.to_thread(flood)
        await wait_until(
            lambda: rt.hub.links.slow_closed == 1, within=30, what="the link dropped as slow"
        )
        await wait_until(lambda: rt.hub.status["left-top"].online == 0, what="the screen offline")
        async with httpx.AsyncClient() as c:
            health = (await c.get(f"http://127.0.0.1:{rt.port}/health")).json()
        assert health["links"]["slow_closed"] == 1
    finally:
        sock.close()


async def preview(rt: WallRuntime, token: str) -> websockets.ClientConnection:
    ws = await websockets.connect(
        f"ws://127.0.0.1:{rt.port}/ws/screen", origin=f"http://127.0.0.1:{rt.port}"
    )
    await ws.send(
        json.dumps({"type": "hello", "screen": "left-top", "token": token, "preview": True})
    )
    return ws


async def first_message(ws: websockets.ClientConnection) -> dict[str, object]:
    message: dict[str, object] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return message


async def test_bad_input_the_ninth_preview_of_one_person_is_refused(rt: WallRuntime) -> None:
    """Issue 10: a viewer could open any number of preview links, each fed at 30 Hz. Eight
    per person (a 2x2 console needs four, plus a reconnect); the ninth is refused with a
    reason, and closing one makes room again."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}") as c:
        token = (await login(c, rt, Role.VIEWER))["Authorization"].split()[1]
        other = (await login(c, rt, Role.DUTY_OFFICER))["Authorization"].split()[1]
    links = [await preview(rt, token) for _ in range(MAX_PREVIEWS)]
    try:
        for ws in links:
            assert (await first_message(ws))["type"] == "welcome"
        ninth = await preview(rt, token)
        refusal = await first_message(ninth)
        assert refusal["type"] == "error" and refusal["code"] == "too_many_previews"
        assert f"{MAX_PREVIEWS} preview links" in str(refusal["message"])
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ninth.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.reason == "too_many_previews"
        # Another person is not affected; and one closed preview makes room for the next.
        someone_else = await preview(rt, other)
        assert (await first_message(someone_else))["type"] == "welcome"
        await someone_else.close()
        await links.pop().close()
        await wait_until(lambda: rt.hub.links.snapshot()["previews"] == MAX_PREVIEWS - 1)
        again = await preview(rt, token)
        links.append(again)
        assert (await first_message(again))["type"] == "welcome"
    finally:
        for ws in links:
            await ws.close()
    await wait_until(lambda: rt.hub.links.snapshot()["previews"] == 0, what="previews released")


VIDEO_PEER = """
import asyncio, json, sys
import websockets

async def main(url, origin, credential):
    async with websockets.connect(url, origin=origin) as ws:
        await ws.send(json.dumps({"type": "hello", "credential": credential}))
        first = json.loads(await ws.recv())
        print("connected" if first["type"] == "roster" else first, flush=True)
        while True:
            await ws.recv()

asyncio.run(main(*sys.argv[1:]))
"""


async def test_bad_input_a_silent_video_channel_is_closed(rt: WallRuntime) -> None:
    """Issue 10: the video control channel had no pings: a peer that lost power stayed
    connected until TCP gave up. The peer is a real process frozen with SIGSTOP (no FIN,
    no pong); the server's pings find it."""
    url, origin = f"ws://127.0.0.1:{rt.port}/ws/video", f"http://127.0.0.1:{rt.port}"
    token = screen_token(rt, "left-top")
    peer = subprocess.Popen(  # noqa: ASYNC220 -- a frozen process is the point
        [sys.executable, "-c", VIDEO_PEER, url, origin, f"screen:left-top:{token}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert peer.stdout is not None
        assert (await asyncio.to_thread(peer.stdout.readline)).strip() == "connected"
        await wait_until(lambda: rt.hub.links.video_links == 1, what="the channel open")
        os.kill(peer.pid, signal.SIGSTOP)
        await wait_until(
            lambda: rt.hub.links.video_links == 0, within=30, what="the silent channel closed"
        )
    finally:
        os.kill(peer.pid, signal.SIGKILL)
        peer.wait()
        if peer.stdout is not None:
            peer.stdout.close()
