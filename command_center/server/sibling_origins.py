"""The other wall servers of one wall (``--server``), as the browser origins their pages
have: a kiosk page loaded from one server keeps its origin when its screen link fails over
to another, so that other server must take the page's WebSocket and a few reads from it.

Only what a moved page needs crosses origins: ``/ws/screen`` (authenticated by the
screen's pass in ``hello``, not by a cookie), the screen's pass renewal (its HttpOnly
cookie goes along on the same host, as cookies ignore the port) and the static assets.
Nothing that changes state is opened to other origins.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from tornado.web import RequestHandler

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``http://Host:8001/`` → ``http://host:8001`` (``https://h:443`` → ``https://h``):
    how a browser's ``Origin`` header names that server's pages."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port is None or port == DEFAULT_PORTS.get(parts.scheme):
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def sibling_origins(servers: Iterable[str]) -> frozenset[str]:
    return frozenset(origin_of(url) for url in servers)


def allow_sibling(handler: RequestHandler, siblings: frozenset[str]) -> None:
    """A CORS answer for a page of another server of this wall (with its cookie), else none."""
    origin = handler.request.headers.get("Origin")
    handler.add_header("Vary", "Origin")
    if origin and origin.lower() in siblings:
        handler.set_header("Access-Control-Allow-Origin", origin)
        handler.set_header("Access-Control-Allow-Credentials", "true")
