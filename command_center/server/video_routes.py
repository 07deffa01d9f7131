"""The video bridge's routes: WHIP, WHEP, the control channel and the console's actions.

    POST   /whip/<point>              offer -> 201 answer, Location /whip/<point>/<session>
    PATCH  /whip/<point>/<session>    trickle ICE (application/trickle-ice-sdpfrag) -> 204
    DELETE /whip/<point>/<session>    leave -> 200
    POST   /whep/<source>             (and PATCH/DELETE on its Location) to watch
    OPTIONS on an endpoint            200, Accept-Post: application/sdp; other methods 405
    GET    /ws/video                  control channel: roster, then room events
    GET    /api/v1/video/servers          every wall server, in failover order (for points)
    /api/v1/video/...                 roster; mute, end, program, pins (duty officer, admin)

As RFC 9725 (WHIP; WHEP follows it) asks: a PATCH names its ICE session with ``If-Match``
(the ETag of the 201, or ``*``): none is 428, another one 412; an ICE restart (new
ufrag/pwd) is 422, since aiortc cannot restart ICE (a client posts a new offer instead).
Every 405 says in ``Allow`` what the resource takes.

Every refusal is the JSON error envelope; a refused offer changes nothing for anyone.

With several wall servers (``--server``), a bridge page loaded from one publishes to
another when its own is lost: the signalling routes and the control channel then accept
the other servers' origins, and only those (CORS: ``Access-Control-Allow-Origin`` naming
the origin, preflights for ``Authorization``/``Content-Type``/``If-Match``, ``Location``
and ``ETag`` exposed). No cookie crosses: those requests carry a ``Bearer`` credential.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from tornado.web import HTTPError
from tornado.websocket import WebSocketClosedError

from command_center.auth import Permission, Principal, Role
from command_center.errors import AuthError, ForbiddenError, RequestError, UnsupportedMediaType
from command_center.server import video_actions
from command_center.server.body_limit import MAX_SDP_BODY
from command_center.server.http_base import SESSION_COOKIE, JsonHandler
from command_center.server.keys import Keys
from command_center.server.link_limits import LinkLimits
from command_center.server.pinged_socket import PingedSocket
from command_center.server.sibling_origins import sibling_origins
from command_center.server.video_credentials import Caller, bearer, identify
from command_center.sessions import Sessions
from command_center.store import Store
from video.errors import PreconditionFailed, PreconditionRequired
from video.peers import add_candidates
from video.registry import ROOM
from video.room import VideoRoom

log = logging.getLogger(__name__)

SDP = "application/sdp"
SDPFRAG = "application/trickle-ice-sdpfrag"
CORS_MAX_AGE_S = 600


class VideoHandler(JsonHandler):
    # The methods a resource takes (RFC 9725 reserves the others: 405 with ``Allow``).
    ALLOWED: tuple[str, ...] = ()
    # Offers and trickle fragments; the console's JSON actions are smaller still.
    body_limit = MAX_SDP_BODY
    # The path argument that names the publishing point (WHIP routes), for the caller check.
    whip = False
    # Origins of the other wall servers (set in ``initialize``; none before it runs).
    peer_origins: frozenset[str] = frozenset()

    async def authenticate(self) -> None:
        # The caller is known from the headers: an offer from nobody is never read. A URL
        # that names nothing is still a 404 first, as the route itself answers.
        self.check_path()
        await self.caller(whip_point=self.path_args[0] if self.whip else None)

    def check_path(self) -> None:
        if self.whip:
            self.room.point(self.path_args[0])

    def initialize(
        self,
        room: VideoRoom,
        keys: Keys,
        screens: frozenset[str],
        store: Store,
        servers: tuple[str, ...] = (),
    ) -> None:
        self.room = room
        self.keys = keys
        self.screens = screens
        self.store = store
        self.servers = servers
        self.peer_origins = sibling_origins(servers)

    async def prepare(self) -> None:
        self.allow_peer_origin()
        await super().prepare()

    def clear(self) -> None:
        # Every answer, a refusal written after ``clear()`` included, so the other server's
        # page can read it (and tell "wrong token" from "server gone").
        super().clear()
        self.allow_peer_origin()

    def allow_peer_origin(self) -> bool:
        """CORS headers for a page of another wall server; False for any other origin."""
        origin = self.request.headers.get("Origin")
        if origin is None or origin.lower() not in self.peer_origins:
            return False
        self.set_header("Access-Control-Allow-Origin", origin)
        self.set_header("Vary", "Origin")
        self.set_header("Access-Control-Expose-Headers", "Location, ETag, Accept-Patch")
        return True

    async def caller(self, whip_point: str | None = None, node_point: str | None = None) -> Caller:
        credential = bearer(self.request.headers.get("Authorization", ""))
        credential = credential or self.get_cookie(SESSION_COOKIE)
        if not credential:
            raise AuthError("authentication required: 'Authorization: Bearer <credential>'")
        return await identify(
            credential,
            self.keys,
            self.sessions,
            self.room.registry,
            self.screens,
            whip_point,
            self.request.remote_ip,
            node_point,
        )

    async def operator(self) -> Caller:
        caller = await self.caller()
        if not caller.may_operate():
            raise ForbiddenError(
                f"role '{caller.role}' lacks permission '{Permission.SWITCH_LAYOUT}' "
                "(roles that have it: admin, duty_officer)"
            )
        return caller

    async def person(self, action: str, target: str) -> Principal:
        """The duty officer or admin calling (only people operate), for the audit row; a
        person without the permission is refused and the attempt audited."""
        caller = await self.caller()
        who = Principal(caller.holder.partition(":")[2], caller.role)
        try:
            await self.operator()
        except ForbiddenError as exc:
            if caller.holder.startswith("user:"):
                await video_actions.refused(self.store, who, action, target, exc)
            raise
        return who

    def body_of(self, content_type: str) -> str:
        got = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if got != content_type:
            raise UnsupportedMediaType(
                f"Content-Type must be {content_type} (got '{got or 'none'}')",
                [{"expected": content_type, "got": got or None}],
            )
        try:
            return self.body.decode("utf-8")  # at most MAX_SDP_BODY: refused in prepare
        except UnicodeDecodeError:
            raise RequestError("body is not UTF-8 text") from None

    def write_sdp(self, answer: str, location: str) -> None:
        self.set_status(201)
        self.set_header("Content-Type", SDP)
        self.set_header("Location", location)
        self.set_header("ETag", f'"{location.rsplit("/", 1)[-1]}"')
        self.set_header("Accept-Patch", SDPFRAG)
        self.finish(answer)

    def check_if_match(self, session_id: str) -> None:
        """RFC 9725 §4.3.1: a PATCH names the ICE session it is for (the 201's ETag, strong
        comparison) or ``*``; the client must not trickle into a session it does not know."""
        header = self.request.headers.get("If-Match")
        if header is None:
            raise PreconditionRequired(
                f"PATCH needs 'If-Match: \"{session_id}\"' (the ETag of the 201) or 'If-Match: *'",
                [{"header": "If-Match", "expected": f'"{session_id}" or *', "got": None}],
            )
        tags = [tag.strip() for tag in header.split(",")]
        if "*" not in tags and f'"{session_id}"' not in tags:
            raise PreconditionFailed(
                f"If-Match {header[:80]!r} does not name this session's ICE session "
                f'(its ETag is "{session_id}")',
                [{"header": "If-Match", "expected": f'"{session_id}"', "got": header[:80]}],
            )

    def options(self, *args: str) -> None:
        """What the endpoint takes (RFC 9725 §4.2), without credentials, nothing about any
        point; a CORS preflight from another wall server's page gets its answer here."""
        if self.request.headers.get("Access-Control-Request-Method") and self.allow_peer_origin():
            methods = [m for m in self.ALLOWED if m != "OPTIONS"]
            self.clear_header("Content-Type")
            self.set_header("Access-Control-Allow-Methods", ", ".join(methods))
            self.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match")
            self.set_header("Access-Control-Max-Age", str(CORS_MAX_AGE_S))
            self.set_status(204)
            self.finish()
            return
        if "OPTIONS" not in self.ALLOWED:
            raise HTTPError(405)
        self.clear_header("Content-Type")
        self.set_header("Allow", ", ".join(self.ALLOWED))
        self.set_header("Accept-Post", SDP)
        self.set_status(200)
        self.finish()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == 405 and self.ALLOWED:
            self.set_header("Allow", ", ".join(self.ALLOWED))
        super().write_error(status_code, **kwargs)


