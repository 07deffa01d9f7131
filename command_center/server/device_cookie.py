"""Kiosk and bridge tokens leave the URL: ``?token=`` is exchanged once for a cookie.

    GET /wall/<id>?token=T     right token: Set-Cookie cc_device=T (HttpOnly, SameSite=Strict,
    GET /bridge/<id>?token=T   Path=/wall/<id> or /bridge/<id>, Secure over https), then 303 to
                               the same page without the token; wrong token: a bilingual 401
    GET /wall/<id>             the page reads its credential from that cookie, for as long as
                               the kiosk keeps reloading (the cookie lasts ``COOKIE_DAYS``)

The URL with the token is then only in the kiosk's command line or the printed list, never
in the address bar, the history, a Referer or a later access log line. The wall pages are
Panel pages, so the exchange runs in Bokeh's authentication hook (``DeviceCookieAuth``),
before Bokeh renders anything; the bridge page is plain Tornado and calls
``grant`` itself. Which token is right is asked of one function per kind (``check_screen``,
``check_point``), so another credential scheme can replace them in one place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import time
from collections.abc import Awaitable, Callable, Container
from typing import Any
from urllib.parse import urlencode

from bokeh.server.auth_provider import AuthProvider, User
from tornado.web import RequestHandler

from command_center.credentials import DeviceKind
from command_center.errors import error_envelope
from command_center.server.keys import Keys
from command_center.server.sibling_origins import allow_sibling

DEVICE_COOKIE = "cc_device"
PASS_PREFIX = "pass."
PASS_TTL_S = 600.0
COOKIE_DAYS = 400  # browsers cap a cookie's life at about 400 days
WALL_PAGE = re.compile(r"^/wall/([A-Za-z0-9_-]{1,64})$")

REFUSED = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Mã truy cập không đúng · Wrong token</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; margin: 2em;">
<h1>Mã truy cập không đúng<br><small>Wrong access token</small></h1>
<p role="alert">Mã truy cập trong địa chỉ không đúng với {what_vi} '{ident}'. Hãy dùng địa chỉ
mới do quản trị viên cấp. · The token in the address is not the one of {what_en}
'{ident}'. Use the address your administrator printed.</p>
</body></html>"""


def check_screen(keys: Keys, screen: str, token: str, address: str | None = None) -> bool:
    """Is ``token`` the kiosk credential of ``screen``, or a live pass of it? (The one place
    the wall asks.)"""
    if token.startswith(PASS_PREFIX):
        return check_pass(keys, "screen", screen, token)
    return keys.devices.check_now(DeviceKind.SCREEN, screen, token, address)


def check_point(keys: Keys, point: str, token: str, address: str | None = None) -> bool:
    """Is ``token`` the credential of bridge point ``point``, or a live pass of it?"""
    if token.startswith(PASS_PREFIX):
        return check_pass(keys, "point", point, token)
    return keys.devices.check_now(DeviceKind.BRIDGE, point, token, address)


# --- passes: what a page's scripts hold instead of the device's token -------------------
#
# A pass is good for PASS_TTL_S; the page fetches a new one from its own path (the cookie
# goes along: ``/bridge/<id>/credential``), so the long-lived token stays in the HttpOnly
# cookie and a script in the page can leak at most a pass that soon expires.


def device_pass(keys: Keys, kind: str, ident: str, now: float) -> str:
    """``pass.<expiry>.<mac>``: fits wherever the device's token goes (no ':')."""
    exp = int(now + PASS_TTL_S)
    return f"{PASS_PREFIX}{exp}.{_pass_mac(keys, kind, ident, exp)}"


def check_pass(keys: Keys, kind: str, ident: str, token: str, now: float | None = None) -> bool:
    exp_text, dot, mac = token[len(PASS_PREFIX) :].partition(".")
    if not dot or not exp_text.isdigit():
        return False
    exp = int(exp_text)
    if not hmac.compare_digest(_pass_mac(keys, kind, ident, exp).encode(), mac.encode()):
        return False
    return (time.time() if now is None else now) < exp


