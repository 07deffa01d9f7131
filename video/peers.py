"""The server's half of each WebRTC link, built on aiortc with the hooks applied.

``answer_publisher``: a WHIP offer in, an answer out; every encoded frame the point sends
goes to ``on_frame(kind, frame)``, nothing is decoded. ``answer_watcher``: a WHEP offer in,
an answer out; the subscriber's ``ForwardTrack``s feed aiortc's senders as ``av.Packet``s
(one per offered section of its kind: a subscriber that offers three audio sections gets
three audio tracks) and the subscriber's keyframe requests reach the track. Both return
a ``Liveness``: when the peer last sent anything (on the room's clock).
``add_candidates``: a trickle ICE fragment (a WHIP/WHEP PATCH) into a session's link.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
    sdp,
)
from aiortc.exceptions import InvalidAccessError, OperationError
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.sdp import candidate_from_sdp

from command_center.errors import RequestError
from video.aiortc_hooks import (
    EncodedFrame,
    Liveness,
    answer_as_dtls_server,
    capture_encoded,
    gather_on,
    on_keyframe_request,
    watch_liveness,
)
from video.config import VideoConfig
from video.errors import IceRestartUnsupported, MalformedSdp
from video.forward_track import ForwardTrack
from video.ice import aiortc_servers
from video.sdp_offer import ACCEPTED, OfferSummary


def answerer(config: VideoConfig) -> RTCPeerConnection:
    """A peer connection that answers: each section starts on a transport of its own and
    the offer's BUNDLE group then merges them. (aiortc's default, ``balanced``, pre-bundles
    sections of one kind at creation, and the merge then leaves the second audio section
    on a transport that never starts: its track would never be sent.) Only the configured
    ICE servers, never aiortc's public default (``video/ice.py``)."""
    return RTCPeerConnection(
        RTCConfiguration(
            iceServers=aiortc_servers(config.ice_servers),
            bundlePolicy=RTCBundlePolicy.MAX_COMPAT,
        )
    )


def preferred_codecs(kind: str, first: str | None = None) -> list[RTCRtpCodecCapability]:
    """The codecs the centre forwards for ``kind`` (RTX kept for video), ``first`` first."""
    accepted = [a.lower() for a in ACCEPTED[kind]]
    caps = [
        c
        for c in RTCRtpSender.getCapabilities(kind).codecs
        if c.name.lower() in accepted or c.name.lower() == "rtx"
    ]
    if first:
        caps.sort(key=lambda c: c.name.lower() != first.lower())
    return caps


async def answer_publisher(
    offer: str,
    summary: OfferSummary,
    config: VideoConfig,
    on_frame: Callable[[str, EncodedFrame], None],
    clock: Callable[[], float] = time.monotonic,
) -> tuple[RTCPeerConnection, str, dict[str, RTCRtpReceiver], Liveness]:
    pc = answerer(config)
    receivers: dict[str, RTCRtpReceiver] = {}
    for kind in summary.kinds:
        transceiver = pc.addTransceiver(kind, direction="recvonly")
        transceiver.setCodecPreferences(preferred_codecs(kind))
        if kind in receivers:  # only the first section of a kind is forwarded
            capture_encoded(transceiver.receiver, _ignore)
            continue
        receivers[kind] = transceiver.receiver
        capture_encoded(transceiver.receiver, _for_kind(on_frame, kind))
    answer, liveness = await _answer(pc, offer, config, clock)
    return pc, answer, receivers, liveness


def _ignore(frame: EncodedFrame) -> None:
    pass


def _for_kind(
    on_frame: Callable[[str, EncodedFrame], None], kind: str
) -> Callable[[EncodedFrame], None]:
    return lambda frame: on_frame(kind, frame)


