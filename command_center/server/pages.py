"""The Panel pages: one function per served page, so each screen has its own session."""

from __future__ import annotations

import time
from collections.abc import Callable

import panel as pn

from command_center.auth import Permission, authorize, read_session
from command_center.errors import AuthError
from command_center.server.console import Console
from command_center.server.http_base import SESSION_COOKIE
from command_center.server.hub import ScreenHub
from command_center.server.i18n import both
from command_center.server.keys import Keys
from command_center.server.screen_view import ScreenView
from command_center.store import Store

KIOSK_CSS = """
:host { display: block; width: 100vw; height: 100vh; margin: 0; background: #000; }
"""


def _query(name: str) -> str:
    values = pn.state.session_args.get(name) or [b""]
    raw = values[0]
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _title(text: str) -> None:
    if pn.state.curdoc is not None:
        pn.state.curdoc.title = text


def screen_page(screen_id: str) -> pn.viewable.Viewable:
    """``/wall/<screen-id>?token=…``: the kiosk page of one physical screen."""
    _title(f"Màn hình {screen_id} · Screen {screen_id}")
    return ScreenView(
        screen_id=screen_id,
        token=_query("token"),
        sizing_mode="stretch_both",
        margin=0,
        stylesheets=[KIOSK_CSS],
    )


def console_page(hub: ScreenHub, store: Store, keys: Keys, ttl_s: float) -> pn.viewable.Viewable:
    """``/console``: needs a signed-in user who may view the wall."""
    _title(both("title"))
    token = pn.state.cookies.get(SESSION_COOKIE, "")
    try:
        principal = authorize(read_session(keys.session, token, time.time()), Permission.VIEW_WALL)
    except AuthError as exc:
        return pn.pane.HTML(
            f"<p>{both('login_needed')}: {exc.message}. "
            "<a href='/login?next=/console'>Đăng nhập · Sign in</a></p>"
            "<script src='/assets/console/to-login.js'></script>"
        )
    return Console(hub, store, keys, principal, ttl_s).view()


def routes(
    hub: ScreenHub, store: Store, keys: Keys, ttl_s: float
) -> dict[str, Callable[[], pn.viewable.Viewable]]:
    # Panel serves plain functions (a functools.partial would be shown as its repr).
    def screen(screen_id: str) -> Callable[[], pn.viewable.Viewable]:
        def page() -> pn.viewable.Viewable:
            return screen_page(screen_id)

        return page

    def console() -> pn.viewable.Viewable:
        return console_page(hub, store, keys, ttl_s)

    pages = {f"wall/{s.id}": screen(s.id) for s in hub.wall.screens}
    pages["console"] = console
    return pages
