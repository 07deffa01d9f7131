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

from command_center.errors import RequestError

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
# Methods whose body is read; the others may carry one too, and are limited all the same.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodyTooLarge(RequestError):
    status = 413
    code = "body_too_large"


@stream_request_body
class LimitedBody(RequestHandler):
    """Base of the handlers that read a body: set ``body_limit`` and call ``limit_body()``
    in ``prepare``; the body is then ``self.body``. Streaming is what lets ``prepare`` run
    before the body arrives; subclasses inherit it."""

    body_limit = MAX_JSON_BODY
    _received: bytearray | None = None

    def limit_body(self) -> None:
        """Refuse a declared length over the limit now, before the body is read."""
        self._received = bytearray()
        declared = self.request.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.body_limit:
            # Tornado must not refuse the length on its own (a bare 400 after this answer):
            # it reads nothing more into the handler and closes once the 413 is flushed.
            self._max_body_size(int(declared))
            self.refuse_body(f"a declared body of {int(declared)} bytes")
            return
        if declared:
            self._max_body_size(self.body_limit)

    def _max_body_size(self, size: int) -> None:
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):  # HTTP/1.1, as Tornado serves
            connection.set_max_body_size(size)

    def data_received(self, chunk: bytes) -> None:
        if self._finished or self._received is None:
            return  # already answered: Tornado is discarding the rest
        if len(self._received) + len(chunk) > self.body_limit:
            self._received = None
            self.refuse_body("a chunked body")
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

    def refuse_body(self, what: str) -> None:
        """413 in the error envelope, whatever the route's usual answer type."""
        exc = BodyTooLarge(
            f"Dữ liệu gửi lên quá lớn · body too large: {what} is over the limit of "
            f"{self.body_limit} bytes for {self.request.method} {self.request.path}",
            [{"limit": self.body_limit, "route": self.request.path}],
        )
        self.clear()
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Connection", "close")
        self.finish(json.dumps(exc.envelope(), ensure_ascii=False))


def server_limits() -> dict[str, Any]:
    """The HTTP server's own bounds: no body bigger than the largest route allows, and a
    read buffer just above it (Tornado's defaults are 100 MB each)."""
    return {"max_body_size": LARGEST_BODY, "max_buffer_size": LARGEST_BODY + 64 * 1024}