class WhipHandler(VideoHandler):
    """``/whip/<point>``: a bridge point (or the console, as the room) publishes."""

    ALLOWED = ("OPTIONS", "POST")
    whip = True

    async def post(self, point_id: str) -> None:
        self.room.point(point_id)  # 404 before anything else: the URL names no point
        caller = await self.caller(whip_point=point_id)
        try:
            self._check_may_publish(caller, point_id)
        except ForbiddenError as exc:
            if caller.holder.startswith("user:"):  # a person tried the room's slot: on record
                who = Principal(caller.holder.partition(":")[2], caller.role)
                await video_actions.refused(self.store, who, "video_room_publish", point_id, exc)
            raise
        offer = self.body_of(SDP)
        session_id, answer = await self.room.publish(point_id, caller.holder, offer)
        if caller.holder.startswith("user:"):
            who = Principal(caller.holder.partition(":")[2], caller.role)
            await video_actions.room_publishing(self.store, who, True, session_id)
        self.write_sdp(answer, f"/whip/{point_id}/{session_id}")

    def _check_may_publish(self, caller: Caller, point_id: str) -> None:
        if caller.point == point_id:
            return
        if point_id == ROOM and caller.may_operate():
            return
        raise ForbiddenError(
            f"{caller.holder} may not publish as '{point_id}' "
            f"(only that point's token{', or a duty officer or admin' if point_id == ROOM else ''})"
        )


