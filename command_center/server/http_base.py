"""Shared plumbing of the JSON routes: one error envelope, and who is asking."""

from __future__ import annotations

import json
import logging
from asyncio import Future
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tornado.httputil import HTTPServerRequest
from tornado.web import Application, HTTPError

from command_center.auth import Permission, Principal, authorize
from command_center.errors import (
    AuthError,
    RequestError,
    TooManyRequests,
    WallError,
    error_envelope,
)
from command_center.json_text import parse_json
from command_center.redis_client import NotReplicated
from command_center.server.body_limit import BODY_METHODS, LimitedBody
from command_center.server.keys import Keys
from command_center.server.same_origin import check_same_origin
from command_center.server.shutdown import IN_FLIGHT_SETTING, InFlight
from command_center.sessions import Sessions

log = logging.getLogger(__name__)

SESSION_COOKIE = "cc_session"
# Application setting: the public URL's origin, also accepted as "same origin".
PUBLIC_ORIGINS_SETTING = "cc_public_origins"


STORE_RETRY_AFTER_S = 5


class StoreUnavailable(TooManyRequests):
    """503: Redis (the store or the bus) cannot be reached; nothing of this request was
    accepted, so the caller retries after ``retry_after_s`` and loses nothing."""

    status = 503
    code = "store_unavailable"


class ShuttingDown(TooManyRequests):
    """503: this process is stopping (SIGTERM); nothing was accepted, retry (another server,
    or this one once it is back)."""

    status = 503
    code = "shutting_down"


