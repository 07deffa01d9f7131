"""Offers a hostile WHEP client sends, made from a real aiortc offer: shared by the bounds
test and the hostile-load benchmark."""

from __future__ import annotations

import re

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection

from video.aiortc_hooks import gather_on


async def watch_offer(addresses: tuple[str, ...] = ("127.0.0.1",)) -> str:
    """A real browser-like WHEP offer: video and audio, bundled, gathered on ``addresses``."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    gather_on(pc, addresses)
    await pc.setLocalDescription(await pc.createOffer())
    text = str(pc.localDescription.sdp)
    await pc.close()
    return text


def unbundled(offer: str) -> str:
    return re.sub(r"a=group:BUNDLE[^\r\n]*\r\n", "", offer)


def many_videos(offer: str, count: int) -> str:
    head, _, rest = offer.partition("m=video")
    video, _, audio = rest.partition("m=audio")
    sections = [re.sub(r"a=mid:\S+", f"a=mid:v{i}", "m=video" + video) for i in range(count)]
    group = "a=group:BUNDLE " + " ".join([*(f"v{i}" for i in range(count)), "1"])
    head = re.sub(r"a=group:BUNDLE[^\r\n]*", group, head)
    return head + "".join(sections) + "m=audio" + audio
