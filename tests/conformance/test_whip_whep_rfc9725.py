"""WHIP (RFC 9725) and WHEP (which follows it) as the RFC words them, on a real server with
real aiortc offers over real HTTP.

Endpoint (``/whip/<point>``, ``/whep/<source>``): ``OPTIONS`` 200 with ``Accept-Post:
application/sdp``; ``POST`` 201 with ``Location``, ``Content-Type: application/sdp``, an
``ETag`` and an answer whose sections are ``recvonly`` (WHIP) or ``sendonly`` (WHEP); every
other method 405 with ``Allow``. Session (its ``Location``): ``PATCH`` and ``DELETE`` only
(405 with ``Allow`` otherwise); trickle ``PATCH`` 204 with no body and no ``ETag``; a wrong
content type 415; no ``If-Match`` 428, another ICE session's 412; an ICE restart (new
ufrag/pwd) 422, the session untouched (aiortc cannot restart ICE: §4.3.1 "supports either
Trickle ICE or ICE restarts, but not both"); ``DELETE`` 200, then 404.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from aiortc import RTCPeerConnection
from relaysupport import LOOPBACK, video_runtime

from command_center.server.runtime import WallRuntime
from video.aiortc_hooks import gather_on
from video.tokens import point_token

SDP = "application/sdp"
SDPFRAG = "application/trickle-ice-sdpfrag"
CANDIDATE = "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n"


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with video_runtime(tmp_path) as runtime:
        yield runtime


async def offer(direction: str) -> tuple[str, RTCPeerConnection]:
    """A real aiortc offer (video and audio, bundled) and its peer, to close after."""
    pc = RTCPeerConnection()
    for kind in ("video", "audio"):
        pc.addTransceiver(kind, direction=direction)
    gather_on(pc, LOOPBACK)
    await pc.setLocalDescription(await pc.createOffer())
    return str(pc.localDescription.sdp), pc


async def post_offer(
    client: httpx.AsyncClient, path: str, direction: str, headers: dict[str, str]
) -> tuple[str, httpx.Response]:
    """POST a real offer to ``path``; the offer and the answer (its peer closed)."""
    text, pc = await offer(direction)
    try:
        return text, await client.post(path, content=text, headers={**headers, "Content-Type": SDP})
    finally:
        await pc.close()


def whip_auth(rt: WallRuntime, point: str = "hue") -> dict[str, str]:
    return {"Authorization": f"Bearer {point_token(rt.keys.devices, point)}"}


def whep_auth(rt: WallRuntime) -> dict[str, str]:
    screen = rt.wall.screens[0].id
    return {"Authorization": f"Bearer screen:{screen}:{rt.keys.devices.issue('screen', screen)}"}


def directions(sdp: str) -> list[str]:
    """Each media section's direction attribute, in order."""
    sections = re.split(r"\r?\nm=", sdp)[1:]
    found = []
    for section in sections:
        attrs = re.findall(r"^a=(sendrecv|sendonly|recvonly|inactive)\s*$", section, re.M)
        found.append(attrs[0] if attrs else "sendrecv")  # RFC 4566: sendrecv by default
    return found


def envelope(r: httpx.Response) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"]), body
    return dict(body["error"])


class Endpoint(NamedTuple):
    """One of the two protocols: where it is, which way its media go, whose credentials."""

    name: str
    path: str
    offered: str  # the offer's direction
    answered: str  # the answer's
    auth: Callable[[WallRuntime], dict[str, str]]


ENDPOINTS = [
    Endpoint("whip", "/whip/hue", "sendonly", "recvonly", whip_auth),
    Endpoint("whep", "/whep/hue", "recvonly", "sendonly", whep_auth),
]


