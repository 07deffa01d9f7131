"""The Panel pages: one function per served page, so each screen has its own session."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import panel as pn
from bokeh.server.contexts import BokehSessionContext
from panel.io.application import build_applications

from command_center.auth import Permission, authorize
from command_center.errors import AuthError, SpecError
from command_center.server.composition import build_registry
from command_center.server.console import Console, ConsoleDeps
from command_center.server.console_names import Names, build_names
from command_center.server.console_watch import ServerWatch
from command_center.server.device_cookie import (
    DEVICE_COOKIE,
    PASS_TTL_S,
    check_screen,
    device_pass,
)
from command_center.server.http_base import SESSION_COOKIE
from command_center.server.i18n import both
from command_center.server.keys import Keys
from command_center.server.page_auth import PageRefs, ParkCookie, parked_cookie
from command_center.server.screen_view import ScreenView
from feeds.loader import load_feeds

KIOSK_CSS = """
:host { display: block; width: 100vw; height: 100vh; margin: 0; background: #000; }
"""


def screen_title(screen_id: str) -> str:
    return f"Màn hình {screen_id} · Screen {screen_id}"


def console_names(deps: ConsoleDeps) -> Names:
    """Every name the console shows, built once per server: presets, tiles (with the
    catalogue's indicator names), bridge points, provinces, the wall's zones."""
    try:
        catalogue = load_feeds().catalogue
    except SpecError:
        catalogue = None  # the server refuses to start on this anyway; names fall back
    points = (
        [(p.id, p.name_vi, p.name_en) for p in deps.room.registry] if deps.room is not None else []
    )
    return build_names(deps.hub.presets, build_registry(), catalogue, points, deps.hub.wall.zones)


def _title(text: str) -> None:
    if pn.state.curdoc is not None:
        pn.state.curdoc.title = text


def _payload() -> dict[str, Any]:
    context = pn.state.curdoc.session_context if pn.state.curdoc else None
    return context.token_payload if isinstance(context, BokehSessionContext) else {}


def screen_page(
    screen_id: str, keys: Keys, refs: PageRefs, servers: tuple[str, ...] = ()
) -> pn.viewable.Viewable:
    """``/wall/<screen-id>``: the kiosk page of one physical screen. Its token came once as
    ``?token=`` and lives in the page's cookie since (``device_cookie``); the page's scripts
    get a short-lived pass (none without a right cookie: the screen's link then says why).
    ``servers``: every wall server (``--server``), for the link to fail over through."""
    _title(screen_title(screen_id))
    token = parked_cookie(refs, _payload()) or ""
    ok = bool(token) and check_screen(keys, screen_id, token)
    return ScreenView(
        screen_id=screen_id,
        token=device_pass(keys, "screen", screen_id, time.time()) if ok else "",
        credential_url=f"/wall/{screen_id}/credential",
        credential_ttl_s=PASS_TTL_S,
        servers=list(servers),
        sizing_mode="stretch_both",
        margin=0,
        stylesheets=[KIOSK_CSS],
    )


def console_page(
    deps: ConsoleDeps, refs: PageRefs, servers: tuple[str, ...] = ()
) -> pn.viewable.Viewable:
    """``/console``: needs a live session of a user who may view the wall.

    The session cookie is not in Bokeh's token (``page_auth``): the page request parked it
    under a one-time reference, redeemed here, on the server. The session check reads the
    store, which a page function cannot wait for: the page starts empty and is filled once
    the browser has connected (``onload``). With several servers (``servers``) a watchdog
    opens the console on the next live one when this one is lost."""
    _title(both("title"))
    token = parked_cookie(refs, _payload()) or ""
    page = pn.Column(sizing_mode="stretch_width")

    async def fill() -> None:
        try:
            principal = authorize(await deps.sessions.check(token), Permission.VIEW_WALL)
        except AuthError as exc:
            page[:] = [
                pn.pane.HTML(
                    f"<p>{both('login_needed')}: {exc.message}. "
                    "<a href='/login?next=/console'>Đăng nhập · Sign in</a></p>"
                    "<script src='/assets/console/to-login.js'></script>"
                )
            ]
            return
        page[:] = [Console(deps, principal, token).view()]

    pn.state.onload(fill)
    if len(servers) < 2:
        return page
    return pn.Column(ServerWatch(servers=list(servers)), page, sizing_mode="stretch_width")


def routes(deps: ConsoleDeps, refs: PageRefs, servers: tuple[str, ...] = ()) -> dict[str, Any]:
    """The Panel pages; the console's application also parks its request's session.
    ``servers``: every wall server's URL, for the pages to fail over through."""

    # Panel serves plain functions (a functools.partial would be shown as its repr).
    def screen(screen_id: str) -> Callable[[], pn.viewable.Viewable]:
        def page() -> pn.viewable.Viewable:
            return screen_page(screen_id, deps.keys, refs, servers)

        return page

    def console() -> pn.viewable.Viewable:
        return console_page(deps, refs, servers)

    deps = dataclasses.replace(deps, names=console_names(deps))
    pages = {f"wall/{s.id}": screen(s.id) for s in deps.hub.wall.screens}
    # Panel would title every page "Panel Application" (over the document's own title).
    titles = {f"wall/{s.id}": screen_title(s.id) for s in deps.hub.wall.screens}
    apps = build_applications(
        {**pages, "console": console}, title={**titles, "console": both("title")}
    )
    for slug, app in apps.items():
        app.add(ParkCookie(refs, SESSION_COOKIE if slug == "/console" else DEVICE_COOKIE))
    return {slug.lstrip("/"): app for slug, app in apps.items()}
