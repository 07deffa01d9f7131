"""Cross-site request forgery: a state change that rides on the session cookie must come
from one of the wall's own pages.

The cookie is SameSite=Strict already; this is the second lock, for browsers or paths
where SameSite does not hold (a sibling site on the same registrable domain is "same
site" to SameSite, not same origin). A request is checked when it changes state
(POST, PUT, PATCH, DELETE), carries the session cookie and no ``Authorization`` header
(a bearer token cannot be sent by another site's page, a cookie can):

* ``Sec-Fetch-Site`` (every current browser sends it): ``same-origin`` or ``none`` (the
  user typed or bookmarked it) pass, anything else is refused;
* without it, ``Origin``: it must be this server's own origin (or the public URL's);
* without either, the client is not a browser (a script with a cookie jar): allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from tornado.httputil import HTTPServerRequest
from tornado.web import RequestHandler

from command_center.errors import ForbiddenError

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteError(ForbiddenError):
    """403: a cookie-authenticated state change sent from another site's page."""

    code = "cross_site"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_same_origin(
    request: HTTPServerRequest, cookie_name: str, public_origins: Iterable[str] = ()
) -> None:
    """Raise ``CrossSiteError`` when ``request`` is a cross-site cookie-borne state change."""
    if request.method not in STATE_CHANGING:
        return
    if cookie_name not in request.cookies or request.headers.get("Authorization"):
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site.strip().lower() in ("same-origin", "none"):
            return
        raise CrossSiteError(
            f"cross-site request refused: Sec-Fetch-Site must be 'same-origin' (got '{site}')",
            [{"header": "Sec-Fetch-Site", "got": site}],
        )
    origin = request.headers.get("Origin")
    if origin is None:
        return
    own = {f"{request.protocol}://{request.host}".lower(), *map(origin_of, public_origins)}
    if origin.strip().lower() not in own:
        raise CrossSiteError(
            f"cross-site request refused: Origin must be one of {sorted(own)} (got '{origin}')",
            [{"header": "Origin", "expected": sorted(own), "got": origin}],
        )


def refuse_cross_site_page(
    handler: RequestHandler, cookie_name: str, public_origins: Iterable[str] = ()
) -> bool:
    """For HTML routes (``/login``, ``/logout``): answer a cross-site state change with a
    plain 403 page and say so (the handler's ``prepare`` then returns)."""
    try:
        check_same_origin(handler.request, cookie_name, public_origins)
    except CrossSiteError as exc:
        handler.set_status(403)
        handler.set_header("Content-Type", "text/plain; charset=utf-8")
        handler.finish(f"Yêu cầu từ trang khác bị từ chối · {exc.message}\n")
        return True
    return False
