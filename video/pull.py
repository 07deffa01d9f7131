"""One point's stream pulled from the wall process that holds its publisher.

A process whose viewers want a point published to another process pulls it once, as one
more WHEP subscriber of that process (``whip_client.watch``, aiortc, a node credential),
and feeds the encoded frames into two ``MediaSource``s of its own, which fan out to its
viewers exactly as a local publisher's would: forwarded, never decoded (mediasoup's pipe
transports, Jitsi's relays). Keyframe requests go upstream as PLI.

The sources outlive the link: when the holder dies, is replaced or the link goes silent,
the pull asks the store who holds the point now and connects there, and the viewers'
tracks stay attached (their timestamps rebase, ``ForwardTrack``). The room closes a pull
that no viewer has wanted for ``PULL_GRACE_S``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiortc import RTCRtpReceiver
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from command_center.tasks import cancel_all, wait_for_event
from video.aiortc_hooks import EncodedFrame, Liveness, request_keyframe, watch_liveness
from video.config import VideoConfig
from video.node_credential import node_credential
from video.source import MediaSource
from video.whip_client import Link, SignallingError, watch

log = logging.getLogger(__name__)

PULL_GRACE_S = 3.0  # no viewer for this long: the pull is closed
PULL_CHECK_S = 0.5  # how often a live pull asks the store whether its holder changed
PULL_RETRY_S = 0.5  # between attempts while nobody (else) holds the point


@dataclass(frozen=True)
class Node:
    """This process as its peers reach it: its URL (what it announces as a holder) and the
    node key (``node_credential.node_key``) its credentials are signed with."""

    url: str
    key: bytes


class Pull:
    def __init__(
        self,
        point: str,
        node: Node,
        config: VideoConfig,
        holder: Callable[[], Awaitable[str | None]],
        on_change: Callable[[Pull], None],
    ) -> None:
        self.point = point
        self.node = node
        self.config = config
        self._holder = holder
        self._on_change = on_change
        self.sources = {
            kind: MediaSource(
                point, kind, self._keyframe_requester(kind), config.keyframe_interval_s
            )
            for kind in ("video", "audio")
        }
        self.upstream: str | None = None  # the process pulled from, while linked
        self.link: Link | None = None
        self.in_call = False  # linked and frames arriving
        self.connects = 0
        self.unwanted_since: float | None = None
        self._receivers: dict[str, RTCRtpReceiver] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    @property
    def wanted(self) -> bool:
        return any(source.subscribers for source in self.sources.values())

    def media_fresh(self, now: float, timeout: float) -> bool:
        times = [s.last_frame_at for s in self.sources.values() if s.last_frame_at is not None]
        return bool(times) and now - max(times) < timeout

    async def _run(self) -> None:
        while True:
            try:
                upstream = await self._holder()
            except Exception as exc:  # the store is away: try again, viewers see "lost"
                log.warning("pull %s: cannot read its holder (%s)", self.point, exc)
                upstream = None
            if upstream is None or upstream == self.node.url:
                await asyncio.sleep(PULL_RETRY_S)
                continue
            try:
                link = await watch(
                    upstream,
                    self.point,
                    node_credential(self.node.key, self.point),
                    self._on_frame,
                    self.config.host_addresses,
                    ice_servers=self.config.ice_servers,
                )
            except (SignallingError, OSError) as exc:
                log.info("pull %s from %s refused or unreachable: %s", self.point, upstream, exc)
                await asyncio.sleep(PULL_RETRY_S)
                continue
            self.link, self.upstream = link, upstream
            self.connects += 1
            self._receivers = {t.kind: t.receiver for t in link.pc.getTransceivers()}
            log.info("pulling %s from %s", self.point, upstream)
            try:
                await self._until_lost(link, upstream, watch_liveness(link.pc))
            finally:
                await self._unlink(link)

    async def _until_lost(self, link: Link, upstream: str, liveness: Liveness) -> None:
        """Return when the link closed, went silent or the point moved to another holder."""
        started = time.monotonic()
        while not link.closed.is_set():
            await wait_for_event(link.closed, PULL_CHECK_S)
            now = time.monotonic()
            heard = liveness.heard_at
            if heard is None and now - started > self.config.connect_timeout_s:
                return
            if heard is not None and now - heard > self.config.link_timeout_s:
                log.info("pull %s: %s went silent", self.point, upstream)
                return
            self._update_in_call()
            try:
                holder = await self._holder()
            except Exception:
                continue  # the store is away; the link itself may still be fine
            if holder != upstream:
                log.info("pull %s: holder now %s (was %s)", self.point, holder, upstream)
                return

    def _on_frame(self, tag: str, frame: EncodedFrame) -> None:
        source = self.sources.get(tag)
        if source is not None:
            source.deliver(frame)
            if not self.in_call:
                self._update_in_call()

    def _update_in_call(self) -> None:
        in_call = self.link is not None and self.media_fresh(
            time.time(), self.config.media_timeout_s
        )
        if in_call != self.in_call:
            self.in_call = in_call
            self._on_change(self)

    async def _unlink(self, link: Link) -> None:
        self.link, self.upstream, self._receivers = None, None, {}
        if self.in_call:
            self.in_call = False
            self._on_change(self)
        # Hang up with a fresh credential (the first may have expired on a long pull).
        headers = {"Authorization": f"Bearer {node_credential(self.node.key, self.point)}"}
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                AsyncHTTPClient().fetch(
                    HTTPRequest(link.resource, method="DELETE", headers=headers),
                    raise_error=False,
                ),
                2.0,
            )
        await link.pc.close()
        link.closed.set()

    def _keyframe_requester(self, kind: str) -> Callable[[], Awaitable[bool]]:
        async def request() -> bool:
            receiver = self._receivers.get(kind)
            if receiver is None:
                return False
            sources = receiver.getSynchronizationSources()
            for source in sources:
                await request_keyframe(receiver, source.source)
            return bool(sources)

        return request

    async def close(self) -> None:
        link = self.link
        if self._task is not None:
            await cancel_all([self._task])
        if self.link is not None:
            await self._unlink(self.link)
        elif link is not None:  # cancelled inside its own hang-up
            await link.pc.close()
        for source in self.sources.values():
            source.close()