def _pass_mac(keys: Keys, kind: str, ident: str, exp: int) -> str:
    # Its own key, derived from the session key: a pass and a session never sign each other.
    key = hmac.digest(keys.session, b"device-pass", hashlib.sha256)
    digest = hmac.digest(key, f"pass.{kind}:{ident}:{exp}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def clean_url(handler: RequestHandler) -> str:
    """The request's path and query without ``token``."""
    rest = [
        (name, value.decode("utf-8", "replace"))
        for name, values in handler.request.query_arguments.items()
        if name != "token"
        for value in values
    ]
    return handler.request.path + (f"?{urlencode(rest)}" if rest else "")


def grant(handler: RequestHandler, token: str) -> None:
    """Finish ``handler`` with the page's cookie and a 303 to the clean URL."""
    handler.set_header("Cache-Control", "no-store")
    handler.set_header("Referrer-Policy", "no-referrer")
    handler.set_cookie(
        DEVICE_COOKIE,
        token,
        path=handler.request.path,
        httponly=True,
        samesite="Strict",
        secure=handler.request.protocol == "https",
        expires_days=COOKIE_DAYS,
    )
    handler.redirect(clean_url(handler), status=303)


def refuse(handler: RequestHandler, what: tuple[str, str], ident: str) -> None:
    """Finish ``handler`` with the bilingual 401 page."""
    handler.set_status(401)
    handler.set_header("Cache-Control", "no-store")
    handler.set_header("Referrer-Policy", "no-referrer")
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.finish(REFUSED.format(what_vi=what[0], what_en=what[1], ident=html.escape(ident)))


def device_cookie(handler: RequestHandler) -> str | None:
    return handler.get_cookie(DEVICE_COOKIE) or None


class DeviceCookieAuth(AuthProvider):
    """Bokeh's authentication hook, used only to exchange a wall page's ``?token=``.

    Every request passes (people sign in through ``/login``, screens through their link's
    hello); a wall page request that carries ``token`` is answered here, before Bokeh."""

    def __init__(self, keys: Keys, screens: frozenset[str]) -> None:
        self._keys = keys
        self._screens = screens
        super().__init__()

    @property
    def get_user_async(self) -> Callable[[Any], Awaitable[User]]:
        return self._user

    @property
    def login_url(self) -> str:
        return "/login"

    async def _user(self, handler: Any) -> User:
        # Bokeh calls this with the request handler (its annotation says the request).
        assert isinstance(handler, RequestHandler)
        match = WALL_PAGE.match(handler.request.path)
        token = handler.get_query_argument("token", None)
        if match and token is not None and match.group(1) in self._screens:
            screen = match.group(1)
            if check_screen(self._keys, screen, token, handler.request.remote_ip):
                grant(handler, token)
            else:
                refuse(handler, ("màn hình", "screen"), screen)
        return User("page")


class PassHandler(RequestHandler):
    """``GET /wall/<id>/credential`` and ``/bridge/<id>/credential``: a fresh pass for the
    page's scripts, for the holder of the page's cookie (its path covers this one)."""

    def initialize(
        self, keys: Keys, kind: str, known: Container[str], siblings: frozenset[str]
    ) -> None:
        self.keys = keys
        self.kind = kind
        self.known = known
        self.siblings = siblings

    def get(self, ident: str) -> None:
        # A wall page of another server of this wall renews here after a failover.
        allow_sibling(self, self.siblings)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "application/json; charset=utf-8")
        token = device_cookie(self) or ""
        check = check_screen if self.kind == "screen" else check_point
        if ident not in self.known or not token or not check(self.keys, ident, token):
            self.set_status(401)
            message = f"no valid cookie of {self.kind} '{ident}': open its page again"
            self.finish(json.dumps(error_envelope("unauthenticated", message)))
            return
        credential = device_pass(self.keys, self.kind, ident, time.time())
        self.finish(json.dumps({"credential": credential, "expires_in_s": PASS_TTL_S}))


def pass_routes(
    keys: Keys,
    screens: Container[str],
    points: Container[str],
    siblings: frozenset[str] = frozenset(),
) -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
    return [
        (
            r"/wall/([^/]+)/credential",
            PassHandler,
            {"keys": keys, "kind": "screen", "known": screens, "siblings": siblings},
        ),
        (
            r"/bridge/([^/]+)/credential",
            PassHandler,
            {"keys": keys, "kind": "point", "known": points, "siblings": siblings},
        ),
    ]
