"""Browser hardening headers on every response the server sends.

One Tornado output transform (``security_headers_transform``) sets them, so Bokeh's and
Panel's own handlers (the console, the kiosk pages, ``/static``) get them as surely as our
routes do:

* ``Content-Security-Policy``: strict on plain pages (``/login``, ``/bridge/…``, assets,
  the JSON API): scripts and styles only from this origin, no inline script, nothing framed;
  on Panel pages as strict as Panel allows (``PANEL_CSP``; their own inline scripts carry
  a per-response nonce);
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (kiosk and bridge
  URLs carry tokens), ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``;
* ``Strict-Transport-Security`` when the public URL is https (a browser that reached the
  wall over TLS never falls back to clear text).

A handler that set its own ``Content-Security-Policy`` keeps it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from tornado.httputil import HTTPHeaders, HTTPServerRequest
from tornado.web import OutputTransform

STRICT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob: mediastream:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Panel/Bokeh pages (the console, the kiosk pages) cannot run under the strict policy:
# the page Bokeh renders starts the document with inline <script>s (each is given this
# response's nonce, so an injected one still cannot run; 'unsafe-inline' is only the
# fallback for a page not sent in one piece, and browsers ignore it next to a nonce);
# BokehJS and Panel's components compile templates and callbacks with `new Function`
# ('unsafe-eval'); Panel's ESM components load their modules through es-module-shims,
# which fetches them and runs them as blob: URLs (blob: as a script and connect source);
# and Bokeh styles its shadow DOM with inline <style> elements and style attributes
# ('unsafe-inline' styles). Those are relaxed there, and only there; everything else (no
# other origin for scripts, styles, fonts, connections, no plugins, no <base>, no
# framing, forms only to this origin) stays as strict as on the plain pages.
PANEL_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' blob:",
        "media-src 'self' blob: mediastream:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HSTS = "max-age=31536000"

# The <script> tags of a page Bokeh rendered get this request's nonce (see
# ``SecurityHeaders``); a script that arrives later without it (an injected one) is refused.
_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)


def panel_csp(nonce: str | None) -> str:
    """``PANEL_CSP``, with the page's own inline scripts allowed by ``nonce`` instead of
    'unsafe-inline' (which browsers ignore once a nonce is given)."""
    if nonce is None:
        return PANEL_CSP
    return PANEL_CSP.replace("'unsafe-inline' 'unsafe-eval'", f"'nonce-{nonce}' 'unsafe-eval'", 1)


def with_siblings(csp: str, siblings: frozenset[str]) -> str:
    """A Panel page's policy that also lets it reach the other servers of this wall
    (``--server``): a kiosk page's screen link and late stylesheets after a failover, the
    console's probe of their ``/health``. Nothing else is opened to them."""
    if not siblings:
        return csp
    http = sorted(siblings)
    ws = [o.replace("http", "ws", 1) for o in http]
    csp = csp.replace(
        "connect-src 'self' blob:", " ".join(["connect-src 'self' blob:", *http, *ws])
    )
    return csp.replace("style-src 'self'", " ".join(["style-src 'self'", *http]), 1)


@dataclass(frozen=True)
class HeaderPolicy:
    """``panel_page(path)`` says which paths are Panel pages; ``https`` turns HSTS on;
    ``siblings``: the origins of the other servers of this wall."""

    panel_page: Callable[[str], bool]
    https: bool = False
    siblings: frozenset[str] = frozenset()

    def headers(self, path: str, nonce: str | None = None) -> dict[str, str]:
        panel = self.panel_page(path)
        out = {
            "Content-Security-Policy": with_siblings(panel_csp(nonce), self.siblings)
            if panel
            else STRICT_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
        }
        if self.https:
            out["Strict-Transport-Security"] = HSTS
        return out


def security_headers_transform(policy: HeaderPolicy) -> type[OutputTransform]:
    """A Tornado transform class applying ``policy`` to every response."""

    class SecurityHeaders(OutputTransform):
        def __init__(self, request: HTTPServerRequest) -> None:
            super().__init__(request)
            self._path = request.path

        def transform_first_chunk(
            self, status_code: int, headers: HTTPHeaders, chunk: bytes, finishing: bool
        ) -> tuple[int, HTTPHeaders, bytes]:
            nonce = None
            html = headers.get("Content-Type", "").startswith("text/html")
            # A whole Panel page in one piece: its scripts get a nonce. (Streamed or
            # already-encoded bodies keep the 'unsafe-inline' policy.)
            whole = finishing and "Content-Encoding" not in headers
            if policy.panel_page(self._path) and html and whole:
                nonce = secrets.token_urlsafe(18)
                chunk = _SCRIPT_TAG.sub(f'<script nonce="{nonce}"'.encode(), chunk)
                # Panel's template says English; every page of the wall is Vietnamese first.
                chunk = chunk.replace(b'<html lang="en"', b'<html lang="vi"', 1)
                if "Content-Length" in headers:
                    headers["Content-Length"] = str(len(chunk))
            for name, value in policy.headers(self._path, nonce).items():
                if name not in headers:
                    headers[name] = value
            return status_code, headers, chunk

    return SecurityHeaders


def panel_pages(paths: list[str]) -> Callable[[str], bool]:
    """A ``panel_page`` test for Panel apps served at ``paths`` (``"console"``,
    ``"wall/s1"``): the page itself, nothing below it (its ``/ws`` and ``/autoload.js``
    are not documents)."""
    pages = frozenset("/" + p.strip("/") for p in paths)
    return lambda path: path.rstrip("/") in pages
