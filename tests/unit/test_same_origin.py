"""The cross-site rule as a table (``command_center/server/same_origin.py``), and the
token mask of the logs."""

from __future__ import annotations

import pytest
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from command_center.server.access_log import mask_tokens
from command_center.server.same_origin import CrossSiteError, check_same_origin

COOKIE = "cc_session"


def request(method: str, headers: dict[str, str], protocol: str = "http") -> HTTPServerRequest:
    req = HTTPServerRequest(
        start_line=RequestStartLine(method, "/api/v1/switch", "HTTP/1.1"),
        headers=HTTPHeaders({"Host": "wall.local:5006", **headers}),
    )
    req.protocol = protocol
    return req


WITH_COOKIE = {"Cookie": f"{COOKIE}=abc"}


@pytest.mark.parametrize(
    ("method", "headers", "refused"),
    [
        ("POST", {**WITH_COOKIE, "Sec-Fetch-Site": "same-origin"}, False),
        ("POST", {**WITH_COOKIE, "Sec-Fetch-Site": "none"}, False),
        ("POST", {**WITH_COOKIE, "Sec-Fetch-Site": "same-site"}, True),
        ("POST", {**WITH_COOKIE, "Sec-Fetch-Site": "cross-site"}, True),
        ("DELETE", {**WITH_COOKIE, "Origin": "http://evil.example"}, True),
        ("PATCH", {**WITH_COOKIE, "Origin": "http://wall.local:5006"}, False),
        ("PUT", {**WITH_COOKIE, "Origin": "https://wall.local:5006"}, True),  # other scheme
        ("POST", {**WITH_COOKIE, "Origin": "https://wall.example.gov.vn"}, False),  # public
        ("POST", {**WITH_COOKIE, "Origin": "null"}, True),
        ("POST", WITH_COOKIE, False),  # neither header: not a browser
        ("GET", {**WITH_COOKIE, "Sec-Fetch-Site": "cross-site"}, False),  # reads are not changes
        ("POST", {"Sec-Fetch-Site": "cross-site"}, False),  # no cookie: nothing to ride on
        (
            "POST",
            {**WITH_COOKIE, "Authorization": "Bearer x", "Sec-Fetch-Site": "cross-site"},
            False,
        ),
    ],
    ids=[
        "same-origin",
        "typed",
        "sibling-site",
        "cross-site",
        "foreign-origin",
        "own-origin",
        "other-scheme",
        "public-url",
        "null-origin",
        "no-browser",
        "get",
        "no-cookie",
        "bearer",
    ],
)
def test_cross_site_rule(method: str, headers: dict[str, str], refused: bool) -> None:
    req = request(method, headers)
    if refused:
        with pytest.raises(CrossSiteError) as info:
            check_same_origin(req, COOKIE, ["https://wall.example.gov.vn/"])
        assert info.value.status == 403
        assert info.value.code == "cross_site"
    else:
        check_same_origin(req, COOKIE, ["https://wall.example.gov.vn/"])


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("GET /wall/s1?token=abc.DEF-1 (10.0.0.5)", "GET /wall/s1?token=*** (10.0.0.5)"),
        ("/bridge/hue?lang=en&token=x_y&z=1", "/bridge/hue?lang=en&token=***&z=1"),
        ("/x?access_token=secret", "/x?access_token=***"),
        ("/x?TOKEN=abc#frag", "/x?TOKEN=***#frag"),
        ("next=%2Fwall%3Ftoken%3Dabc", "next=%2Fwall%3Ftoken%3D***"),
        ("no secret here", "no secret here"),
    ],
    ids=["kiosk", "bridge", "access-token", "upper-case", "url-encoded", "none"],
)
def test_tokens_are_masked(line: str, masked: str) -> None:
    assert mask_tokens(line) == masked
