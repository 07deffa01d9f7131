"""``/ws/video``, the video room's control channel: the roster, then every room event.

A peer authenticates with its session cookie or, within ``HELLO_TIMEOUT_S``, a hello
message carrying a credential (a bridge page of another wall server that failed over
here: no cookie crosses origins). The channel is one-way once open: actions go through the
API (``video_api``).
"""

from __future__ import annotations

import asyncio
import json
import logging

from tornado.websocket import WebSocketClosedError

from command_center.errors import AuthError
from command_center.server.http_base import SESSION_COOKIE
from command_center.server.pinged_socket import PingedSocket
from command_center.server.video_credentials import Caller
from command_center.server.video_parts import VideoParts

log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0
# The only frame a peer sends is the hello with its credential (a few hundred bytes).
MAX_VIDEO_FRAME = 8 * 1024


class VideoSocket(PingedSocket):
    """``/ws/video``: the roster, then every room event, to one console, screen or point.

    Its writes need no byte budget of their own: the pump awaits each one (a peer that
    does not read stops the pump), and the room's bounded queue then drops the listener
    ("fell behind"). A silent peer is found by the pings."""

    frame_limit = MAX_VIDEO_FRAME

    def initialize(self, parts: VideoParts) -> None:
        self.parts = parts
        self._pump: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def check_origin(self, origin: str) -> bool:
        # Its own pages, and a bridge page of another wall server that failed over here
        # (it says hello with a credential: no cookie crosses origins).
        return super().check_origin(origin) or origin.lower() in self.parts.peer_origins

    async def open(self, *args: str, **kwargs: str) -> None:
        cookie = self.get_cookie(SESSION_COOKIE)
        if cookie:
            try:
                self._start(await self._identify(cookie))
                return
            except AuthError:
                pass  # a stale cookie: a hello may still authenticate
        self._timer = asyncio.get_running_loop().call_later(
            HELLO_TIMEOUT_S, self._refuse, "hello_timeout", "no hello within 10 s"
        )

    async def on_message(self, message: str | bytes) -> None:
        if self._pump is not None:
            return  # the channel is one-way once open; actions go through the API
        try:
            hello = json.loads(message)
            credential = hello["credential"] if hello.get("type") == "hello" else None
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            credential = None
        if not isinstance(credential, str):
            self._refuse("bad_message", "first message must be {type: 'hello', credential}")
            return
        try:
            self._start(await self._identify(credential))
        except AuthError as exc:
            self._refuse(exc.code, exc.message)

    async def _identify(self, credential: str) -> Caller:
        return await self.parts.identify(credential, self.request.remote_ip)

    def _start(self, caller: Caller) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._pump = asyncio.ensure_future(self._run(caller))

    async def _run(self, caller: Caller) -> None:
        log.info("video control channel open for %s", caller.holder)
        self.parts.links.video_links += 1
        try:
            async with self.parts.room.listen() as queue:
                while True:
                    event = await queue.get()
                    if event is None:
                        self.close(1013, "fell behind; reconnect for a fresh roster")
                        return
                    await self.write_message(event.model_dump_json())
        except WebSocketClosedError:
            pass
        finally:
            self.parts.links.video_links -= 1

    def _refuse(self, code: str, message: str) -> None:
        try:
            self.write_message(json.dumps({"type": "error", "code": code, "message": message}))
        except WebSocketClosedError:
            return
        self.close(4401 if code in ("unauthenticated", "forbidden") else 4400, message[:120])

    def on_close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._pump is not None:
            self._pump.cancel()