class JsonHandler(LimitedBody):
    """Base of every ``/api`` route: JSON in, JSON out, errors in one envelope.

    The body is streamed (``LimitedBody``): who is asking and how much they declare are
    checked in ``prepare``, before the body is read; ``body_limit`` is the route's bound.

    ``open_runtime`` gives every JSON route ``sessions=`` besides its own arguments; it is
    taken here, so no subclass's ``initialize`` has to pass it along.
    """

    keys: Keys
    sessions: Sessions

    def __init__(self, application: Application, request: HTTPServerRequest, **kwargs: Any) -> None:
        self.sessions = kwargs.pop("sessions")
        super().__init__(application, request, **kwargs)

    # Routes anyone may post to (sign-in): their small body is read unauthenticated.
    open_body = False

    async def prepare(self) -> None:
        """Refuse a cross-site state change riding on the cookie, then a caller without a
        valid credential and a body over the limit, before the body is read (subclasses
        that override ``prepare`` await this first)."""
        # The declared size first: a length over every limit must be answered before
        # Tornado itself refuses it (with a bare 400) on reading the body.
        self.limit_body()
        in_flight: InFlight | None = self.settings.get(IN_FLIGHT_SETTING)
        if in_flight is not None and in_flight.closing and not self.served_while_closing:
            self.set_header("Connection", "close")
            self.refuse(
                ShuttingDown(
                    "Máy chủ đang khởi động lại; chưa nhận gì, hãy gửi lại · "
                    "the server is restarting; nothing was accepted, retry",
                    1,
                )
            )
            return
        if in_flight is not None:
            in_flight.enter()
            self._in_flight = in_flight
        if self._finished or self._refusal is not None:
            return
        try:
            check_same_origin(
                self.request, SESSION_COOKIE, self.settings.get(PUBLIC_ORIGINS_SETTING, ())
            )
            if self.request.method in BODY_METHODS and not self.open_body:
                await self.authenticate()
        except WallError as exc:
            self.refuse(exc)  # the body is never read into memory

    _in_flight: InFlight | None = None
    # Answered even while the process stops (``/health`` then says ``down``).
    served_while_closing = False

    def finish(self, chunk: str | bytes | dict[str, Any] | None = None) -> Future[None]:
        # Every answer passes here once, errors included (subclasses keep ``on_finish``
        # for themselves): the shutdown waits for this count.
        answered = super().finish(chunk)
        if self._in_flight is not None:
            self._in_flight.leave()
            self._in_flight = None
        return answered

    async def authenticate(self) -> None:
        """Who is asking, from the headers alone; routes whose credential is not a
        session (agency and device tokens) override it."""
        if await self.principal() is None:
            raise AuthError("authentication required: 'Authorization: Bearer <token>'")

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")

    def write_json(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(payload, ensure_ascii=False))

    def session_token(self) -> str | None:
        """The token presented: ``Authorization: Bearer`` first, else the session cookie."""
        header = self.request.headers.get("Authorization", "")
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise AuthError("Authorization header must be 'Bearer <token>'")
            return value.strip()
        return self.get_cookie(SESSION_COOKIE) or None

    async def principal(self) -> Principal | None:
        """The caller, from a live server-side session, re-read on every request (so a
        session ended anywhere stops working here within a second)."""
        token = self.session_token()
        if not token:
            return None
        return await self.sessions.check(token)

    async def require(self, permission: Permission) -> Principal:
        return authorize(await self.principal(), permission)

    def json_body(self) -> dict[str, Any]:
        ctype = self.request.headers.get("Content-Type", "")
        if not ctype.startswith("application/json"):
            raise RequestError(f"Content-Type must be application/json (got '{ctype or 'none'}')")
        body = parse_json(self.body)
        if not isinstance(body, dict):
            raise RequestError(f"body must be a JSON object (got {type(body).__name__})")
        return body

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, NotReplicated):
            # On the primary but on no replica yet: it could still be lost, so not accepted.
            exc = StoreUnavailable(
                "Dữ liệu chưa được sao lưu sang máy dự phòng; chưa nhận, hãy gửi lại · "
                f"not yet copied to a Redis replica ({exc}); not accepted, retry",
                STORE_RETRY_AFTER_S,
            )
        elif isinstance(exc, RedisConnectionError | RedisTimeoutError):
            # A Redis outage is the centre's fault and passes: say so, never a bare 500.
            exc = StoreUnavailable(
                "Kho dữ liệu tạm thời không truy cập được; chưa nhận gì, hãy gửi lại · "
                "the data store (Redis) cannot be reached; nothing was accepted, retry",
                STORE_RETRY_AFTER_S,
            )
        if isinstance(exc, WallError):
            self.set_status(exc.status)
            if isinstance(exc, AuthError) and exc.status == 401:
                self.set_header("WWW-Authenticate", 'Bearer realm="command_center"')
            if isinstance(exc, TooManyRequests):
                self.set_header("Retry-After", str(exc.retry_after_s))
            self.finish(json.dumps(exc.envelope(), ensure_ascii=False))
            return
        if isinstance(exc, HTTPError):
            code = {404: "not_found", 405: "method_not_allowed"}.get(status_code, "http_error")
            self.finish(json.dumps(error_envelope(code, exc.log_message or self._reason)))
            return
        self.finish(json.dumps(error_envelope("internal", "internal server error")))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, RedisConnectionError | RedisTimeoutError):
            log.warning(
                "%s %s -> 503: Redis unreachable (%s)",
                self.request.method,
                self.request.path,
                value,
            )
            return
        if isinstance(value, WallError):
            log.info(
                "%s %s -> %s: %s",
                self.request.method,
                self.request.path,
                value.status,
                value.message,
            )
            return
        super().log_exception(typ, value, tb)


class NotFoundHandler(JsonHandler):
    """Any unknown ``/api`` path gets the envelope, not an HTML page."""

    def initialize(self, keys: Keys) -> None:
        self.keys = keys

    async def prepare(self) -> None:
        check_same_origin(
            self.request, SESSION_COOKIE, self.settings.get(PUBLIC_ORIGINS_SETTING, ())
        )
        raise HTTPError(404, f"no route {self.request.method} {self.request.path}")