class WhipSessionHandler(VideoHandler):
    ALLOWED = ("PATCH", "DELETE")
    whip = True

    async def patch(self, point_id: str, session_id: str) -> None:
        self.room.point(point_id)
        caller = await self.caller(whip_point=point_id)
        session = self.room.publisher_session(point_id, session_id)
        self._check_holder(caller, session.holder)
        fragment = self.body_of(SDPFRAG)
        self.check_if_match(session_id)
        await add_candidates(session.pc, fragment)
        self.set_status(204)
        self.finish()

    async def delete(self, point_id: str, session_id: str) -> None:
        self.room.point(point_id)
        caller = await self.caller(whip_point=point_id)
        session = self.room.publisher_session(point_id, session_id)
        self._check_holder(caller, session.holder)
        await self.room.end_publisher(point_id, "hangup", session_id)
        if caller.holder.startswith("user:"):
            who = Principal(caller.holder.partition(":")[2], caller.role)
            await video_actions.room_publishing(self.store, who, False, session_id)
        self.write_json({"ended": point_id})

    @staticmethod
    def _check_holder(caller: Caller, holder: str) -> None:
        if caller.holder != holder and not caller.may_operate():
            raise ForbiddenError(f"this session belongs to {holder}, not {caller.holder}")


class WhepHandler(VideoHandler):
    """``/whep/<source>``: screens, the console and bridge points watch."""

    ALLOWED = ("OPTIONS", "POST")

    def check_path(self) -> None:
        self.room.check_source(self.path_args[0])

    async def authenticate(self) -> None:
        self.check_path()
        await self.caller(node_point=self.path_args[0])

    async def post(self, source: str) -> None:
        self.room.check_source(source)
        caller = await self.caller(node_point=source)
        offer = self.body_of(SDP)
        session_id, answer = await self.room.watch(source, caller.holder, caller.point, offer)
        self.write_sdp(answer, f"/whep/{source}/{session_id}")


class WhepSessionHandler(VideoHandler):
    ALLOWED = ("PATCH", "DELETE")

    async def authenticate(self) -> None:
        await self.caller(node_point=self.path_args[0])

    async def patch(self, source: str, session_id: str) -> None:
        caller = await self.caller(node_point=source)
        session = self.room.watcher_session(source, session_id)
        WhipSessionHandler._check_holder(caller, session.viewer)
        fragment = self.body_of(SDPFRAG)
        self.check_if_match(session_id)
        await add_candidates(session.pc, fragment)
        self.set_status(204)
        self.finish()

    async def delete(self, source: str, session_id: str) -> None:
        caller = await self.caller(node_point=source)
        session = self.room.watcher_session(source, session_id)
        WhipSessionHandler._check_holder(caller, session.viewer)
        await self.room.end_watcher(session_id)
        self.write_json({"ended": session_id})


# --- the console's actions ---------------------------------------------------------


class RosterHandler(VideoHandler):
    async def get(self) -> None:
        caller = await self.caller()
        if caller.role not in (Role.ADMIN, Role.DUTY_OFFICER, Role.VIEWER):
            raise ForbiddenError(f"role '{caller.role}' may not read the roster")
        self.write_json(self.room.roster().model_dump(exclude={"type"}))


class MuteHandler(VideoHandler):
    async def post(self, point_id: str) -> None:
        who = await self.person("video_mute", point_id)
        muted = self.json_body().get("muted")
        if not isinstance(muted, bool):
            raise RequestError(
                "'muted' must be true or false", [{"field": "muted", "got": repr(muted)}]
            )
        self.write_json(await video_actions.mute(self.room, self.store, who, point_id, muted))


class EndCallHandler(VideoHandler):
    async def post(self, point_id: str) -> None:
        who = await self.person("video_end", point_id)
        self.write_json(await video_actions.end_call(self.room, self.store, who, point_id))


class ProgramHandler(VideoHandler):
    async def post(self) -> None:
        who = await self.person("video_program", "program")
        source = self.json_body().get("source")
        if not isinstance(source, str):
            raise RequestError("'source' must be 'room' or a point id")
        self.write_json(await video_actions.program(self.room, self.store, who, source))


