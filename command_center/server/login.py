"""``/login`` and ``/logout`` for duty staff: a plain form that sets the session cookie.

The cookie is HttpOnly and SameSite=Strict, so another site cannot ride on it. Failed
sign-ins back off (``login_limit``): the page answers 429 with how long to wait.
"""

from __future__ import annotations

import html
import math

from tornado.web import RequestHandler

from command_center.audit import audit
from command_center.auth import authenticate_user
from command_center.errors import AuthError
from command_center.server.http_base import SESSION_COOKIE
from command_center.server.keys import Keys
from command_center.server.login_limit import LoginLimiter, wait_text
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
    """Only same-site paths: never redirect a login to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/console"


class LoginHandler(RequestHandler):
    def initialize(
        self,
        store: Store,
        keys: Keys,
        session_ttl_s: float,
        login_limiter: LoginLimiter,
        sessions: Sessions,
    ) -> None:
        self.store = store
        self.keys = keys
        self.session_ttl_s = session_ttl_s
        self.login_limiter = login_limiter
        self.sessions = sessions

    def _page(self, next_url: str, error: str = "") -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(PAGE.format(next=html.escape(next_url), error=html.escape(error)))

    def get(self) -> None:
        self._page(safe_next(self.get_query_argument("next", None)))

    async def post(self) -> None:
        next_url = safe_next(self.get_body_argument("next", None))
        username = self.get_body_argument("username", "")
        address = self.request.remote_ip
        wait = await self.login_limiter.retry_after(username, address)
        if wait > 0:
            # Refused before the password is checked: the answer says nothing about it.
            vi, en = wait_text(wait)
            self.set_status(429)
            self.set_header("Retry-After", str(math.ceil(wait)))
            self._page(
                next_url,
                f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {vi}. · "
                f"Too many failed sign-ins. Please try again in {en}.",
            )
            return
        try:
            principal = await authenticate_user(
                self.store, username, self.get_body_argument("password", "")
            )
        except AuthError as exc:
            await self.login_limiter.failed(username, address)
            await audit(
                self.store,
                username,
                "sign_in_refused",
                "console",
                {"address": address, "reason": exc.message},
            )
            self.set_status(401)
            self._page(next_url, "Sai tên đăng nhập hoặc mật khẩu · Wrong username or password")
            return
        await self.login_limiter.succeeded(username, address)
        token = await self.sessions.issue(principal, address)
        await audit(self.store, principal, "sign_in", "console", {"address": address})
        self.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            expires_days=self.session_ttl_s / 86400,
            path="/",
        )
        self.redirect(next_url)


class LogoutHandler(RequestHandler):
    """Ends the server-side session (a copied cookie stops working too), then the cookie."""

    def initialize(self, store: Store, sessions: Sessions) -> None:
        self.store = store
        self.sessions = sessions

    async def get(self) -> None:
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
        self.clear_cookie(SESSION_COOKIE, path="/")
        self.redirect("/login")

    post = get
