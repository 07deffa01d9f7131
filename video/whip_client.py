"""A WHIP publisher and a WHEP subscriber in Python (aiortc), for headless bridge points,
the operations room's headless publisher, tests and benchmarks.

``publish`` sends tracks to ``/whip/<point>``; ``watch`` receives ``/whep/<source>`` and
hands every *encoded* frame to ``on_frame`` (nothing is decoded, so a subscriber costs
little CPU and sees exactly the bytes the relay forwarded). Both return a ``Link`` whose
``closed`` event is set when the connection fails or is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from video.aiortc_hooks import EncodedFrame, capture_encoded, gather_on, on_keyframe_request
from video.ice import IceServer, aiortc_servers


class SignallingError(RuntimeError):
    """The server refused an offer; ``status`` and ``body`` say why."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Link:
    pc: RTCPeerConnection
    resource: str  # the session URL (Location)
    headers: dict[str, str]
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def close(self, hang_up: bool = True) -> None:
        """Leave: DELETE the session (best effort) and close the peer connection."""
        if hang_up:
            with contextlib.suppress(Exception):
                await AsyncHTTPClient().fetch(
                    HTTPRequest(self.resource, method="DELETE", headers=self.headers),
                    raise_error=False,
                )
        await self.pc.close()
        self.closed.set()


async def publish(
    base_url: str,
    point: str,
    credential: str,
    tracks: list[MediaStreamTrack],
    host_addresses: tuple[str, ...] | None = None,
    on_keyframe: Callable[[], None] | None = None,
    ice_servers: tuple[IceServer, ...] = (),
    video_codec: str | None = None,
) -> Link:
    """Publish ``tracks`` as ``point``; ``on_keyframe`` is called on the server's PLI;
    ``video_codec`` ("VP8", "H264") offers that codec alone (default: aiortc's order)."""
    pc = _offerer(ice_servers)
    for track in tracks:
        transceiver = pc.addTransceiver(track, direction="sendonly")
        if on_keyframe is not None and track.kind == "video":
            on_keyframe_request(transceiver.sender, on_keyframe)
        if video_codec is not None and track.kind == "video":
            wanted = f"video/{video_codec}".lower()
            codecs = RTCRtpSender.getCapabilities("video").codecs
            transceiver.setCodecPreferences([c for c in codecs if c.mimeType.lower() == wanted])
    return await _negotiate(pc, f"{base_url.rstrip('/')}/whip/{point}", credential, host_addresses)


async def watch(
    base_url: str,
    source: str,
    credential: str,
    on_frame: Callable[[str, EncodedFrame], None],
    host_addresses: tuple[str, ...] | None = None,
    kinds: tuple[str, ...] = ("video", "audio"),
    audio_slots: int = 1,
    ice_servers: tuple[IceServer, ...] = (),
) -> Link:
    """Watch ``source``; every encoded frame goes to ``on_frame(tag, frame)``, the tag
    being ``video``, ``audio``, then ``audio1``, ``audio2``… for the further audio tracks
    of ``audio_slots`` (the centre forwards several publishers' sound side by side)."""
    pc = _offerer(ice_servers)
    tags = [*kinds, *(f"audio{slot}" for slot in range(1, audio_slots) if "audio" in kinds)]
    for tag in tags:
        transceiver = pc.addTransceiver(tag.rstrip("0123456789"), direction="recvonly")
        capture_encoded(transceiver.receiver, _tagged(on_frame, tag))
    return await _negotiate(pc, f"{base_url.rstrip('/')}/whep/{source}", credential, host_addresses)


def _offerer(ice_servers: tuple[IceServer, ...]) -> RTCPeerConnection:
    """One transport for every section (as browsers do): aiortc's default pre-bundles
    sections of one kind, and a second audio section would never receive. Only the
    configured ICE servers: on a closed network aiortc's public default stalls the offer."""
    return RTCPeerConnection(
        RTCConfiguration(
            iceServers=aiortc_servers(ice_servers), bundlePolicy=RTCBundlePolicy.MAX_BUNDLE
        )
    )


def _tagged(
    on_frame: Callable[[str, EncodedFrame], None], kind: str
) -> Callable[[EncodedFrame], None]:
    return lambda frame: on_frame(kind, frame)


async def _negotiate(
    pc: RTCPeerConnection, url: str, credential: str, host_addresses: tuple[str, ...] | None
) -> Link:
    if host_addresses is not None:
        gather_on(pc, host_addresses)
    await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate
    headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/sdp"}
    try:
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(url, method="POST", headers=headers, body=pc.localDescription.sdp)
        )
    except HTTPClientError as exc:
        await pc.close()
        body = exc.response.body.decode(errors="replace") if exc.response else str(exc)
        raise SignallingError(exc.code, body) from None
    except BaseException:
        await pc.close()
        raise
    location = response.headers.get("Location", "")
    link = Link(pc, urljoin(url, location), {"Authorization": headers["Authorization"]})

    @pc.on("connectionstatechange")
    def _state() -> None:
        if pc.connectionState in ("failed", "closed"):
            link.closed.set()

    await pc.setRemoteDescription(RTCSessionDescription(response.body.decode(), "answer"))
    return link
