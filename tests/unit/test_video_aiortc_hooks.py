"""The hooks into aiortc's internals: fail here, by name, when a new aiortc moves them."""

from __future__ import annotations

import asyncio
from importlib.metadata import version

import aioice
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from video.aiortc_hooks import (
    AIORTC_VERSION,
    TOUCHED,
    EncodedFrame,
    MarkerJitterBuffer,
    answer_as_dtls_server,
    capture_encoded,
    check_aiortc,
    gather_on,
    ice_round_trip,
    is_keyframe,
    on_keyframe_request,
    watch_liveness,
)


def test_aiortc_is_the_pinned_version() -> None:
    assert version("aiortc") == AIORTC_VERSION
    pyproject = (__import__("pathlib").Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert f'"aiortc=={AIORTC_VERSION}"' in pyproject
    check_aiortc()


async def test_every_touched_name_exists_on_live_objects() -> None:
    pc = RTCPeerConnection()
    try:
        transceiver = pc.addTransceiver("video", direction="recvonly")
        owners = {
            "RTCRtpReceiver": transceiver.receiver,
            "RTCRtpSender": transceiver.sender,
            "RTCPeerConnection": pc,
            "aioice.Connection": transceiver.receiver.transport.transport.iceGatherer._connection,
            "JitterBuffer": JitterBuffer(capacity=16),
            "RTCDtlsTransport": transceiver.receiver.transport,
            "aioice.StunProtocol": aioice.ice.StunProtocol,
        }
        missing = [f"{o}.{n}" for o, n in TOUCHED if not hasattr(owners[o], n)]
        assert missing == []
        assert hasattr(transceiver.receiver.transport, "_role")
        connection = owners["aioice.Connection"]
        for name in (
            "_local_candidates_start",
            "_local_candidates",
            "_local_candidates_end",
            "_components",
            "_nominated",
            "remote_password",
        ):
            assert hasattr(connection, name), name
        assert isinstance(transceiver.receiver, RTCRtpReceiver)
        assert isinstance(transceiver.sender, RTCRtpSender)
        assert isinstance(connection, aioice.Connection)
    finally:
        await pc.close()


async def test_hooks_apply_to_one_object_only() -> None:
    pc = RTCPeerConnection()
    other = RTCPeerConnection()
    try:
        mine = pc.addTransceiver("video", direction="sendrecv")
        theirs = other.addTransceiver("video", direction="sendrecv")
        frames: list[EncodedFrame] = []
        capture_encoded(mine.receiver, frames.append)
        calls: list[int] = []
        on_keyframe_request(mine.sender, lambda: calls.append(1))
        gather_on(pc, ("127.0.0.1",))
        assert isinstance(mine.receiver._RTCRtpReceiver__jitter_buffer, MarkerJitterBuffer)  # type: ignore[attr-defined]
        assert not isinstance(theirs.receiver._RTCRtpReceiver__jitter_buffer, MarkerJitterBuffer)  # type: ignore[attr-defined]
        mine.sender._send_keyframe()
        assert calls == [1]
        assert "_send_keyframe" not in vars(theirs.sender)
        # The gather hook really gathers on loopback, which aioice leaves out by default.
        await pc.setLocalDescription(await pc.createOffer())
        assert "127.0.0.1" in str(pc.localDescription.sdp)
    finally:
        await pc.close()
        await other.close()


async def test_an_actpass_offer_is_answered_passive_and_the_call_still_connects() -> None:
    """GStreamer's webrtcbin has an RSA certificate; aiortc as DTLS client offers ECDSA
    ciphers only. Answering passive makes aiortc the DTLS server, which any client fits.
    On the connected call, the liveness hook hears the peer and a STUN probe times the
    round trip."""
    offerer, answerer = RTCPeerConnection(), RTCPeerConnection()
    try:
        offerer.addTransceiver("audio", direction="sendrecv")
        gather_on(offerer, ("127.0.0.1",))
        await offerer.setLocalDescription(await offerer.createOffer())
        assert "a=setup:actpass" in offerer.localDescription.sdp
        await answerer.setRemoteDescription(offerer.localDescription)
        assert await ice_round_trip(answerer) is None  # no nominated pair yet
        liveness = watch_liveness(answerer)
        assert liveness.heard_at is None
        answer_as_dtls_server(answerer)
        gather_on(answerer, ("127.0.0.1",))
        await answerer.setLocalDescription(await answerer.createAnswer())
        assert "a=setup:passive" in answerer.localDescription.sdp
        assert "a=setup:active" not in answerer.localDescription.sdp
        await offerer.setRemoteDescription(answerer.localDescription)
        done = asyncio.Event()

        @offerer.on("connectionstatechange")
        def _changed() -> None:
            if offerer.connectionState in ("connected", "failed"):
                done.set()

        await asyncio.wait_for(done.wait(), 20)
        assert offerer.connectionState == "connected"
        assert answerer.getTransceivers()[0].receiver.transport._role == "server"
        assert liveness.heard_at is not None, "the offerer's checks and DTLS were heard"
        rtt = await ice_round_trip(answerer)
        assert rtt is not None and 0 < rtt < 2
        offerer_ice = offerer.getTransceivers()[0].receiver.transport.transport
        assert "data_received" not in vars(offerer_ice.iceGatherer._connection)
    finally:
        await offerer.close()
        await answerer.close()


def _packet(seq: int, ts: int, marker: int, data: bytes) -> RtpPacket:
    packet = RtpPacket(payload_type=96, sequence_number=seq, timestamp=ts, marker=marker)
    packet._data = data  # type: ignore[attr-defined]
    return packet


def test_marker_bit_releases_a_frame_without_waiting_for_the_next() -> None:
    stock = JitterBuffer(capacity=128, is_video=True)
    ours = MarkerJitterBuffer(capacity=128, is_video=True)
    packets = [_packet(10, 1000, 0, b"ab"), _packet(11, 1000, 1, b"cd")]
    assert [stock.add(p)[1] for p in packets] == [None, None]  # aiortc waits for frame 2
    released = [ours.add(p)[1] for p in packets]
    assert released[0] is None and released[1] is not None
    assert released[1].data == b"abcd" and released[1].timestamp == 1000
    # Out of order: the marker arrives before the middle packet; released once complete.
    ours.add(_packet(14, 2000, 1, b"3"))
    assert ours.add(_packet(12, 2000, 0, b"1"))[1] is None
    frame = ours.add(_packet(13, 2000, 0, b"2"))[1]
    assert frame is not None and frame.data == b"123"


def test_keyframe_detection() -> None:
    assert is_keyframe("VP8", bytes([0x10, 0x02, 0x00]))  # P bit 0
    assert not is_keyframe("VP8", bytes([0x11, 0x02, 0x00]))
    assert is_keyframe("H264", b"\x00\x00\x00\x01\x67abc\x00\x00\x01\x65xyz")  # SPS + IDR
    assert not is_keyframe("H264", b"\x00\x00\x00\x01\x41abc")
    assert is_keyframe("opus", b"\x01")
