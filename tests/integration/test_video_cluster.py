"""Video across two wall processes on one Redis: a WHEP viewer on B gets a point that
publishes to A (B pulls it once from A with a node credential, forwarding the bytes), the
node credential opens nothing else, and program and pins set on A hold on B.

Real processes (``run_wall.py``), a private Redis, aiortc peers on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from relaysupport import LOOPBACK, Collector
from wallprocess import WallProcess, video_pair
from wallsupport import wait_until

from command_center.credentials import secret_bytes
from command_center.server.keys import KeyFile
from video.media import EncodedClip, EncodedLoopTrack
from video.node_credential import node_credential, node_key
from video.whip_client import Link, SignallingError, publish, watch

pytestmark = pytest.mark.redis

SDP = {"Content-Type": "application/sdp"}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    # One key file for both (keys never go into Redis); media on loopback only.
    with video_pair(tmp_path) as walls:
        yield walls


def point_cred(wall: WallProcess, point: str) -> str:
    return f"point:{point}:{wall.token('bridge', point)}"


@contextlib.asynccontextmanager
async def publishing(
    wall: WallProcess, point: str, clip: EncodedClip
) -> AsyncIterator[EncodedLoopTrack]:
    track = EncodedLoopTrack(clip, record=True)
    link = await publish(
        wall.url,
        point,
        wall.token("bridge", point),
        [track],  # type: ignore[list-item]
        host_addresses=LOOPBACK,
        on_keyframe=track.request_keyframe,
    )
    try:
        yield track
    finally:
        await link.close()


@contextlib.asynccontextmanager
async def viewing(wall: WallProcess, source: str, credential: str) -> AsyncIterator[Collector]:
    got = Collector()
    link: Link = await watch(wall.url, source, credential, got, host_addresses=LOOPBACK)
    try:
        yield got
    finally:
        await link.close()


async def signed_in(client: httpx.AsyncClient, wall: WallProcess) -> dict[str, str]:
    name, password = wall.users["duty_officer"]
    r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def roster(wall: WallProcess, auth: dict[str, str]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=wall.url) as client:
        r = await client.get("/api/v1/video/roster", headers=auth)
        assert r.status_code == 200, r.text
        return dict(r.json())


def status(of: dict[str, Any], point: str) -> dict[str, Any]:
    return next(p for p in of["points"] if p["id"] == point)


async def test_a_viewer_on_b_gets_a_point_publishing_to_a(
    pair: tuple[WallProcess, WallProcess], clip: EncodedClip
) -> None:
    a, b = pair
    async with httpx.AsyncClient(base_url=a.url) as client:
        auth = await signed_in(client, a)
    async with publishing(a, "quang-ninh", clip):
        await wait_until(
            lambda: _in_call(a, auth, "quang-ninh"), within=20, what="quang-ninh in call on A"
        )
        # B's console shows it in call too, as A reports it, before anyone watches it on B.
        await wait_until(
            lambda: _in_call(b, auth, "quang-ninh"), within=20, what="quang-ninh in call on B"
        )
        async with (
            viewing(b, "quang-ninh", point_cred(b, "hue")) as first,
            viewing(b, "quang-ninh", point_cred(b, "da-nang")) as second,
        ):
            await wait_until(lambda: first.count() >= 45, within=30, what="45 frames on B")
            await wait_until(lambda: second.count() >= 45, within=30, what="45 frames, again")
            # Forwarded, never transcoded: the bytes the publisher's clip holds.
            assert all(f.data in clip.frames for f in first.frames["video"])
            assert first.frames["video"][0].keyframe, "a viewer starts at a keyframe"
            # Two viewers on B, one pull: A forwards quang-ninh to one subscriber.
            on_a = status(await roster(a, auth), "quang-ninh")
            assert on_a["subscribers"] == 1, on_a
            on_b = status(await roster(b, auth), "quang-ninh")
            assert on_b["in_call"] and on_b["subscribers"] == 2, on_b
        # The last viewer on B left: after a short grace B hangs up its pull on A.

        async def pull_closed() -> bool:
            return status(await roster(a, auth), "quang-ninh")["subscribers"] == 0

        await wait_until(pull_closed, within=20, what="B's pull closed")

    async def gone_on_b() -> bool:
        return not status(await roster(b, auth), "quang-ninh")["online"]

    await wait_until(gone_on_b, within=20, what="quang-ninh off the call on B's roster")


async def _in_call(wall: WallProcess, auth: dict[str, str], point: str) -> bool:
    return bool(status(await roster(wall, auth), point)["in_call"])


async def test_the_node_credential_opens_only_the_pull_of_its_point(
    pair: tuple[WallProcess, WallProcess], clip: EncodedClip
) -> None:
    a, b = pair
    key = node_key(secret_bytes(KeyFile.open(a.keys_file).current().bus))
    node = node_credential(key, "quang-ninh")
    bearer = {"Authorization": f"Bearer {node}"}
    async with publishing(a, "quang-ninh", clip), httpx.AsyncClient(base_url=a.url) as client:
        auth = await signed_in(client, a)
        await wait_until(
            lambda: _in_call(a, auth, "quang-ninh"), within=20, what="quang-ninh in call on A"
        )
        # What it is for: WHEP of its point on the process that holds it.
        got = Collector()
        link = await watch(a.url, "quang-ninh", node, got, host_addresses=LOOPBACK)
        try:
            await wait_until(lambda: got.count() >= 10, within=30, what="frames to the node")
        finally:
            await link.close()
        # Anything else is refused, before any body is read.
        offer = "v=0\r\n"
        for method, path in [
            ("POST", "/whep/hue"),
            ("POST", "/whep/program"),
            ("POST", "/whip/quang-ninh"),
            ("GET", "/api/v1/video/roster"),
            ("POST", "/api/v1/video/program"),
            ("GET", "/api/v1/state"),
        ]:
            r = await client.request(method, path, content=offer, headers={**SDP, **bearer})
            assert r.status_code == 401, (method, path, r.status_code, r.text)
        # An expired or forged one opens nothing either.
        for bad in (
            node_credential(key, "quang-ninh", now=time.time() - 3600),
            node_credential(b"not the wall's key" * 2, "quang-ninh"),
        ):
            with pytest.raises(SignallingError) as refused:
                await watch(a.url, "quang-ninh", bad, Collector(), host_addresses=LOOPBACK)
            assert refused.value.status == 401
        # B holds nothing: a node never pulls a pull.
        with pytest.raises(SignallingError) as refused:
            await watch(b.url, "quang-ninh", node, Collector(), host_addresses=LOOPBACK)
        assert refused.value.status == 404
        # Nor does it open the control channel.
        ws_url = f"ws://127.0.0.1:{a.port}/ws/video"
        async with websockets.connect(ws_url, origin=a.url) as ws:
            await ws.send(json.dumps({"type": "hello", "credential": node}))
            answer = json.loads(await ws.recv())
            assert answer["type"] == "error", answer


async def test_program_and_pins_set_on_a_hold_on_b(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    ws_url = f"ws://127.0.0.1:{b.port}/ws/video"
    async with (
        httpx.AsyncClient(base_url=a.url) as client,
        websockets.connect(ws_url, origin=b.url) as ws,
    ):
        await ws.send(json.dumps({"type": "hello", "credential": point_cred(b, "hue")}))
        first = json.loads(await ws.recv())
        assert first["type"] == "roster" and first["pins"] == {}
        auth = await signed_in(client, a)
        r = await client.post(
            "/api/v1/video/pins", json={"tile": "tile-x", "source": "hue"}, headers=auth
        )
        assert r.status_code == 200, r.text
        r = await client.post("/api/v1/video/program", json={"source": "da-nang"}, headers=auth)
        assert r.status_code == 200, r.text
        r = await client.post(
            "/api/v1/video/points/quang-ninh/mute", json={"muted": True}, headers=auth
        )
        assert r.status_code == 200, r.text
        # B's screens and points hear it on their control channel, with who did it.
        seen: dict[str, dict[str, Any]] = {}
        while len(seen) < 3:
            event = json.loads(await ws.recv())
            if event["type"] in ("pinned", "program", "muted"):
                seen[event["type"]] = event
        assert seen["pinned"]["tile"] == "tile-x" and seen["pinned"]["source"] == "hue"
        assert seen["program"]["source"] == "da-nang"
        assert seen["muted"]["point"] == "quang-ninh" and seen["muted"]["muted"] is True
        assert seen["program"]["by"] == a.users["duty_officer"][0]
    on_b = await roster(b, auth)
    assert on_b["pins"] == {"tile-x": "hue"} and on_b["program"] == "da-nang"
    assert status(on_b, "quang-ninh")["muted"] is True
    # A process that starts later reads them from the store.
    b.restart()

    async def read_at_start() -> bool:
        on_b = await roster(b, auth)
        return on_b["pins"] == {"tile-x": "hue"} and on_b["program"] == "da-nang"

    await wait_until(read_at_start, within=10, what="B's state read from the store")
    assert status(await roster(b, auth), "quang-ninh")["muted"] is True


async def test_a_bridge_page_of_a_may_fail_over_to_b_and_no_other_site_may(
    pair: tuple[WallProcess, WallProcess],
) -> None:
    a, b = pair
    async with httpx.AsyncClient(base_url=b.url) as client:
        # The server list, for a point told one URL.
        r = await client.get(
            "/api/v1/video/servers", headers={"Authorization": f"Bearer {point_cred(b, 'hue')}"}
        )
        assert r.status_code == 200 and r.json() == {"servers": [a.url, b.url]}
        assert (await client.get("/api/v1/video/servers")).status_code == 401
        # A's bridge page, its server lost, posts its offer to B: the preflight passes.
        for path, method in [("/whip/hue", "POST"), ("/whip/hue/s1", "DELETE")]:
            ask = {"Access-Control-Request-Method": method, "Origin": a.url}
            ask["Access-Control-Request-Headers"] = "authorization, content-type"
            r = await client.options(path, headers=ask)
            assert r.status_code == 204, (path, r.status_code, r.text)
            assert r.headers["Access-Control-Allow-Origin"] == a.url
            assert method in r.headers["Access-Control-Allow-Methods"]
            assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
            # Another site's page gets no CORS answer at all.
            r = await client.options(path, headers={**ask, "Origin": "https://evil.example"})
            assert "Access-Control-Allow-Origin" not in r.headers
        # A refusal is readable by A's page (so it can tell "wrong token" from "gone").
        r = await client.post(
            "/whip/hue",
            content="v=0",
            headers={**SDP, "Origin": a.url, "Authorization": "Bearer wrong"},
        )
        assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == a.url
        assert "Location" in r.headers["Access-Control-Expose-Headers"]
    # The control channel takes A's pages too, and still no other site's.
    ws_url = f"ws://127.0.0.1:{b.port}/ws/video"
    async with websockets.connect(ws_url, origin=a.url) as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello", "credential": point_cred(b, "hue")}))
        assert json.loads(await ws.recv())["type"] == "roster"
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(ws_url, origin="https://evil.example"):  # type: ignore[arg-type]
            pass
