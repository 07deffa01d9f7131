"""``/ws/screen``: the WebSocket of one wall screen page (or a console preview of it).

The first frame must be ``hello`` with the screen's device token (or, for a preview, a
console session that may view the wall); anything else closes the link with a reason the
page shows on its banner.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pydantic
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tornado.websocket import WebSocketClosedError

from command_center.auth import Permission, authorize
from command_center.errors import AuthError, StoreFull
from command_center.protocol import SCREEN_MESSAGE, ErrorMessage, Hello, Message
from command_center.server.device_cookie import check_screen
from command_center.server.hub import ScreenHub
from command_center.server.keys import Keys
from command_center.server.link_limits import WriteBudget
from command_center.server.pinged_socket import PingedSocket
from command_center.server.sibling_origins import origin_of
from command_center.sessions import SCOPE_VIEW, Sessions

log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0
MAX_FRAME = 64 * 1024
# Kernel send buffer of a screen link (Linux doubles it): a second of updates for a screen
# is a few kilobytes, a layout tens.
LINK_SNDBUF = 128 * 1024


class ScreenSocket(PingedSocket):
    """One screen link; implements ``hub.ScreenLink``."""

    # A screen sends hello, pings and health reports: a few hundred bytes each.
    frame_limit = MAX_FRAME

    hub: ScreenHub
    keys: Keys
    screen: str
    preview: bool

    def initialize(
        self,
        hub: ScreenHub,
        keys: Keys,
        sessions: Sessions,
        siblings: frozenset[str] = frozenset(),
    ) -> None:
        self.sessions = sessions
        self.siblings = siblings
        self.hub = hub
        self.keys = keys
        self.screen = ""
        self.preview = False
        self._attached = False
        self._pending: asyncio.Future[Any] | None = None
        self._hello_timer: asyncio.TimerHandle | None = None
        self._budget = WriteBudget()
        self._previewer: str | None = None  # who holds this preview (counted per person)

    # Screens are served by this server or, after a failover, by another server of this
    # wall (--server); refuse pages from anywhere else. hello authenticates the screen.
    def check_origin(self, origin: str) -> bool:
        return super().check_origin(origin) or origin_of(origin) in self.siblings

    def open(self, *args: str, **kwargs: str) -> None:
        self.set_nodelay(True)
        stream = self.ws_connection.stream if self.ws_connection is not None else None
        if stream is not None and stream.socket is not None:
            # A fixed kernel buffer (loopback and fast links autotune it to megabytes): what
            # a peer does not read then shows in the link's own count (WriteBudget) soon.
            stream.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, LINK_SNDBUF)
        loop = asyncio.get_running_loop()
        self._hello_timer = loop.call_later(
            HELLO_TIMEOUT_S, self._refuse, "hello_timeout", "no hello within 10 s"
        )

    async def on_message(self, message: str | bytes) -> None:
        if len(message) > MAX_FRAME:
            self._refuse("frame_too_large", f"frame of {len(message)} bytes > {MAX_FRAME}")
            return
        try:
            parsed = SCREEN_MESSAGE.validate_json(message)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            self._refuse("bad_message", f"{where}: {first['msg']}")
            return
        if not self._attached:
            if not isinstance(parsed, Hello):
                self._refuse("hello_first", f"expected 'hello' first, got '{parsed.type}'")
                return
            await self._hello(parsed)
            return
        if isinstance(parsed, Hello):
            self._refuse("hello_twice", "'hello' was already received on this link")
            return
        await self.hub.receive(self, parsed)

    async def _hello(self, hello: Hello) -> None:
        try:
            self.hub.wall.screen(hello.screen)
        except KeyError:
            known = ", ".join(s.id for s in self.hub.wall.screens)
            self._refuse("unknown_screen", f"unknown screen '{hello.screen}' (known: {known})")
            return
        previewer: str | None = None
        try:
            if hello.preview:
                # The console's preview: its view-only token (or a session token).
                principal = await self.sessions.identify(hello.token, SCOPE_VIEW)
                previewer = authorize(principal, Permission.VIEW_WALL).name
            elif not check_screen(self.keys, hello.screen, hello.token, self.request.remote_ip):
                raise AuthError(f"wrong device token for screen '{hello.screen}'")
        except AuthError as exc:
            self._refuse(exc.code, exc.message)
            return
        except (RedisConnectionError, RedisTimeoutError, StoreFull) as exc:
            # A preview's session lives in the store: unreachable, refuse with a reason the
            # page shows (it retries), instead of an unhandled error closing the link.
            self._refuse("store_unavailable", f"the session store cannot be read ({exc})")
            return
        if previewer is not None:
            # Each preview is fed at the flush rate: one person may not open them by the
            # hundred. The count goes down when a preview closes.
            links = self.hub.links
            if not links.take_preview(previewer):
                self._refuse(
                    "too_many_previews",
                    f"Quá nhiều màn hình xem trước · {previewer} already has "
                    f"{links.max_previews} preview links open (close one first)",
                )
                return
            self._previewer = previewer
        if self._hello_timer is not None:
            self._hello_timer.cancel()
        self.screen = hello.screen
        self.preview = hello.preview
        self._attached = True
        await self.hub.attach(self, hello.layout_version)

    def _refuse(self, code: str, message: str) -> None:
        log.info("screen link refused (%s): %s", code, message)
        self.send(ErrorMessage(code=code, message=message))
        self.close(4000 if code != "unauthenticated" else 4001, code)

    def on_close(self) -> None:
        if self._hello_timer is not None:
            self._hello_timer.cancel()
        if self._previewer is not None:
            self.hub.links.release_preview(self._previewer)
            self._previewer = None
        if self._attached:
            self._attached = False
            self.hub.detach(self)

    # ---- ScreenLink ---------------------------------------------------------------------

    def send(self, message: Message) -> None:
        if self.ws_connection is None or self.ws_connection.is_closing():
            return
        text = message.model_dump_json()
        try:
            future = self.write_message(text)
        except WebSocketClosedError:
            return
        future.add_done_callback(_consume_error)
        self._pending = future
        if self._budget.track(future, len(text.encode())):
            self._drop_slow()

    def _drop_slow(self) -> None:
        """The peer stopped reading: drop the link at once (a close frame would only queue
        behind the backlog). A live page reconnects and gets a fresh layout."""
        log.warning(
            "screen link %s%s closed: %d bytes not flushed (peer not reading)",
            self.screen,
            " (preview)" if self.preview else "",
            self._budget.unflushed,
        )
        self.hub.links.slow_closed += 1
        stream = self.ws_connection.stream if self.ws_connection is not None else None
        self.close(1008, "write buffer over 1 MB: not reading")
        if stream is not None:
            stream.close()  # Tornado would otherwise wait 5 s for the peer's close frame

    @property
    def busy(self) -> bool:
        return self._pending is not None and not self._pending.done()


def _consume_error(future: asyncio.Future[Any]) -> None:
    # A link closing mid-write is normal; the close handler detaches it.
    if not future.cancelled():
        future.exception()