@pytest.fixture(params=ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def endpoint(request: pytest.FixtureRequest) -> Endpoint:
    chosen: Endpoint = request.param
    return chosen


async def create_session(
    client: httpx.AsyncClient, endpoint: Endpoint, headers: dict[str, str]
) -> tuple[str, httpx.Response]:
    """POST a real offer to ``endpoint``: a session is created (201); the offer, the answer."""
    text, r = await post_offer(client, endpoint.path, endpoint.offered, headers)
    assert r.status_code == 201, r.text
    return text, r


async def test_endpoint_answers_options_and_reserves_other_methods(
    rt: WallRuntime, client: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    path, auth = endpoint.path, endpoint.auth
    r = await client.options(path)  # no credentials: a CORS preflight carries none
    assert r.status_code == 200, r.text
    assert r.headers["Accept-Post"] == SDP
    assert set(r.headers["Allow"].replace(" ", "").split(",")) == {"OPTIONS", "POST"}
    # Reserved methods, from a client with the right credentials: 405, not a refusal of who.
    for method in ("GET", "HEAD", "PUT", "PATCH", "DELETE"):
        r = await client.request(method, path, headers=auth(rt))
        assert r.status_code == 405, (method, r.status_code, r.text)
        assert set(r.headers["Allow"].replace(" ", "").split(",")) == {"OPTIONS", "POST"}
        if method != "HEAD":
            assert envelope(r)["code"] == "method_not_allowed"


async def test_post_creates_a_session_patch_trickles_delete_ends_it(
    rt: WallRuntime, client: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    path, answered = endpoint.path, endpoint.answered
    headers = endpoint.auth(rt)
    _, r = await create_session(client, endpoint, headers)
    assert r.headers["Content-Type"] == SDP
    location = r.headers["Location"]
    assert location.startswith(f"{path}/"), location
    etag = r.headers["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag), etag  # a strong entity-tag
    assert SDPFRAG in r.headers["Accept-Patch"]
    assert r.text.startswith("v=0")
    assert directions(r.text) == [answered, answered], r.text

    # The session resource takes PATCH and DELETE only.
    for method in ("GET", "HEAD", "POST", "PUT", "OPTIONS"):
        other = await client.request(method, location, headers=headers)
        assert other.status_code == 405, (method, other.status_code, other.text)
        assert set(other.headers["Allow"].replace(" ", "").split(",")) == {"PATCH", "DELETE"}

    frag = {**headers, "Content-Type": SDPFRAG, "If-Match": etag}
    trickle = CANDIDATE + "a=end-of-candidates\r\n"
    r = await client.patch(location, content=trickle, headers=frag)
    assert r.status_code == 204 and r.content == b"" and "ETag" not in r.headers, r.text
    r = await client.patch(location, content=CANDIDATE, headers={**frag, "If-Match": "*"})
    assert r.status_code == 204, r.text

    r = await client.patch(location, content=CANDIDATE, headers={**frag, "Content-Type": SDP})
    assert r.status_code == 415 and envelope(r)["code"] == "unsupported_media_type"
    no_tag = {k: v for k, v in frag.items() if k != "If-Match"}
    r = await client.patch(location, content=CANDIDATE, headers=no_tag)
    assert r.status_code == 428 and envelope(r)["code"] == "precondition_required", r.text
    assert "If-Match" in envelope(r)["message"]
    r = await client.patch(location, content=CANDIDATE, headers={**frag, "If-Match": '"other"'})
    assert r.status_code == 412 and envelope(r)["code"] == "precondition_failed", r.text
    weak = {**frag, "If-Match": f"W/{etag}"}  # If-Match compares strongly (RFC 9110 §13.1.1)
    assert (await client.patch(location, content=CANDIDATE, headers=weak)).status_code == 412
    r = await client.patch(location, content="a=candidate:nonsense\r\n", headers=frag)
    assert r.status_code == 400 and "bad ICE candidate" in envelope(r)["message"]

    # DELETE ignores entity-tags (§4.3.1) and ends the session once.
    r = await client.delete(location, headers={**headers, "If-Match": '"stale"'})
    assert r.status_code == 200, r.text
    r = await client.delete(location, headers=headers)
    assert r.status_code == 404 and envelope(r)["code"] == "not_found"
    r = await client.patch(location, content=CANDIDATE, headers=frag)
    assert r.status_code == 404
    if endpoint.name == "whip":
        assert rt.video is not None and "hue" not in rt.video.publishers


async def test_ice_restart_is_refused_with_422_and_the_session_goes_on(
    rt: WallRuntime, client: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    headers = endpoint.auth(rt)
    text, r = await create_session(client, endpoint, headers)
    location = r.headers["Location"]
    ufrag = re.search(r"a=ice-ufrag:(\S+)", text)
    pwd = re.search(r"a=ice-pwd:(\S+)", text)
    assert ufrag and pwd
    restart = "a=ice-ufrag:Nw3x\r\na=ice-pwd:m2V4sXqP7dGqkVd0bS1yQ9Zc\r\n" + CANDIDATE
    frag = {**headers, "Content-Type": SDPFRAG, "If-Match": "*"}
    r = await client.patch(location, content=restart, headers=frag)
    assert r.status_code == 422, r.text
    error = envelope(r)
    assert error["code"] == "ice_restart_unsupported" and "POST a new offer" in error["message"]
    # The current ICE session's own credentials are a trickle, not a restart.
    same = f"a=ice-ufrag:{ufrag.group(1)}\r\na=ice-pwd:{pwd.group(1)}\r\n" + CANDIDATE
    r = await client.patch(location, content=same, headers=frag)
    assert r.status_code == 204, r.text
    # The session is still there: DELETE ends it.
    assert (await client.delete(location, headers=headers)).status_code == 200


async def test_post_refusals_are_4xx_in_the_envelope(
    rt: WallRuntime, client: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    """A wrong content type 415, a malformed offer 400 (RFC 9725 §4.2), nothing created."""
    path, headers = endpoint.path, endpoint.auth(rt)
    text, pc = await offer(endpoint.offered)
    await pc.close()
    r = await client.post(path, content=text, headers={**headers, "Content-Type": "text/plain"})
    assert r.status_code == 415 and envelope(r)["code"] == "unsupported_media_type"
    r = await client.post(path, content="v=0\r\nnonsense", headers={**headers, "Content-Type": SDP})
    assert r.status_code == 400 and envelope(r)["code"] == "malformed_sdp", r.text
    # Lines aiortc's parser asserts on, and a payload type without a=rtpmap: were 500s.
    for broken in (
        "v=0\r\nm=junk\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=junk\r\n",
        "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fmtp:100 apt=96\r\n",
    ):
        r = await client.post(path, content=broken, headers={**headers, "Content-Type": SDP})
        assert r.status_code == 400 and envelope(r)["code"] == "malformed_sdp", (broken, r.text)
    assert rt.video is not None and not rt.video.publishers and not rt.video.watchers
