"""Bokeh session security for the Panel pages, and who is behind a console page.

Bokeh writes a session token into every page it serves, readable by the page's JavaScript;
by default that token carries the request's cookies and headers, so an HttpOnly session
cookie would be one ``atob`` away from any script in the page. Here:

* Bokeh's token leaves out the Cookie and Authorization headers and our cookies
  (``bokeh_security``), and Bokeh session ids are signed with a key derived from the
  server's session key, so a made-up session id is refused.
* The console learns its session another way: when Bokeh asks the application to process
  the page request (``ParkCookie``), the session cookie is parked in ``PageRefs`` under a
  random one-time reference; only that reference enters the token, and the page function
  redeems it (once) on the server. A kiosk page finds its device cookie the same way.
* The page's own scripts (wall previews, the video roster) get a short-lived view-only
  token (``Sessions.scoped_token``), never the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from typing import Any

from bokeh.application.handlers.handler import Handler
from bokeh.document import Document
from tornado.httputil import HTTPServerRequest

from command_center.server.device_cookie import DEVICE_COOKIE
from command_center.server.http_base import SESSION_COOKIE
from command_center.server.keys import Keys

# Cookies of ours that must never reach a page's JavaScript through Bokeh's token.
PRIVATE_COOKIES = [SESSION_COOKIE, DEVICE_COOKIE]
PRIVATE_HEADERS = ["Cookie", "Authorization"]
REF_FIELD = "cc_page_ref"
REF_TTL_S = 60.0
MAX_REFS = 10_000


def bokeh_secret(keys: Keys) -> bytes:
    """The Bokeh session-signing key, derived so it never equals the session key itself."""
    return hmac.digest(keys.session, b"bokeh-session-ids", hashlib.sha256)


def bokeh_security(keys: Keys) -> dict[str, Any]:
    """Keyword arguments for ``pn.serve``: signed session ids, no secrets in the token."""
    return {
        "sign_sessions": True,
        "secret_key": bokeh_secret(keys),
        "generate_session_ids": True,
        "exclude_cookies": list(PRIVATE_COOKIES),
        "exclude_headers": list(PRIVATE_HEADERS),
    }


class PageRefs:
    """Session cookies parked for the page function, each under a one-time reference.

    One per server; entries a page never redeemed (an autoload, a closed tab) expire after
    ``REF_TTL_S`` and there are never more than ``MAX_REFS``.
    """

    def __init__(self) -> None:
        self._refs: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def park(self, token: str) -> str:
        now = time.monotonic()
        while self._refs and (
            len(self._refs) >= MAX_REFS or next(iter(self._refs.values()))[1] < now
        ):
            self._refs.popitem(last=False)
        ref = secrets.token_urlsafe(18)
        self._refs[ref] = (token, now + REF_TTL_S)
        return ref

    def redeem(self, ref: str) -> str | None:
        held = self._refs.pop(ref, None)
        if held is None or held[1] < time.monotonic():
            return None
        return held[0]


class ParkCookie(Handler):
    """Added to a page's Bokeh application: parks the page request's ``cookie`` in ``refs``
    and puts only the reference into the session token (the console's session, a kiosk's
    device cookie)."""

    def __init__(self, refs: PageRefs, cookie: str) -> None:
        super().__init__()
        self._refs = refs
        self._cookie = cookie

    def modify_document(self, doc: Document) -> None:
        return None  # the page function builds the document

    def process_request(self, request: HTTPServerRequest) -> dict[str, Any]:
        morsel = request.cookies.get(self._cookie)
        if morsel is None or not morsel.value:
            return {}
        return {REF_FIELD: self._refs.park(morsel.value)}


def parked_cookie(refs: PageRefs, payload: dict[str, Any]) -> str | None:
    """Redeem the reference a page's session token carries (once)."""
    ref = payload.get(REF_FIELD)
    return refs.redeem(ref) if isinstance(ref, str) else None
