"""WHIP/WHEP refusals, the control channel and the console's actions, on a real server.

Each refused offer gets its status and the JSON envelope, and changes nothing for a point
already in the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from aiortc import RTCPeerConnection
from relaysupport import LOOPBACK, cred, publisher, subscriber, video_runtime
from wallsupport import login, wait_until

from command_center.auth import Role
from command_center.messages import BridgePointState
from command_center.server.runtime import WallRuntime
from video.aiortc_hooks import gather_on
from video.media import EncodedClip
from video.tokens import point_token


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with video_runtime(tmp_path, stats_interval_s=0.5) as runtime:
        yield runtime


async def offer_sdp(
    kinds: tuple[str, ...] = ("video", "audio"), direction: str = "sendonly"
) -> str:
    pc = RTCPeerConnection()
    for kind in kinds:
        pc.addTransceiver(kind, direction=direction)
    gather_on(pc, LOOPBACK)
    await pc.setLocalDescription(await pc.createOffer())
    text = str(pc.localDescription.sdp)
    await pc.close()
    return text


def only_codec(sdp: str, kind: str, name: str) -> str:
    """Rewrite the ``kind`` section to offer one codec ``name`` (payload type 96)."""
    out, section = [], None
    for line in sdp.splitlines():
        if line.startswith("m="):
            section = line[2:].split()[0]
            if section == kind:
                parts = line.split()
                line = " ".join([*parts[:3], "96"])
        elif section == kind and line.startswith(("a=rtpmap:", "a=fmtp:", "a=rtcp-fb:")):
            if line.startswith("a=rtpmap:") and f"a=rtpmap:96 {name}/90000" not in out:
                out.append(f"a=rtpmap:96 {name}/90000")
            continue
        out.append(line)
    return "\r\n".join(out) + "\r\n"


def error_of(r: httpx.Response) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return dict(body["error"])


BAD = [
    # (point, credential kind, content type, body kind, status, code, message fragment)
    ("hue", "wrong", "application/sdp", "good", 401, "unauthenticated", "wrong token"),
    ("hue", "none", "application/sdp", "good", 401, "unauthenticated", "authentication required"),
    ("hue", "other-point", "application/sdp", "good", 403, "forbidden", "may not publish as 'hue'"),
    ("nowhere", "right", "application/sdp", "good", 404, "not_found", "unknown bridge point"),
    ("hue", "right", "application/sdp", "junk", 400, "malformed_sdp", "must start with 'v=0'"),
    ("hue", "right", "application/sdp", "no-media", 400, "malformed_sdp", "no audio or video"),
    ("hue", "right", "application/sdp", "recvonly", 400, "malformed_sdp", "cannot publish"),
    ("hue", "right", "text/plain", "good", 415, "unsupported_media_type", "application/sdp"),
    ("hue", "right", "application/sdp", "vp9", 406, "codec_not_accepted", "accepted VP8, H264"),
]


@pytest.mark.parametrize(
    "point, who, ctype, body, status, code, fragment",
    BAD,
    ids=[
        "wrong-token",
        "no-token",
        "another-points-token",
        "unknown-point",
        "junk-sdp",
        "no-media",
        "wrong-direction",
        "wrong-content-type",
        "unaccepted-codec",
    ],
)
async def test_bad_whip_offers_are_refused_and_change_nothing(
    rt: WallRuntime,
    client: httpx.AsyncClient,
    clip: EncodedClip,
    point: str,
    who: str,
    ctype: str,
    body: str,
    status: int,
    code: str,
    fragment: str,
) -> None:
    good = await offer_sdp()
    bodies = {
        "good": good,
        "junk": "hello, this is not SDP",
        "no-media": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
        "recvonly": await offer_sdp(direction="recvonly"),
        "vp9": only_codec(good, "video", "VP9"),
    }
    tokens = {
        "right": point_token(rt.keys.devices, point),
        "wrong": "not-the-token",
        "other-point": cred(rt, "quang-ninh"),
    }
    headers = {"Content-Type": ctype}
    if who != "none":
        headers["Authorization"] = f"Bearer {tokens[who]}"
    assert rt.video is not None
    async with (
        publisher(rt, "quang-ninh", clip),
        subscriber(rt, "quang-ninh", cred(rt, "hue")) as (_, got),
    ):
        await wait_until(lambda: got.count() >= 5, within=20, what="the call to run")
        before = (
            set(rt.video.publishers),
            set(rt.video.watchers),
            rt.video.publishers["quang-ninh"].id,
        )
        r = await client.post(f"/whip/{point}", content=bodies[body], headers=headers)
        assert r.status_code == status, r.text
        error = error_of(r)
        assert error["code"] == code and fragment in error["message"], error
        if code == "codec_not_accepted":
            assert error["details"] == [
                {"media": "video", "offered": ["VP9"], "accepted": ["VP8", "H264"]}
            ]
        after = (
            set(rt.video.publishers),
            set(rt.video.watchers),
            rt.video.publishers["quang-ninh"].id,
        )
        assert after == before
        count = got.count()
        await wait_until(lambda: got.count() >= count + 10, within=20, what="frames still flowing")


async def test_a_second_holder_for_a_taken_slot_gets_409(
    rt: WallRuntime, client: httpx.AsyncClient, clip: EncodedClip
) -> None:
    headers = await login(client, rt, Role.DUTY_OFFICER)
    async with publisher(rt, "room", clip):
        assert rt.video is not None
        held = rt.video.publishers["room"].id
        r = await client.post(
            "/whip/room",
            content=await offer_sdp(),
            headers={**headers, "Content-Type": "application/sdp"},
        )
        assert r.status_code == 409 and error_of(r)["code"] == "slot_taken", r.text
        assert rt.video.publishers["room"].id == held


async def test_whep_refusals(rt: WallRuntime, client: httpx.AsyncClient) -> None:
    offer = await offer_sdp(direction="recvonly")
    sdp = {"Content-Type": "application/sdp"}
    r = await client.post(
        "/whep/nowhere",
        content=offer,
        headers={**sdp, "Authorization": f"Bearer {cred(rt, 'hue')}"},
    )
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    r = await client.post(
        "/whep/hue", content=offer, headers={**sdp, "Authorization": "Bearer screen:r1c1:nope"}
    )
    assert r.status_code == 401 and "wrong token for screen" in error_of(r)["message"]
    r = await client.post("/whep/hue", content=offer, headers=sdp)
    assert r.status_code == 401
    r = await client.post(
        "/whep/hue",
        content=await offer_sdp(),
        headers={**sdp, "Authorization": f"Bearer {cred(rt, 'hue')}"},
    )
    assert r.status_code == 400 and "cannot watch" in error_of(r)["message"]
    r = await client.delete(
        "/whep/hue/nosuch", headers={"Authorization": f"Bearer {cred(rt, 'hue')}"}
    )
    assert r.status_code == 404


@contextlib.asynccontextmanager
async def control(rt: WallRuntime, credential: str) -> AsyncIterator[Any]:
    url = f"ws://127.0.0.1:{rt.port}/ws/video"
    async with websockets.connect(url, origin=f"http://127.0.0.1:{rt.port}") as ws:  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello", "credential": credential}))
        yield ws


class EventLog:
    """Every event of a control connection, kept in order as it arrives."""

    def __init__(self, ws: Any) -> None:
        self.events: list[dict[str, Any]] = []
        self._task = asyncio.ensure_future(self._read(ws))

    async def _read(self, ws: Any) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                self.events.append(json.loads(raw))

    def find(self, type_: str, **match: Any) -> dict[str, Any] | None:
        for event in self.events:
            if event["type"] == type_ and all(event.get(k) == v for k, v in match.items()):
                return event
        return None

    async def wait(self, type_: str, **match: Any) -> dict[str, Any]:
        found: dict[str, Any] = await wait_until(
            lambda: self.find(type_, **match), within=20, what=f"event {type_} {match}"
        )
        return found

    def close(self) -> None:
        self._task.cancel()


async def test_control_channel_and_console_actions(
    rt: WallRuntime, client: httpx.AsyncClient, clip: EncodedClip
) -> None:
    duty = await login(client, rt, Role.DUTY_OFFICER)
    viewer = await login(client, rt, Role.VIEWER)
    seen: list[BridgePointState] = []

    subscribed = asyncio.Event()

    async def record() -> None:
        async with rt.bus.subscribe() as messages:
            subscribed.set()
            async for message in messages:
                if isinstance(message, BridgePointState):
                    seen.append(message)

    recorder = asyncio.ensure_future(record())
    await wait_until(subscribed.is_set, what="the recorder subscribed")
    try:
        async with control(rt, cred(rt, "hue")) as ws:
            events = EventLog(ws)
            roster = await events.wait("roster")
            assert {p["id"] for p in roster["points"]} >= {"room", "hue", "csb-8003"}
            assert roster["program"] == "room"
            async with publisher(rt, "hue", clip, audio=True):
                await events.wait("joined", point="hue")
                stats = await events.wait("link_stats", point="hue")
                assert stats["stats"]["fps"] >= 0 and stats["stats"]["bitrate_kbps"] >= 0
                speaker = await events.wait("active_speaker", point="hue")
                assert speaker["point"] == "hue"
                r = await client.post(
                    "/api/v1/video/points/hue/mute", json={"muted": True}, headers=viewer
                )
                assert r.status_code == 403
                r = await client.post(
                    "/api/v1/video/points/hue/mute", json={"muted": True}, headers=duty
                )
                assert r.status_code == 200 and r.json()["muted"] is True
                await events.wait("muted", point="hue", muted=True)
                r = await client.post("/api/v1/video/program", json={"source": "hue"}, headers=duty)
                assert r.json() == {"program": "hue"}
                await events.wait("program", source="hue")
                r = await client.post(
                    "/api/v1/video/pins", json={"tile": "cam-1", "source": "active"}, headers=duty
                )
                assert r.json() == {"pins": {"cam-1": "active"}}
                await events.wait("pinned", tile="cam-1", source="active")
                r = await client.get("/api/v1/video/roster", headers=viewer)
                hue = next(p for p in r.json()["points"] if p["id"] == "hue")
                assert hue["in_call"] and hue["muted"] and r.json()["pins"] == {"cam-1": "active"}
                r = await client.post("/api/v1/video/points/hue/end", json={}, headers=duty)
                assert r.status_code == 200
                left = await events.wait("left", point="hue")
                assert left["reason"] == "ended_by_console"
            r = await client.post("/api/v1/video/points/hue/end", json={}, headers=duty)
            assert r.status_code == 404
            events.close()
        await wait_until(
            lambda: any(not m.online for m in seen if m.point == "hue"), what="bus states"
        )
        hue = [(m.online, m.in_call, m.muted) for m in seen if m.point == "hue"]
        assert hue[0] == (True, False, False)  # online: signalling up
        assert (True, True, False) in hue  # in the call
        assert (True, True, True) in hue  # muted
        assert hue[-1] == (False, False, True)  # gone (still muted for next time)
    finally:
        recorder.cancel()


async def test_control_channel_refuses_a_bad_credential(rt: WallRuntime) -> None:
    async with control(rt, "point:hue:wrong") as ws:
        event = json.loads(await ws.recv())
        assert event == {
            "type": "error",
            "code": "unauthenticated",
            "message": "wrong token for bridge point 'hue'",
        }
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_trickle_ice_patch_and_delete_on_the_session(
    rt: WallRuntime, client: httpx.AsyncClient
) -> None:
    token = {"Authorization": f"Bearer {point_token(rt.keys.devices, 'hue')}"}
    r = await client.post(
        "/whip/hue", content=await offer_sdp(), headers={**token, "Content-Type": "application/sdp"}
    )
    assert r.status_code == 201 and r.headers["Content-Type"] == "application/sdp"
    location = r.headers["Location"]
    assert location.startswith("/whip/hue/") and r.text.startswith("v=0")
    # RFC 9725: a trickle PATCH names the ICE session (tests/conformance has the rest).
    frag = {
        **token,
        "Content-Type": "application/trickle-ice-sdpfrag",
        "If-Match": r.headers["ETag"],
    }
    good = "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n"
    assert (await client.patch(location, content=good, headers=frag)).status_code == 204
    r = await client.patch(location, content="a=candidate:nonsense\r\n", headers=frag)
    assert r.status_code == 400 and "bad ICE candidate" in error_of(r)["message"]
    r = await client.patch(location, content=good, headers={**token, "Content-Type": "text/plain"})
    assert r.status_code == 415
    other = {"Authorization": f"Bearer {cred(rt, 'quang-ninh')}"}
    assert (await client.delete(location, headers=other)).status_code == 403
    assert (await client.delete(location, headers=token)).status_code == 200
    assert (await client.delete(location, headers=token)).status_code == 404
    assert rt.video is not None and "hue" not in rt.video.publishers
