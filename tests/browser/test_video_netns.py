"""The network-namespace harness itself (tests/netns.py): Chromium inside the namespace
offers the veth address (never 127.0.0.1), an aiortc peer inside it receives Chromium's
fake camera, the test reaches a server inside through ``forward``, and the namespace is
gone afterwards, even when the block fails."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from netns import NetNamespace, network_namespace, why_not_available
from playwright.async_api import BrowserContext
from wallsupport import wait_until

PEER = Path(__file__).resolve().parents[1] / "netns_peer.py"

OFFER_JS = """async () => {
  const pc = new RTCPeerConnection();
  window.pc = pc;
  const stream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
  stream.getTracks().forEach((t) => pc.addTrack(t, stream));
  const candidates = [];
  pc.onicecandidate = (e) => { if (e.candidate) candidates.push(e.candidate.address); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
  const r = await fetch('/offer', {method: 'POST', body: pc.localDescription.sdp});
  await pc.setRemoteDescription({type: 'answer', sdp: await r.text()});
  return candidates;
}"""


def _namespaces() -> str:
    return subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout


async def test_chromium_and_aiortc_meet_inside_the_namespace(
    netns: NetNamespace, netns_browser: BrowserContext
) -> None:
    peer = await asyncio.create_subprocess_exec(
        *netns.wrap([sys.executable, str(PEER)]), stdout=subprocess.PIPE
    )
    try:
        assert peer.stdout is not None
        port = int((await peer.stdout.readline()).split()[1])
        page = await netns_browser.new_page()
        await page.goto(f"http://127.0.0.1:{port}/")
        candidates = await page.evaluate(OFFER_JS)
        assert set(candidates) <= set(netns.addresses), candidates
        assert candidates, "Chromium offered no candidate at all"
        await wait_until(
            lambda: page.evaluate("() => window.pc.connectionState === 'connected'"),
            within=20,
            what="Chromium connected to the aiortc peer",
        )
        # The test itself reaches the peer inside through the forwarder.
        async with netns.forward(port) as outside, httpx.AsyncClient() as client:

            async def frames() -> int:
                r = await client.get(f"http://127.0.0.1:{outside}/frames")
                return int(r.json()["video"])

            await wait_until(lambda: _more_than(frames, 30), within=20, what="30 frames")
            gathered = (await client.get(f"http://127.0.0.1:{outside}/frames")).json()
        assert gathered["candidates"]
        assert set(gathered["candidates"]) <= set(netns.addresses), gathered
    finally:
        peer.kill()
        await peer.wait()


async def _more_than(count: object, n: int) -> bool:
    return await count() > n  # type: ignore[operator]


def test_namespace_is_deleted_even_when_the_block_fails() -> None:
    reason = why_not_available()
    if reason:
        pytest.skip(reason)
    with pytest.raises(RuntimeError, match="boom"), network_namespace() as ns:
        name = ns.name
        assert name in _namespaces()
        sleeper = subprocess.Popen(ns.wrap(["sleep", "600"]))
        raise RuntimeError("boom")
    assert name not in _namespaces()
    # What still ran inside is ended with it.
    assert sleeper.wait(10) != 0
