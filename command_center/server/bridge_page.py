"""``/bridge/<point-id>?token=…``: the page a bridge point opens to join the centre.

A plain Tornado page (it is mostly WebRTC, no Panel session needed): a ``?token=`` is
exchanged once for the page's cookie (``device_cookie``); the page checks the point and
that token, then hands the browser to ``assets/video/bridge.js``, which publishes the
camera and microphone over WHIP, watches what the points see over WHEP, and keeps both
alive. Without a token it asks for one; a wrong token is refused with a page that says so.
"""

from __future__ import annotations

import html
import json
import time
from typing import Any

from tornado.web import RequestHandler

from command_center.server.device_cookie import (
    PASS_TTL_S,
    check_point,
    device_cookie,
    device_pass,
    grant,
)
from command_center.server.keys import Keys
from command_center.server.security_headers import STRICT_CSP
from command_center.server.sibling_origins import sibling_origins
from video.ice import IceServer
from video.registry import BridgePointRegistry

HEAD = """<!doctype html>
<html lang="{html_lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/assets/video/bridge.css"></head>"""

FORM = (
    HEAD
    + """
<body class="bridge-gate"><main>
<h1>Điểm cầu truyền hình trực tuyến<br><small>Video bridge point</small></h1>
<p class="point">{name_vi}<br><small>{name_en}</small></p>
<form method="get" action="/bridge/{point}">
<label>Mã truy cập của điểm cầu <small>The point's access token</small>
<input name="token" type="password" autocomplete="off" required autofocus></label>
<p class="error" role="alert">{error}</p>
<button type="submit">Vào phiên · Join</button>
</form></main></body></html>"""
)

UNKNOWN = (
    HEAD
    + """
<body class="bridge-gate"><main>
<h1>Không có điểm cầu này<br><small>No such bridge point</small></h1>
<p class="error" role="alert">Điểm cầu '{point}' không có trong danh sách của Trung tâm ·
Bridge point '{point}' is not registered with the centre.</p>
</main></body></html>"""
)

PAGE = (
    HEAD
    + """
<body class="bridge lang-{lang}">
<header>
  <div class="who"><b>{name_first}</b><span>{name_second}</span></div>
  <div class="rec" hidden role="status"><i class="rec-dot"></i><span class="rec-text">{rec}</span></div>
  <div class="link" data-state="starting" role="status" aria-live="polite">
    <span class="l-vi">Đang khởi động</span><span class="l-en">Starting</span>
  </div>
  <div class="quality" data-level="none" title="{quality_title}">
    <span class="q-bars"><i></i><i></i><i></i></span><span class="q-text">—</span>
  </div>
</header>
<main>
  <section class="room">
    <video class="room-video" autoplay playsinline></video>
    <div class="room-label"><span class="rl-vi">Trung tâm điều hành</span><span class="rl-en">Operations centre</span></div>
    <div class="room-nosignal"><b class="t-vi">KHÔNG CÓ TÍN HIỆU</b><span>No signal</span></div>
    <button class="sound" hidden>{sound}</button>
    <div class="voices" hidden></div>
  </section>
  <aside class="self">
    <video class="self-video" autoplay playsinline muted></video>
    <div class="self-label">{self_label}</div>
  </aside>
</main>
<footer>
  <button class="mute" aria-pressed="false"><span class="m-vi">Tắt micrô</span><span class="m-en">Mute</span></button>
  <button class="leave">{leave}</button>
  <button class="rejoin" hidden>{rejoin}</button>
  <p class="notice" role="alert"></p>
</footer>
<script type="application/json" id="bridge-config">{config}</script>
<script type="module" src="/assets/video/bridge.js"></script>
</body></html>"""
)

# The page's fixed words, Vietnamese first (·) or, with ?lang=en, English alone.
WORDS = {
    "quality_title": ("Chất lượng đường truyền", "Link quality"),
    "sound": ("Bật âm thanh", "Turn sound on"),
    "self_label": ("Hình của bạn", "Your picture"),
    "leave": ("Rời phiên", "Leave"),
    "rejoin": ("Vào lại", "Rejoin"),
    # Shown while the centre records this point's call (video/recordings.py).
    "rec": ("ĐANG GHI", "REC"),
}


def words(lang: str) -> dict[str, str]:
    return {key: en if lang == "en" else f"{vi} · {en}" for key, (vi, en) in WORDS.items()}


