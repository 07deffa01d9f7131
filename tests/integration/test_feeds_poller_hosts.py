"""Where a source may send the poller: redirects on the agency's host are followed, to any
other host, scheme or without end they are refused, and an agency's host list is kept."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import pytest
from pollersupport import AGENCY, Source, clock, http_server, row, shows
from wallsupport import StoringSink

from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from feeds.poller import Poller, PollFailed


def with_poll_hosts(feeds: FeedsSpec, hosts: tuple[str, ...]) -> FeedsSpec:
    agencies = tuple(
        a.model_copy(update={"poll_hosts": hosts}) if a.id == AGENCY else a for a in feeds.agencies
    )
    registry = feeds.agencies.model_copy(update={"agencies": agencies})
    return dataclasses.replace(feeds, agencies=registry)


class Redirecting(BaseHTTPRequestHandler):
    """Answers every GET with a redirect to ``target`` and counts the requests."""

    target = ""
    hits: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", self.target.replace("{n}", str(len(self.hits))))
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextlib.contextmanager
def redirecting(target: str) -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    with http_server(type("Handler", (Redirecting,), {"target": target, "hits": hits})) as base:
        yield base, hits


async def test_a_redirect_on_the_same_host_is_followed(
    source: tuple[Source, str], feeds: FeedsSpec, sink: StoringSink, store: ObservationStore
) -> None:
    src, url = source
    src.serve_json({"observations": [row(value=12.5)]})
    with redirecting(url) as (start, hits):
        poller = Poller(f"{start}/moved", AGENCY, feeds, sink, clock)
        try:
            assert (await poller.poll_once()).outcome == "accepted"
        finally:
            poller.close()
    assert hits == ["/moved"] and await shows(store, 12.5)


@pytest.mark.parametrize(
    "target, refusal",
    [
        ("http://localhost:{port}/observations", "localhost is not among the agency's hosts"),
        ("http://10.99.0.1/internal", "10.99.0.1 is not among the agency's hosts"),
        ("file:///etc/passwd", "only http and https"),
        ("/loop/{n}", "more than 5 redirects"),
    ],
    ids=["another-host-name", "another-address", "another-scheme", "endless"],
)
async def test_a_redirect_elsewhere_is_refused(
    target: str,
    refusal: str,
    source: tuple[Source, str],
    feeds: FeedsSpec,
    sink: StoringSink,
) -> None:
    src, url = source
    port = url.split(":")[2].split("/")[0]
    with redirecting(target.replace("{port}", port)) as (start, _):
        poller = Poller(f"{start}/data", AGENCY, feeds, sink, clock)
        try:
            with pytest.raises(PollFailed, match=refusal):
                await poller.poll_once()
        finally:
            poller.close()
    assert src.requests == []  # the other server never heard from us
    assert sink.calls == []


def test_https_to_http_is_refused(feeds: FeedsSpec, sink: StoringSink) -> None:
    poller = Poller("https://api.gso.gov.vn/obs", AGENCY, feeds, sink, clock)
    try:
        with pytest.raises(PollFailed, match="from https to http"):
            poller._redirect_target("https://api.gso.gov.vn/obs", "http://api.gso.gov.vn/obs")
        assert poller._redirect_target("https://api.gso.gov.vn/obs", "/v2") == (
            "https://api.gso.gov.vn/v2"
        )
    finally:
        poller.close()


def test_an_agency_with_a_host_list_is_polled_only_there(
    feeds: FeedsSpec, sink: StoringSink
) -> None:
    listed = with_poll_hosts(feeds, ("api.hanoi.gov.vn", "mirror.hanoi.gov.vn"))
    with pytest.raises(ValueError, match=r"may be polled only at api\.hanoi\.gov\.vn"):
        Poller("http://10.0.0.7/obs", AGENCY, listed, sink, clock)
    poller = Poller("https://api.hanoi.gov.vn/obs", AGENCY, listed, sink, clock)
    try:
        target = "https://mirror.hanoi.gov.vn/obs"
        assert poller._redirect_target("https://api.hanoi.gov.vn/obs", target) == target
    finally:
        poller.close()
