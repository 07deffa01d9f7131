"""``/replay?at=<ISO 8601>[&screen=<id>]``: the wall as it was at an instant.

A plain Tornado page (viewer and up; an anonymous visitor is sent to sign in and back). The
page hands the browser to ``assets/replay/replay.js``, which mounts every screen (or one)
with the kiosks' own renderer (``assets/wall/screen.js`` in replay mode) and feeds it what
the history API kept (``/api/v1/history``, ``/history/events``, ``/history/marks``). The
page is unmistakably a replay: a magenta frame and a fixed **PHÁT LẠI · REPLAY** badge
with the replayed time. Who may see recordings (admin, duty officer) gets the recordings
panel beside the wall.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any
from urllib.parse import quote

from tornado.web import RequestHandler

from command_center.auth import Permission, Principal, Role, authorize
from command_center.errors import AuthError, RequestError
from command_center.server.http_base import SESSION_COOKIE
from command_center.server.hub import ScreenHub as Hub
from command_center.server.security_headers import STRICT_CSP
from command_center.sessions import Sessions
from feeds.periods import TIME_ZONE

# The strict policy, relaxed only as the kiosks' renderer needs: tiles style themselves with
# inline <style> (indicator styles, Bokeh's shadow DOM), BokehJS (trend tiles) compiles with
# `new Function`. Scripts still come from this origin only, and nothing inline runs.
REPLAY_CSP = STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)

# Who sees the recordings panel (the recordings API answers 403 to anyone else).
RECORDING_ROLES = frozenset({Role.ADMIN, Role.DUTY_OFFICER})

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Phát lại tường màn hình · Wall replay</title>
<link rel="stylesheet" href="/assets/replay/replay.css"></head>
<body class="{body_class}">
<div class="replay-badge" role="status" aria-live="polite">
<b>PHÁT LẠI · REPLAY</b> <time class="replay-time">{time}</time></div>
<main class="replay-main">
<div class="replay-wall" aria-label="Tường màn hình lúc đó · The wall at that moment"></div>
<aside class="replay-recordings" hidden aria-label="Bản ghi cuộc gọi · Call recordings"></aside>
</main>
<nav class="replay-timeline" aria-label="Dòng thời gian · Timeline"></nav>
<script type="application/json" id="replay-config">{config}</script>
<script src="/static/js/bokeh.min.js"></script>
<script type="module" src="/assets/replay/replay.js"></script>
</body></html>"""


def parse_instant(text: str | None, name: str = "at") -> float | None:
    """An ISO 8601 instant (any offset, or Z; none means Vietnam time) as epoch ms."""
    if text is None or text == "":
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise RequestError(f"'{name}' must be an ISO 8601 time (got '{text[:64]}')") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=TIME_ZONE)
    return when.timestamp() * 1000


def iso(ms: float) -> str:
    """Epoch ms as ISO 8601 in Vietnam time, to the second."""
    return dt.datetime.fromtimestamp(ms / 1000, TIME_ZONE).isoformat(timespec="seconds")


def shown_time(ms: float) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, TIME_ZONE).strftime("%d/%m/%Y %H:%M:%S")


def wall_config(hub: Hub) -> dict[str, Any]:
    """Every screen's welcome (resolution, place on the wall, legibility rule)."""
    screens = [hub.screen_info(s.id).model_dump() for s in hub.wall.screens]
    return {"wall_width": hub.wall.width, "wall_height": hub.wall.height, "screens": screens}


async def viewer(sessions: Sessions, token: str | None) -> Principal:
    if not token:
        raise AuthError("authentication required")
    return authorize(await sessions.check(token), Permission.VIEW_WALL)


class ReplayPageHandler(RequestHandler):
    def initialize(self, hub: Hub, sessions: Sessions) -> None:
        self.hub = hub
        self.sessions = sessions

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", REPLAY_CSP)
        self.set_header("Cache-Control", "no-store")

    async def get(self) -> None:
        try:
            principal = await viewer(self.sessions, self.get_cookie(SESSION_COOKIE))
        except AuthError as exc:
            if exc.status == 403:
                self.set_status(403)
                self.finish(
                    "<!doctype html><meta charset='utf-8'><p>Không được phép xem · "
                    f"Not allowed: {html.escape(exc.message)}</p>"
                )
                return
            self.redirect("/login?next=" + quote(self.request.uri or "/replay", safe=""))
            return
        screen = self.get_query_argument("screen", None)
        try:
            at = parse_instant(self.get_query_argument("at", None))
        except RequestError as exc:
            self.set_status(400)
            self.finish(f"<!doctype html><meta charset='utf-8'><p>{html.escape(exc.message)}</p>")
            return
        if screen is not None and screen not in {s.id for s in self.hub.wall.screens}:
            self.set_status(404)
            self.finish(
                "<!doctype html><meta charset='utf-8'><p>Không có màn hình này · "
                f"No such screen: {html.escape(screen)}</p>"
            )
            return
        config = {
            **wall_config(self.hub),
            "at": at,
            "screen": screen,
            "recordings": principal.role in RECORDING_ROLES,
            "user": principal.name,
            "picture": self.get_query_argument("picture", "") == "1",
        }
        payload = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        body_class = "replay replay-picture" if config["picture"] else "replay"
        self.finish(
            PAGE.format(time=shown_time(at) if at else "—", config=payload, body_class=body_class)
        )
