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

import html
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from bokeh.server.auth_provider import AuthProvider, User
from tornado.web import RequestHandler

from command_center.auth import check_device_token
from command_center.server.keys import Keys
from video.tokens import check_point_token

DEVICE_COOKIE = "cc_device"
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


def check_screen(keys: Keys, screen: str, token: str) -> bool:
    """Is ``token`` the kiosk credential of ``screen``? (The one place the wall asks.)"""
    return check_device_token(keys.device, "screen", screen, token)


def check_point(keys: Keys, point: str, token: str) -> bool:
    """Is ``token`` the credential of bridge point ``point``?"""
    return check_point_token(keys.device, point, token)


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
            if check_screen(self._keys, screen, token):
                grant(handler, token)
            else:
                refuse(handler, ("màn hình", "screen"), screen)
        return User("page")
