"""Every hook into aiortc's internals, in one place, applied to objects we create.

aiortc decodes what it receives and only its *sender* accepts encoded frames
(``av.Packet``). A forwarding relay needs three more things, none in aiortc's public API:

    receive encoded     the receiver hands each reassembled frame to its decoder thread
                        through ``RTCRtpReceiver.__decoder_queue``; we put a sink there that
                        passes the encoded bytes on and never decodes
    release on marker   ``JitterBuffer`` releases a frame when the *next* frame's first
                        packet arrives (one frame of delay per hop); ours also releases it on
                        the RTP marker bit of its last packet (video) or at once (audio)
    keyframe requests   ``RTCRtpSender._send_keyframe`` is called on PLI/FIR from the far end;
                        we route it to the publisher instead of a local encoder

    DTLS server role    for an offer that leaves the role open (``a=setup:actpass``) aiortc
                        answers ``active`` and becomes the DTLS client, offering ECDSA
                        ciphers only; a peer with an RSA certificate (GStreamer's webrtcbin,
                        so simple-whip-client) then fails with "no shared cipher". Answering
                        ``passive`` makes us the server, and every client's cipher list fits

    heard from          aiortc notices a vanished peer only when ICE consent expires (six
                        missed checks 5 s apart: ~30 s); ``watch_liveness`` records when
                        the peer last sent anything (RTP, RTCP or a STUN check) by
                        wrapping one ICE connection's ``data_received``/``request_received``
    round trip          ``ice_round_trip`` times one STUN binding request on the nominated
                        pair (a consent check, RFC 7675): the link's RTT for a publisher,
                        whose RTCP gives us none (only the sender of media learns RTT
                        from receiver reports)

plus one for tests: ``gather_on`` makes aioice gather host candidates on given addresses
(aioice leaves 127.0.0.1 out), for aiortc-only tests on loopback.

The names touched are pinned by ``AIORTC_VERSION`` (pyproject pins aiortc==1.16.0) and
listed in ``TOUCHED``; ``check_aiortc()`` fails loudly when a new aiortc moves them
(tests/unit/test_video_aiortc_hooks.py runs it). Nothing here patches a class or a module:
each hook sets an attribute on one receiver, sender or ICE connection.
"""

from __future__ import annotations

import asyncio
import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from aiortc import RTCDtlsTransport, RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket

AIORTC_VERSION = "1.16.0"

# (owner, attribute) pairs this module relies on; instance attributes are checked on a
# live object in the hooks test.
TOUCHED: tuple[tuple[str, str], ...] = (
    ("RTCRtpReceiver", "_RTCRtpReceiver__decoder_queue"),
    ("RTCRtpReceiver", "_RTCRtpReceiver__jitter_buffer"),
    ("RTCRtpReceiver", "_RTCRtpReceiver__kind"),
    ("RTCRtpReceiver", "_send_rtcp_pli"),
    ("RTCRtpSender", "_send_keyframe"),
    ("RTCPeerConnection", "_RTCPeerConnection__iceTransports"),
    ("aioice.Connection", "gather_candidates"),
    ("aioice.Connection", "get_component_candidates"),
    ("JitterBuffer", "_remove_frame"),
    ("RTCDtlsTransport", "_set_role"),  # and the instance attribute _role
    ("aioice.Connection", "data_received"),
    ("aioice.Connection", "request_received"),
    ("aioice.Connection", "build_request"),  # and _nominated, remote_password
    ("aioice.StunProtocol", "request"),
)


class AiortcHookError(RuntimeError):
    """The installed aiortc is not the one these hooks were written against."""


def check_aiortc() -> None:
    """Raise ``AiortcHookError`` naming what changed if the hooks cannot work."""
    installed = version("aiortc")
    if installed != AIORTC_VERSION:
        raise AiortcHookError(
            f"video.aiortc_hooks was written for aiortc {AIORTC_VERSION} (got {installed}): "
            "re-check every name in TOUCHED against the new aiortc, then update the pin"
        )
    import aioice

    owners: dict[str, Any] = {
        "RTCRtpSender": RTCRtpSender,
        "RTCRtpReceiver": RTCRtpReceiver,
        "RTCPeerConnection": RTCPeerConnection,
        "aioice.Connection": aioice.Connection,
        "JitterBuffer": JitterBuffer,
        "RTCDtlsTransport": RTCDtlsTransport,
        "aioice.StunProtocol": aioice.ice.StunProtocol,
    }
    missing = [
        f"{owner}.{name}"
        for owner, name in TOUCHED
        if not name.startswith(f"_{owner}__") and not hasattr(owners[owner], name)
    ]
    if missing:
        raise AiortcHookError(f"aiortc {installed} lacks {', '.join(missing)}")


