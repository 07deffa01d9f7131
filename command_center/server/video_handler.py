"""The base of the video bridge's HTTP handlers: who calls, what they sent, how to answer.

``VideoHandler`` knows the caller before reading a body (a Bearer credential or the
session cookie, ``video_credentials.identify``), takes only the content type a route
expects, answers an offer with 201 and its ``Location``/``ETag``, checks ``If-Match`` on a
trickle PATCH (RFC 9725 §4.3.1: none is 428, another session's 412), answers ``OPTIONS``
and says in ``Allow`` what a resource takes on a 405.

With several wall servers (``--server``), a bridge page loaded from one publishes to
another when its own is lost: the handlers then accept the other servers' origins, and
only those (CORS: ``Access-Control-Allow-Origin`` naming the origin, preflights for
``Authorization``/``Content-Type``/``If-Match``, ``Location`` and ``ETag`` exposed). No
cookie crosses: those requests carry a ``Bearer`` credential.
"""

from __future__ import annotations

from typing import Any

from tornado.web import HTTPError

from command_center.auth import Permission, Principal
from command_center.errors import AuthError, ForbiddenError, RequestError, UnsupportedMediaType
from command_center.server import video_actions
from command_center.server.body_limit import MAX_SDP_BODY
from command_center.server.http_base import SESSION_COOKIE, JsonHandler
from command_center.server.video_credentials import Caller, bearer
from command_center.server.video_parts import VideoParts
from video.errors import PreconditionFailed, PreconditionRequired

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

    def initialize(self, parts: VideoParts) -> None:
        self.parts = parts
        self.room = parts.room
        self.store = parts.store
        self.peer_origins = parts.peer_origins

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
        return await self.parts.identify(credential, self.request.remote_ip, whip_point, node_point)

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
