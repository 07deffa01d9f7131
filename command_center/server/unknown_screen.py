"""``/wall/<unknown>``: a page that lists the wall's screens instead of Tornado's bare 404.

Someone typing a kiosk URL by hand (``r9c9`` for ``right-bottom``) learns which screens
exist. The links carry no token: a kiosk gets its URL from ``run_wall.py kiosk``, never
from this page. The status stays 404, so scripts and monitors still see the mistake.
"""

from __future__ import annotations

import html

from tornado.web import RequestHandler

from layouts.model import WallSpec

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Không có màn hình này · No such screen</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/console/login.css"></head>
<body><main class="login plain unknown-screen">
<h1>Không có màn hình “{screen}”<br><small>No screen “{screen}” on this wall</small></h1>
<p>{wall_vi} có các màn hình sau · {wall_en} has these screens:</p>
<ul class="screens">{items}</ul>
<p class="hint">Địa chỉ kèm mã thiết bị của từng màn hình: chạy “run_wall.py kiosk” trên
máy chủ · For each screen's URL with its device token, run “run_wall.py kiosk” on the
server.</p>
</main></body></html>"""


def screen_list(wall: WallSpec) -> str:
    """One link per screen, in reading order, with its place on the wall in words."""
    items = []
    for s in sorted(wall.screens, key=lambda s: (s.row, s.col)):
        place = f"hàng {s.row + 1}, cột {s.col + 1} · row {s.row + 1}, column {s.col + 1}"
        sid = html.escape(s.id)
        items.append(f"<li><a href='/wall/{sid}'>{sid}</a> <small>({place})</small></li>")
    return "".join(items)


class UnknownScreenHandler(RequestHandler):
    """Reached only for ids the wall lacks: each known screen's page is routed first."""

    def initialize(self, wall: WallSpec) -> None:
        self.wall = wall

    def get(self, screen: str) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(
            PAGE.format(
                screen=html.escape(screen),
                wall_vi=html.escape(self.wall.name_vi),
                wall_en=html.escape(self.wall.name_en),
                items=screen_list(self.wall),
            )
        )


def unknown_screen_route(wall: WallSpec) -> tuple[str, type[RequestHandler], dict[str, object]]:
    return (r"/wall/([^/]+)/?", UnknownScreenHandler, {"wall": wall})
