"""``/login`` and ``/logout`` for duty staff: a plain form that sets the session cookie.

The cookie is HttpOnly and SameSite=Strict (and Secure when the public URL is https), so
another site cannot ride on it. Failed sign-ins back off (``login_limit``): the page answers
429 with how long to wait.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from command_center.audit import audit
from command_center.errors import AuthError
from command_center.server.body_limit import MAX_SIGN_IN_BODY, LimitedBody
from command_center.server.http_base import PUBLIC_ORIGINS_SETTING, SESSION_COOKIE
from command_center.server.keys import Keys
from command_center.server.login_limit import wait_text
from command_center.server.same_origin import refuse_cross_site_page
from command_center.server.sign_in import SignInGate, TooManyAttempts
from command_center.server.verify_pool import VerifyBusy
from command_center.sessions import Sessions
from command_center.store import Store

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Đăng nhập · Sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/console/login.css"></head>
<body><main class="login">
<h1>Trung tâm Thông tin, chỉ đạo, điều hành<br><small>Information, Direction and Operations Centre</small></h1>
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>Tên đăng nhập <small>Username</small><input name="username" autocomplete="username" required autofocus></label>
<label>Mật khẩu <small>Password</small><input name="password" type="password" autocomplete="current-password" required></label>
<p class="error" role="alert">{error}</p>
<button type="submit">Đăng nhập · Sign in</button>
</form></main></body></html>"""


def safe_next(target: str | None) -> str:
    """Only a path of this site: never redirect a sign-in to another host.

    Browsers read ``/\\evil.com`` as ``//evil.com`` and drop tabs and newlines inside
    URLs, so anything with a backslash, a control character, a scheme, a host or a
    leading ``//`` falls back to the console."""
    fallback = "/console"
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


class LoginHandler(LimitedBody):
    body_limit = MAX_SIGN_IN_BODY  # a username and a password

    def initialize(
        self,
        store: Store,
        keys: Keys,
        session_ttl_s: float,
        sign_in_gate: SignInGate,
        sessions: Sessions,
        secure_cookie: bool = False,
    ) -> None:
        self.store = store
        self.keys = keys
        self.session_ttl_s = session_ttl_s
        self.gate = sign_in_gate
        self.sessions = sessions
        self.secure_cookie = secure_cookie

    def prepare(self) -> None:
        # A sign-in form posted from another site by a signed-in browser: refused like
        # any cross-site state change.
        self.limit_body()  # first: a length over the limit is answered before all else
        if not self._finished and self._refusal is None:
            refuse_cross_site_page(
                self, SESSION_COOKIE, self.settings.get(PUBLIC_ORIGINS_SETTING, ())
            )

    def _page(self, next_url: str, error: str = "") -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(PAGE.format(next=html.escape(next_url), error=html.escape(error)))

    def get(self) -> None:
        self._page(safe_next(self.get_query_argument("next", None)))

    async def post(self) -> None:
        self.parse_form()
        next_url = safe_next(self.get_body_argument("next", None))
        username = self.get_body_argument("username", "")
        address = self.request.remote_ip
        try:
            principal = await self.gate.sign_in(
                self.store,
                username,
                self.get_body_argument("password", ""),
                address,
            )
        except TooManyAttempts as exc:
            # Refused before the password is checked: the answer says nothing about it.
            vi, en = wait_text(exc.wait_s)
            self.set_status(429)
            self.set_header("Retry-After", str(exc.retry_after_s))
            self._page(
                next_url,
                f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {vi}. · "
                f"Too many failed sign-ins. Please try again in {en}.",
            )
            return
        except VerifyBusy as exc:
            self.set_status(503)
            self.set_header("Retry-After", str(exc.retry_after_s))
            self._page(next_url, exc.message)
            return
        except AuthError as exc:
            detail = {"address": address, "reason": exc.message}
            await audit(self.store, username, "sign_in_refused", "console", detail)
            self.set_status(401)
            self._page(next_url, "Sai tên đăng nhập hoặc mật khẩu · Wrong username or password")
            return
        token = await self.sessions.issue(principal, address)
        await audit(self.store, principal, "sign_in", "console", {"address": address})
        self.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookie,
            expires_days=self.session_ttl_s / 86400,
            path="/",
        )
        self.redirect(next_url)


class LogoutHandler(LimitedBody):
    """Sign-out by POST only (a link or an image on another page must not sign anyone
    out), and from this site's own pages. Ends the server-side session (a copied cookie
    stops working too), then the cookie."""

    def initialize(self, store: Store, sessions: Sessions, secure_cookie: bool = False) -> None:
        self.store = store
        self.sessions = sessions
        self.secure_cookie = secure_cookie

    body_limit = MAX_SIGN_IN_BODY  # sign-out reads no body at all

    def prepare(self) -> None:
        self.limit_body()  # first: a length over the limit is answered before all else
        if not self._finished and self._refusal is None:
            refuse_cross_site_page(
                self, SESSION_COOKIE, self.settings.get(PUBLIC_ORIGINS_SETTING, ())
            )

    async def post(self) -> None:
        token = self.get_cookie(SESSION_COOKIE)
        if token:
            try:
                principal = await self.sessions.check(token)
            except AuthError:
                principal = None  # already ended: nothing to audit
            await self.sessions.end(token)
            if principal is not None:
                detail = {"address": self.request.remote_ip}
                await audit(self.store, principal, "sign_out", "console", detail)
        self.clear_cookie(SESSION_COOKIE, path="/", secure=self.secure_cookie, samesite="Strict")
        self.redirect("/login")
