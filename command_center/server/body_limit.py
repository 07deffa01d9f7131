"""Request bodies refused before they are buffered (issue 10, point 1).

Tornado reads a whole body into memory before a plain handler runs; a handler decorated with
``@stream_request_body`` runs ``prepare()`` after the headers and gets the body in chunks.
``LimitedBody`` uses that: a declared ``Content-Length`` over the route's limit is answered
413 before one byte of the body is read (so ``Expect: 100-continue`` gets no ``100``), and a
chunked body is cut as soon as it passes the limit. Either way Tornado then reads no more of
it into the handler and closes the connection once the answer is flushed. The HTTP server's
own ``max_body_size`` is the largest route limit (``server_limits``).
"""

from __future__ import annotations

import json
from typing import Any

from tornado.http1connection import HTTP1Connection
from tornado.httputil import parse_body_arguments
from tornado.web import RequestHandler, stream_request_body

from command_center.errors import RequestError, TooManyRequests, WallError

MAX_SIGN_IN_BODY = 4 * 1024  # a username and a password, as JSON or a form
MAX_JSON_BODY = 64 * 1024  # every other JSON route
MAX_SDP_BODY = 64 * 1024  # a WHIP/WHEP offer or a trickle fragment (a real one is ~5 KB)
# 10,000 observation rows as JSON with every optional field filled, longest notes included,
# stay under this (a CSV of them is about a third); see feeds.ingest for the row cap.
MAX_OBSERVATIONS_BODY = 16 * 1024 * 1024
MAX_INCIDENTS_BODY = 2 * 1024 * 1024
LARGEST_BODY = max(
    MAX_SIGN_IN_BODY, MAX_JSON_BODY, MAX_SDP_BODY, MAX_OBSERVATIONS_BODY, MAX_INCIDENTS_BODY
)
# A refused body up to this size is read and dropped before the answer (see LimitedBody);
# under the server's max_body_size, so that Tornado never refuses a chunked one first.
DRAIN_LIMIT = 8 * 1024 * 1024
# Methods whose body is read; the others may carry one too, and are limited all the same.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodyTooLarge(RequestError):
    status = 413
    code = "body_too_large"


@stream_request_body
class LimitedBody(RequestHandler):
    """Base of the handlers that read a body: set ``body_limit`` and call ``limit_body()``
    in ``prepare``; the body is then ``self.body``. Streaming is what lets ``prepare`` run
    before the body arrives; subclasses inherit it.

    A refusal decided from the headers (``refuse``) reads nothing into memory, but when it
    is answered depends on the client. One that waits (``Expect: 100-continue``) or that
    announces more than ``DRAIN_LIMIT`` gets it at once, and the connection closes. One
    that is sending a body of a few megabytes anyway gets it once that body has been read
    and dropped: closing under a client in mid-send makes its kernel reset the connection,
    and the answer is lost with it."""

    body_limit = MAX_JSON_BODY
    _received: bytearray | None = None  # None: the body is being dropped
    _dropped = 0
    _refusal: WallError | None = None

    def limit_body(self) -> None:
        """Refuse a declared length over the limit, before the body is read."""
        self._received = bytearray()
        declared = self._declared()
        if declared is not None and declared > self.body_limit:
            self.refuse(self._too_large(f"a declared body of {declared} bytes"))
        elif declared is not None:
            self._max_body_size(self.body_limit)

    def refuse(self, exc: WallError) -> None:
        """Answer ``exc`` without reading the body into memory (see the class)."""
        declared = self._declared()
        # Tornado must not refuse the length itself (a bare 400 instead of this answer);
        # a chunked body is measured against the server's bound, above DRAIN_LIMIT.
        self._max_body_size(LARGEST_BODY if declared is None else max(declared, self.body_limit))
        self._received = None
        expects = self.request.headers.get("Expect", "").strip().lower() == "100-continue"
        if expects or (declared or 0) > DRAIN_LIMIT:
            self._answer(exc)
            return
        self._refusal = exc
        # Tornado calls the route's method once the body is in: answer the refusal there.
        setattr(self, self.request.method.lower(), self._answer_refusal)  # type: ignore[union-attr]

    def _answer_refusal(self, *args: str, **kwargs: str) -> None:
        assert self._refusal is not None
        self._answer(self._refusal)

    def _declared(self) -> int | None:
        value = self.request.headers.get("Content-Length", "").strip()
        return int(value) if value.isdigit() else None

    def _too_large(self, what: str) -> BodyTooLarge:
        return BodyTooLarge(
            f"Dữ liệu gửi lên quá lớn · body too large: {what} is over the limit of "
            f"{self.body_limit} bytes for {self.request.method} {self.request.path}",
            [{"limit": self.body_limit, "route": self.request.path}],
        )

    def _max_body_size(self, size: int) -> None:
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):  # HTTP/1.1, as Tornado serves
            connection.set_max_body_size(size)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return  # answered: Tornado is dropping the rest and closes after the answer
        if self._received is None:
            self._dropped += len(chunk)
            if self._dropped > DRAIN_LIMIT:  # a chunked body without end: answer, close
                self._answer(self._refusal or self._too_large("a chunked body"))
            return
        if len(self._received) + len(chunk) > self.body_limit:
            self._dropped = len(self._received) + len(chunk)
            self.refuse(self._too_large("a chunked body"))
            return
        self._received += chunk

    @property
    def body(self) -> bytes:
        return bytes(self._received or b"")

    def parse_form(self) -> None:
        """Fill ``get_body_argument`` from the streamed body (Tornado parses only bodies
        it buffered itself)."""
        parse_body_arguments(
            self.request.headers.get("Content-Type", ""),
            self.body,
            self.request.body_arguments,
            self.request.files,
            self.request.headers,
        )
        for name, values in self.request.body_arguments.items():
            self.request.arguments.setdefault(name, []).extend(values)

    def _answer(self, exc: WallError) -> None:
        """The refusal in the error envelope, whatever the route's usual answer type."""
        self.clear()
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if exc.status == 401:
            self.set_header("WWW-Authenticate", 'Bearer realm="command_center"')
        if isinstance(exc, TooManyRequests):
            self.set_header("Retry-After", str(exc.retry_after_s))
        if self._received is None:
            self.set_header("Connection", "close")  # the body was not read: start afresh
        self.finish(json.dumps(exc.envelope(), ensure_ascii=False))


def server_limits() -> dict[str, Any]:
    """The HTTP server's own bounds: no body bigger than the largest route allows, and a
    read buffer just above it (Tornado's defaults are 100 MB each)."""
    return {"max_body_size": LARGEST_BODY, "max_buffer_size": LARGEST_BODY + 64 * 1024}