async def answer_watcher(
    offer: str,
    summary: OfferSummary,
    config: VideoConfig,
    tracks: dict[str, ForwardTrack],
    prefer: dict[str, str | None],
    clock: Callable[[], float] = time.monotonic,
) -> tuple[RTCPeerConnection, str, Liveness]:
    """``tracks`` in the order their kind's sections should take them; a section beyond
    the tracks of its kind is answered without a track (it receives nothing)."""
    pc = answerer(config)
    transceivers: list[tuple[RTCRtpTransceiver, ForwardTrack | None]] = []
    unused = list(tracks.values())
    for kind in summary.kinds:
        track = next((t for t in unused if t.kind == kind), None)
        if track is not None:
            unused.remove(track)
        transceiver = pc.addTransceiver(track or kind, direction="sendonly")
        transceiver.setCodecPreferences(preferred_codecs(kind, prefer.get(kind)))
        if track is not None:
            on_keyframe_request(transceiver.sender, track.need_keyframe)
        transceivers.append((transceiver, track))
    answer, liveness = await _answer(pc, offer, config, clock)
    negotiated = sdp.SessionDescription.parse(answer).media
    for (_, track), media in zip(transceivers, negotiated, strict=False):
        if track is not None and media.rtp.codecs:
            track.codec = media.rtp.codecs[0].name
    return pc, answer, liveness


async def _answer(
    pc: RTCPeerConnection, offer: str, config: VideoConfig, clock: Callable[[], float]
) -> tuple[str, Liveness]:
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
    except (ValueError, KeyError, IndexError, OperationError, InvalidAccessError) as exc:
        await pc.close()
        raise MalformedSdp(f"SDP offer refused by the WebRTC stack: {exc}") from None
    answer_as_dtls_server(pc)
    liveness = watch_liveness(pc, clock)
    if config.host_addresses is not None:
        gather_on(pc, config.host_addresses)
    await pc.setLocalDescription(await pc.createAnswer())
    return str(pc.localDescription.sdp), liveness


async def add_candidates(pc: RTCPeerConnection, fragment: str) -> None:
    """Trickle ICE (RFC 8840 fragment) into ``pc``; 400 naming a bad line. An ICE
    restart (new ufrag/pwd) gets 422, as RFC 9725 says for a session that trickles but
    cannot restart (aiortc cannot): the session keeps its ICE state, the client may
    publish or watch anew."""
    remote = pc.remoteDescription
    if remote is not None and asks_ice_restart(fragment, remote.sdp):
        raise IceRestartUnsupported(
            "ICE restart is not supported (the fragment's a=ice-ufrag/a=ice-pwd differ "
            "from the session's): the session is unchanged; POST a new offer instead",
            [{"expected": "the session's a=ice-ufrag and a=ice-pwd", "got": "new ones"}],
        )
    candidates, end = parse_candidates(fragment)
    media = pc.getTransceivers()
    if not media:
        return
    for line in candidates:
        try:
            candidate = candidate_from_sdp(line)
        except (ValueError, IndexError, AssertionError):  # aiortc asserts the field count
            raise RequestError(
                f"bad ICE candidate 'a=candidate:{line}': expected "
                "'<foundation> <component> <transport> <priority> <address> <port> typ <type>'"
            ) from None
        candidate.sdpMid = media[0].mid
        await pc.addIceCandidate(candidate)
    if end:
        await pc.addIceCandidate(None)  # type: ignore[arg-type]


def parse_candidates(fragment: str) -> tuple[list[str], bool]:
    """``a=candidate:`` lines of a trickle-ice-sdpfrag body, and whether it ends gathering."""
    lines = [line.strip() for line in fragment.splitlines()]
    candidates = [line[len("a=candidate:") :] for line in lines if line.startswith("a=candidate:")]
    return candidates, "a=end-of-candidates" in lines


def ice_credentials(text: str) -> tuple[str | None, str | None]:
    """The first ``a=ice-ufrag`` and ``a=ice-pwd`` of an SDP or an SDP fragment."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        name, colon, value = line.strip().partition(":")
        if colon and name in ("a=ice-ufrag", "a=ice-pwd"):
            found.setdefault(name, value.strip())
    return found.get("a=ice-ufrag"), found.get("a=ice-pwd")


def asks_ice_restart(fragment: str, remote_sdp: str) -> bool:
    """A trickle fragment carrying an ICE username fragment or password other than the
    session's is an ICE restart (RFC 9725 §4.3.3), not more candidates."""
    ufrag, pwd = ice_credentials(fragment)
    current_ufrag, current_pwd = ice_credentials(remote_sdp)
    return (ufrag is not None and ufrag != current_ufrag) or (
        pwd is not None and pwd != current_pwd
    )