class BridgePageHandler(RequestHandler):
    def initialize(
        self,
        points: BridgePointRegistry,
        keys: Keys,
        ice_servers: tuple[IceServer, ...] = (),
        servers: tuple[str, ...] = (),
    ) -> None:
        self.points = points
        self.keys = keys
        self.ice_servers = ice_servers
        self.servers = servers

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        # The token travels in the query: never leak it to another site.
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Permissions-Policy", "camera=(self), microphone=(self)")

    def _html(self, text: str, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(text)

    async def get(self, point_id: str) -> None:
        lang = "en" if self.get_query_argument("lang", "vi") == "en" else "vi"
        if point_id not in self.points:
            title = "Không có điểm cầu · No such bridge point"
            self._html(
                UNKNOWN.format(title=title, point=html.escape(point_id), html_lang="vi"), 404
            )
            return
        point = self.points.get(point_id)
        names = {"name_vi": html.escape(point.name_vi), "name_en": html.escape(point.name_en)}
        title = f"Điểm cầu {point.name_vi} · Bridge point"
        query_token = self.get_query_argument("token", None)
        if query_token and check_point(self.keys, point.id, query_token, self.request.remote_ip):
            # Exchanged once for this page's cookie; the clean URL is what stays on screen.
            grant(self, query_token)
            return
        token = query_token or device_cookie(self) or ""
        if not token:
            self._html(
                FORM.format(
                    title=html.escape(title), point=point.id, error="", html_lang="vi", **names
                )
            )
            return
        if not check_point(self.keys, point.id, token, self.request.remote_ip):
            error = (
                "Mã truy cập không đúng với điểm cầu này · Wrong access token for this bridge point"
            )
            self._html(
                FORM.format(
                    title=html.escape(title), point=point.id, error=error, html_lang="vi", **names
                ),
                401,
            )
            return
        # The page's scripts get a pass that soon expires, and where to fetch the next one;
        # the point's own token stays in the HttpOnly cookie.
        config: dict[str, Any] = {
            "point": point.id,
            "name_vi": point.name_vi,
            "name_en": point.name_en,
            "credential": device_pass(self.keys, "point", point.id, time.time()),
            "credential_url": f"/bridge/{point.id}/credential",
            "credential_ttl_s": PASS_TTL_S,
            "lang": lang,
            # The same STUN/TURN servers the relay uses (--ice-server); none by default, so a
            # point on a closed network never waits on a public server it cannot reach.
            "ice_servers": [server.for_browser() for server in self.ice_servers],
            # Every wall server in failover order: when this one is lost, the page publishes
            # again to the next that answers (bridge.js).
            "servers": list(self.servers),
        }
        # The page may publish to the other wall servers when this one is lost.
        own = f"{self.request.protocol}://{self.request.host}"
        self.set_header("Content-Security-Policy", bridge_csp(self.servers, own))
        # "</" cannot end the script element early inside JSON written this way.
        payload = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
        if lang == "en":
            title = f"Bridge point {point.name_en}"
            first, second = names["name_en"], names["name_vi"]
        else:
            first, second = names["name_vi"], names["name_en"]
        self._html(
            PAGE.format(
                title=html.escape(title),
                config=payload,
                lang=lang,
                html_lang=lang,
                name_first=first,
                name_second=second,
                **words(lang),
            )
        )


def bridge_csp(servers: tuple[str, ...], own: str) -> str:
    """The strict policy, its ``connect-src`` widened to every other listed wall server
    (HTTP for WHIP/WHEP and /health, WebSocket for the control channel) and no other."""
    others = sorted(
        f"{scheme}{origin.split('://', 1)[1]}"
        for origin in sibling_origins(servers) - {own}
        for scheme in (
            ("https://", "wss://") if origin.startswith("https:") else ("http://", "ws://")
        )
    )
    if not others:
        return STRICT_CSP
    return STRICT_CSP.replace("connect-src 'self'", " ".join(["connect-src 'self'", *others]), 1)


def bridge_page_routes(
    points: BridgePointRegistry,
    keys: Keys,
    ice_servers: tuple[IceServer, ...] = (),
    servers: tuple[str, ...] = (),
) -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
    args = {"points": points, "keys": keys, "ice_servers": ice_servers, "servers": servers}
    return [(r"/bridge/([^/]+)", BridgePageHandler, args)]