@dataclass(frozen=True)
class EncodedFrame:
    """One encoded frame as it arrived: the codec's bytes (RTP payload headers removed),
    the RTP timestamp (mapped to start at 0 per stream), and when it was complete."""

    codec: str  # "VP8", "H264", "opus"
    data: bytes
    timestamp: int
    keyframe: bool
    received_at: float  # time.time()
    # RFC 6464 level in -dBov (0 loudest, 127 silence) when the sender attached one.
    audio_level: int | None = None


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether an encoded frame decodes on its own (a subscriber may start there)."""
    name = codec.upper()
    if name == "VP8":
        # RFC 6386 9.1: bit 0 of the frame tag is 0 for a key frame.
        return bool(data) and not data[0] & 0x01
    if name == "H264":
        return any(nal_type in (5, 7) for nal_type in _h264_nal_types(data))
    return True  # audio frames are independent


def _h264_nal_types(data: bytes) -> Iterable[int]:
    """NAL unit types of an Annex B stream (aiortc's depayloader writes start codes)."""
    start = 0
    while True:
        found = data.find(b"\x00\x00\x01", start)
        if found < 0 or found + 3 >= len(data):
            return
        yield data[found + 3] & 0x1F
        start = found + 3


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's jitter buffer, releasing a video frame as soon as its marker packet is in
    (contiguous from the frame's first packet), and every audio packet at once."""

    def __init__(self, capacity: int, is_video: bool) -> None:
        super().__init__(capacity=capacity, prefetch=0, is_video=is_video)
        self.last_audio_level: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if not self._is_video and packet.extensions.audio_level is not None:
            self.last_audio_level = int(packet.extensions.audio_level[1])
        return super().add(packet)

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        if self._origin is None:
            return None
        packets: list[RtpPacket] = []
        timestamp: int | None = None
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self._capacity]
            if packet is None:
                return None
            if timestamp is not None and packet.timestamp != timestamp:
                # The marker was lost or never set: the next frame began, release this one.
                return self._release(packets, timestamp, count)
            timestamp = packet.timestamp
            packets.append(packet)
            if packet.marker or not self._is_video:
                return self._release(packets, timestamp, count + 1)
        return None

    def _release(self, packets: list[RtpPacket], timestamp: int, count: int) -> JitterFrame:
        frame = JitterFrame(
            data=b"".join(p._data for p in packets),  # type: ignore[attr-defined]
            timestamp=timestamp,
        )
        self.remove(count)
        return frame


class _EncodedSink:
    """Stands in for the receiver's decoder queue: frames go to ``on_frame`` on the event
    loop; only the end-of-stream ``None`` reaches aiortc's (idle) decoder thread."""

    def __init__(
        self, on_frame: Callable[[EncodedFrame], None], buffer: MarkerJitterBuffer
    ) -> None:
        self._on_frame = on_frame
        self._buffer = buffer
        self._end: queue.Queue[None] = queue.Queue()

    def put(self, item: tuple[Any, JitterFrame] | None) -> None:
        if item is None:
            self._end.put(None)
            return
        codec, jitter_frame = item
        name = str(codec.name)
        data = bytes(jitter_frame.data)
        level = None if self._buffer._is_video else self._buffer.last_audio_level
        self._on_frame(
            EncodedFrame(
                name, data, jitter_frame.timestamp, is_keyframe(name, data), time.time(), level
            )
        )

    def get(self) -> None:
        # Called by aiortc's decoder thread: it waits here until the receiver stops.
        return self._end.get()


def capture_encoded(receiver: RTCRtpReceiver, on_frame: Callable[[EncodedFrame], None]) -> None:
    """Make ``receiver`` hand encoded frames to ``on_frame`` (on the event loop) instead of
    decoding them. Call before the receiver starts (before the connection is set up)."""
    kind = getattr(receiver, "_RTCRtpReceiver__kind")  # noqa: B009 (private, untyped)
    buffer = MarkerJitterBuffer(capacity=512 if kind == "video" else 64, is_video=kind == "video")
    _replace(receiver, "_RTCRtpReceiver__jitter_buffer", buffer)
    _replace(receiver, "_RTCRtpReceiver__decoder_queue", _EncodedSink(on_frame, buffer))


async def request_keyframe(receiver: RTCRtpReceiver, media_ssrc: int) -> None:
    """Send a PLI for ``media_ssrc`` to whoever sends to ``receiver``."""
    await receiver._send_rtcp_pli(media_ssrc)


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` when the far end of ``sender`` asks for a keyframe (PLI/FIR)."""
    sender._send_keyframe = callback  # type: ignore[method-assign]


def answer_as_dtls_server(pc: RTCPeerConnection) -> None:
    """Answer ``a=setup:passive`` where the offer said ``actpass``. Call after
    ``setRemoteDescription`` and before ``createAnswer``."""
    for transceiver in pc.getTransceivers():
        transport = transceiver.receiver.transport
        if not hasattr(transport, "_role") or not hasattr(transport, "_set_role"):
            raise AiortcHookError("RTCDtlsTransport has no _role/_set_role: aiortc changed")
        if transport._role == "auto":
            transport._set_role("server")


def gather_on(pc: RTCPeerConnection, addresses: tuple[str, ...]) -> None:
    """Gather host candidates on exactly ``addresses`` (e.g. 127.0.0.1 in tests). Call
    after the transceivers exist and before ``setLocalDescription``."""
    transports = getattr(pc, "_RTCPeerConnection__iceTransports")  # noqa: B009
    for transport in transports:
        connection = transport.iceGatherer._connection
        if getattr(connection, "_video_gather_on", None) == addresses:
            continue

        async def gather(connection: Any = connection) -> None:
            if connection._local_candidates_start:
                return
            connection._local_candidates_start = True
            found = await asyncio.gather(
                *(
                    connection.get_component_candidates(component=c, addresses=list(addresses))
                    for c in connection._components
                )
            )
            for candidates in found:
                connection._local_candidates += candidates
            connection._local_candidates_end = True

        connection.gather_candidates = gather
        connection._video_gather_on = addresses


def _ice_connections(pc: RTCPeerConnection) -> list[Any]:
    transports = getattr(pc, "_RTCPeerConnection__iceTransports")  # noqa: B009
    return [transport.iceGatherer._connection for transport in transports]


def ice_servers_in_use(pc: RTCPeerConnection) -> list[tuple[str, int]]:
    """The STUN and TURN servers ``pc``'s ICE agents will ask, as (host, port): what the
    configuration became inside aioice, so a test can see that nothing public slipped in."""
    servers = []
    for connection in _ice_connections(pc):
        servers += [s for s in (connection.stun_server, connection.turn_server) if s is not None]
    return servers


def selected_pairs(pc: RTCPeerConnection) -> list[tuple[str, str]]:
    """(local, remote) candidate types of each nominated ICE pair of ``pc``, e.g.
    ``("relay", "host")``: which way the media goes (through TURN or direct)."""
    return [
        (pair.local_candidate.type, pair.remote_candidate.type)
        for connection in _ice_connections(pc)
        for pair in getattr(connection, "_nominated", {}).values()
    ]


class Liveness:
    """When the far end of a peer connection last sent anything (on ``clock``, the room's
    monotonic clock); ``heard_at`` is None until the first datagram."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.heard_at: float | None = None
        self._clock = clock

    def heard(self) -> None:
        self.heard_at = self._clock()


def watch_liveness(pc: RTCPeerConnection, clock: Callable[[], float] = time.monotonic) -> Liveness:
    """Record every datagram and STUN request ``pc``'s peer sends. Call once its ICE
    transports exist (after ``setRemoteDescription``)."""
    liveness = Liveness(clock)
    for connection in _ice_connections(pc):
        for name in ("data_received", "request_received"):
            original = getattr(connection, name)

            def wrapped(*args: Any, _original: Any = original) -> Any:
                liveness.heard()
                return _original(*args)

            _replace(connection, name, wrapped)
    return liveness


PROBE_LIMIT_S = 2.0


async def ice_round_trip(pc: RTCPeerConnection) -> float | None:
    """Seconds for one STUN binding request to the peer and its answer on the nominated
    pair, or None (no pair yet, no answer within ``PROBE_LIMIT_S``)."""
    import aioice

    for connection in _ice_connections(pc):
        pairs = list(getattr(connection, "_nominated", {}).values())
        if not pairs or connection.remote_password is None:
            continue
        pair = pairs[0]
        request = connection.build_request(pair, nominate=False)
        started = time.monotonic()
        try:
            await asyncio.wait_for(
                pair.protocol.request(
                    request,
                    pair.remote_addr,
                    integrity_key=connection.remote_password.encode("utf8"),
                    retransmissions=2,
                ),
                PROBE_LIMIT_S,
            )
        except (aioice.stun.TransactionError, TimeoutError, ConnectionError, OSError):
            return None
        return time.monotonic() - started
    return None


def _replace(obj: object, name: str, value: object) -> None:
    if not hasattr(obj, name):
        raise AiortcHookError(f"{type(obj).__name__} has no attribute {name}: aiortc changed")
    setattr(obj, name, value)