class PinHandler(VideoHandler):
    async def post(self) -> None:
        who = await self.person("video_pin", "pins")
        body = self.json_body()
        tile, source = body.get("tile"), body.get("source")
        if not isinstance(tile, str) or not (source is None or isinstance(source, str)):
            raise RequestError("body must be {tile: string, source: string or null}")
        self.write_json(await video_actions.pin(self.room, self.store, who, tile, source))


class ServersHandler(VideoHandler):
    """Every wall server's URL in failover order (``--server``), for a bridge point that
    must publish again elsewhere when its server is lost. Any video credential reads it."""

    async def get(self) -> None:
        await self.caller()
        self.write_json({"servers": list(self.servers)})


VIDEO_API_ROUTES: list[tuple[str, type[JsonHandler]]] = [
    (r"/api/v1/video/roster", RosterHandler),
    (r"/api/v1/video/points/([a-z0-9-]{1,48})/mute", MuteHandler),
    (r"/api/v1/video/points/([a-z0-9-]{1,48})/end", EndCallHandler),
    (r"/api/v1/video/program", ProgramHandler),
    (r"/api/v1/video/pins", PinHandler),
]
# Registered with the server list (``video_routes(..., servers)``).
SERVERS_ROUTES: list[tuple[str, type[JsonHandler]]] = [(r"/api/v1/video/servers", ServersHandler)]
SIGNALLING_ROUTES: list[tuple[str, type[VideoHandler]]] = [
    (r"/whip/([^/]+)", WhipHandler),
    (r"/whip/([^/]+)/([^/]+)", WhipSessionHandler),
    (r"/whep/([^/]+)", WhepHandler),
    (r"/whep/([^/]+)/([^/]+)", WhepSessionHandler),
]


# --- the control channel -----------------------------------------------------------

HELLO_TIMEOUT_S = 10.0
# The only frame a peer sends is the hello with its credential (a few hundred bytes).
MAX_VIDEO_FRAME = 8 * 1024


class VideoSocket(PingedSocket):
    """``/ws/video``: the roster, then every room event, to one console, screen or point.

    Its writes need no byte budget of their own: the pump awaits each one (a peer that
    does not read stops the pump), and the room's bounded queue then drops the listener
    ("fell behind"). A silent peer is found by the pings."""

    frame_limit = MAX_VIDEO_FRAME

    def initialize(
        self,
        room: VideoRoom,
        keys: Keys,
        screens: frozenset[str],
        sessions: Sessions,
        store: Store,
        links: LinkLimits | None = None,
        servers: tuple[str, ...] = (),
    ) -> None:
        self.room = room
        self.keys = keys
        self.screens = screens
        self.sessions = sessions
        self.store = store
        self.links = links or LinkLimits()
        self.peer_origins = sibling_origins(servers)
        self._pump: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def check_origin(self, origin: str) -> bool:
        # Its own pages, and a bridge page of another wall server that failed over here
        # (it says hello with a credential: no cookie crosses origins).
        return super().check_origin(origin) or origin.lower() in self.peer_origins

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
        return await identify(
            credential,
            self.keys,
            self.sessions,
            self.room.registry,
            self.screens,
            address=self.request.remote_ip,
        )

    def _start(self, caller: Caller) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._pump = asyncio.ensure_future(self._run(caller))

    async def _run(self, caller: Caller) -> None:
        log.info("video control channel open for %s", caller.holder)
        self.links.video_links += 1
        try:
            async with self.room.listen() as queue:
                while True:
                    event = await queue.get()
                    if event is None:
                        self.close(1013, "fell behind; reconnect for a fresh roster")
                        return
                    await self.write_message(event.model_dump_json())
        except WebSocketClosedError:
            pass
        finally:
            self.links.video_links -= 1

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


def video_routes(
    room: VideoRoom,
    keys: Keys,
    screens: frozenset[str],
    sessions: Sessions,
    store: Store,
    links: LinkLimits | None = None,
    servers: tuple[str, ...] = (),
) -> list[tuple[str, Any, dict[str, Any]]]:
    """Every video pattern with what its handler needs, for ``open_runtime``; ``servers``:
    every wall server in failover order (this one alone when not configured)."""
    deps = {
        "room": room,
        "keys": keys,
        "screens": screens,
        "sessions": sessions,
        "store": store,
        "servers": servers,
    }
    handlers: list[tuple[str, Any]] = [*SERVERS_ROUTES, *VIDEO_API_ROUTES, *SIGNALLING_ROUTES]
    routes = [(pattern, handler, deps) for pattern, handler in handlers]
    return [*routes, (r"/ws/video", VideoSocket, {**deps, "links": links})]
