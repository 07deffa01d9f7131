"""The HTTP poller against a real source on a free port, reporting into a real store."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from wallsupport import StoringSink, wait_until

from feeds.loader import FeedsSpec, load_feeds
from feeds.observation_store import EmbeddedObservationStore, ObservationStore
from feeds.periods import TIME_ZONE
from feeds.poller import Poller, PollFailed, run_poller

NOW = datetime(2025, 11, 20, 10, 0, tzinfo=TIME_ZONE)  # the current monthly period: 2025-12
DISBURSEMENT = "public_investment_disbursement"  # province level, monthly, 0..100
AGENCY = "ubnd_01"  # Hà Nội: province 01 of gso-34 only
ROW = {"indicator": DISBURSEMENT, "area_code": "01", "code_list": "gso-34", "period": "2025-10"}
HANOI = "gso-34:01"


def clock() -> datetime:
    return NOW


def row(**changes: Any) -> dict[str, Any]:
    return {**ROW, "value": 42.5, **changes}


@dataclass
class Seen:
    at: float
    headers: dict[str, str]
    status: int


@dataclass
class Source:
    """What the test server answers; changed by the tests while the poller runs."""

    body: bytes = b""
    content_type: str = "application/json"
    etag: str | None = None
    last_modified: str | None = None
    fail_next: int = 0  # answer 503 this many times first
    stall_next: float = 0.0  # seconds to hold the next answer (a timeout)
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve_json(self, payload: object, etag: str | None = None) -> None:
        with self.lock:
            self.body = json.dumps(payload).encode()
            self.content_type = "application/json"
            self.etag = etag

    def answered(self, status: int) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.status == status]


class SourceHandler(BaseHTTPRequestHandler):
    source: Source

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        src = self.source
        with src.lock:
            stall, src.stall_next = src.stall_next, 0.0
            failing = src.fail_next > 0
            src.fail_next -= 1 if failing else 0
            body, ctype, etag, modified = src.body, src.content_type, src.etag, src.last_modified
            if failing:
                status = 503
            elif (etag and self.headers.get("If-None-Match") == etag) or (
                modified and self.headers.get("If-Modified-Since") == modified
            ):
                status = 304
            else:
                status = 200
            src.requests.append(Seen(time.monotonic(), dict(self.headers), status))
        if stall:
            time.sleep(stall)
        try:
            self.send_response(status)
            if status == 200:
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                if modified:
                    self.send_header("Last-Modified", modified)
            else:
                self.send_header("Content-Length", "0")
            self.end_headers()
            if status == 200:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the poller gave up waiting: that is the timeout test


@pytest.fixture
def source() -> Iterator[tuple[Source, str]]:
    src = Source()
    handler = type("Handler", (SourceHandler,), {"source": src})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield src, f"http://127.0.0.1:{server.server_address[1]}/observations"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def feeds() -> FeedsSpec:
    return load_feeds()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[ObservationStore]:
    opened = await EmbeddedObservationStore.open(tmp_path / "data")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def sink(store: ObservationStore, feeds: FeedsSpec) -> StoringSink:
    return StoringSink(clock, store, feeds)


class Polling:
    """The source, its URL, and pollers started against it (cancelled after the test)."""

    def __init__(self, src: Source, url: str, feeds: FeedsSpec, sink: StoringSink) -> None:
        self.src, self.url, self.feeds, self.sink = src, url, feeds, sink
        self.tasks: list[asyncio.Task[None]] = []

    def start(
        self,
        url: str | None = None,
        interval_s: float = 0.02,
        timeout_s: float = 2.0,
        max_backoff_s: float = 0.5,
    ) -> asyncio.Task[None]:
        poll = run_poller(
            url or self.url,
            AGENCY,
            self.feeds,
            self.sink,
            interval_s,
            clock,
            timeout_s=timeout_s,
            max_backoff_s=max_backoff_s,
        )
        self.tasks.append(asyncio.create_task(poll))
        return self.tasks[-1]


@pytest.fixture
async def polling(
    source: tuple[Source, str], feeds: FeedsSpec, sink: StoringSink
) -> AsyncIterator[Polling]:
    run = Polling(*source, feeds, sink)
    yield run
    for task in run.tasks:
        task.cancel()
    for task in run.tasks:
        with pytest.raises(asyncio.CancelledError):
            await task


async def value_of(store: ObservationStore) -> float | None:
    found = await store.latest(DISBURSEMENT, HANOI)
    return found[0].value if found else None


async def shows(store: ObservationStore, value: float) -> bool:
    return await value_of(store) == value


def messages(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= level]


async def test_json_source_reported_once_then_unchanged_costs_a_304(
    polling: Polling,
    store: ObservationStore,
    sink: StoringSink,
) -> None:
    src, url = polling.src, polling.url
    src.serve_json({"observations": [row()]}, etag='"v1"')
    polling.start()
    await wait_until(lambda: value_of(store), what="the first report stored")
    await wait_until(lambda: len(src.answered(304)) >= 3, what="three conditional polls")
    assert sink.calls == [(AGENCY, 1, url)]
    later = src.requests[1:]
    assert all(r.headers.get("If-None-Match") == '"v1"' for r in later)
    assert {r.status for r in later} == {304}

    src.serve_json({"observations": [row(value=55.0, revision=1)]}, etag='"v2"')
    await wait_until(lambda: shows(store, 55.0), what="the revision stored")
    history = await store.history((DISBURSEMENT, HANOI, "2025-10"))
    assert [(o.revision, o.value) for o in history] == [(0, 42.5), (1, 55.0)]
    assert len(sink.calls) == 2


async def test_csv_by_content_type_with_if_modified_since(
    polling: Polling,
    store: ObservationStore,
    sink: StoringSink,
) -> None:
    src = polling.src
    src.content_type = "text/csv; charset=utf-8"
    src.last_modified = "Wed, 19 Nov 2025 08:00:00 GMT"
    src.body = (
        "indicator,area_code,code_list,period,value,revision,note\n"
        f"{DISBURSEMENT},01,gso-34,2025-09,31.5,,\n"
        f"{DISBURSEMENT},01,gso-34,2025-10,40.25,,báo cáo nhanh\n"
    ).encode()
    polling.start()
    await wait_until(lambda: len(src.answered(304)) >= 2, what="conditional polls")
    series = await store.series(DISBURSEMENT, HANOI)
    assert [(o.period, o.value, o.note) for o in series] == [
        ("2025-09", 31.5, None),
        ("2025-10", 40.25, "báo cáo nhanh"),
    ]
    assert len(sink.calls) == 1
    assert src.requests[-1].headers.get("If-Modified-Since") == src.last_modified


async def test_a_bare_list_without_validators_is_not_sent_twice(
    polling: Polling,
    store: ObservationStore,
    sink: StoringSink,
) -> None:
    src = polling.src
    src.serve_json([row(value=12.0)])  # no ETag, no Last-Modified: the body's hash decides
    polling.start()
    await wait_until(lambda: len(src.answered(200)) >= 4, what="four full answers")
    assert await value_of(store) == 12.0
    assert len(sink.calls) == 1


async def test_bad_response_rejected_whole_each_problem_logged_once(
    polling: Polling,
    store: ObservationStore,
    sink: StoringSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    src, url = polling.src, polling.url
    src.serve_json({"observations": [row()]}, etag='"good"')
    polling.start()
    await wait_until(lambda: value_of(store), what="the good report stored")

    bad = [
        row(value=99.0, revision=1),  # fine alone: must not be stored with the rest
        row(area_code="46"),  # Huế: not Hà Nội's to report
        row(period="2025-09", value=140),  # over 100 %
        row(period="2026-01"),  # not yet due
    ]
    src.serve_json({"observations": bad}, etag='"bad"')
    await wait_until(lambda: len(src.answered(304)) >= 3, what="polls after the bad answer")

    rejected = [m for m in messages(caplog) if "rejected" in m]
    assert len(rejected) == 1, rejected  # an unchanged bad source is reported once
    assert url in rejected[0] and AGENCY in rejected[0]
    for expected in ("row 1: area_code: not_permitted", "row 2: value: out_of_range"):
        assert expected in rejected[0]
    assert "row 3: period: future_period" in rejected[0]
    assert len(sink.calls) == 1
    history = await store.history((DISBURSEMENT, HANOI, "2025-10"))
    assert [(o.revision, o.value) for o in history] == [(0, 42.5)]


async def test_errors_back_off_and_the_poller_recovers(
    polling: Polling,
    store: ObservationStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    src = polling.src
    src.serve_json({"observations": [row()]})
    src.fail_next = 3
    caplog.set_level(logging.INFO, logger="feeds.poller")
    polling.start(interval_s=0.03, max_backoff_s=0.5)
    await wait_until(lambda: value_of(store), what="the report after the errors")

    times = [r.at for r in src.requests[:4]]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # 0.06, 0.12, 0.24 s: each wait doubles
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2, gaps
    failed = [m for m in messages(caplog) if "HTTP 503" in m]
    assert len(failed) == 3 and "failed (3 in a row)" in failed[2]
    assert any("recovered after 3 failure(s)" in m for m in messages(caplog, logging.INFO))


async def test_a_timeout_is_logged_and_the_next_poll_goes_on(
    polling: Polling,
    store: ObservationStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    src = polling.src
    src.serve_json({"observations": [row()]})
    src.stall_next = 0.5
    polling.start(timeout_s=0.15)
    await wait_until(lambda: value_of(store), what="the report after the timeout")
    assert any("HTTPTimeoutError" in m for m in messages(caplog))


async def test_unreachable_source_keeps_the_poller_running(
    polling: Polling,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    task = polling.start(url=f"http://127.0.0.1:{port}/x", max_backoff_s=0.05)
    await wait_until(
        lambda: sum("ConnectionRefusedError" in m for m in messages(caplog)) >= 3,
        what="three refused connections",
    )
    assert not task.done()


async def test_a_page_that_is_not_data_is_an_error_not_a_report(
    polling: Polling,
    sink: StoringSink,
    caplog: pytest.LogCaptureFixture,
) -> None:
    src = polling.src
    src.body, src.content_type = b"<html>login</html>", "text/html"
    polling.start()
    await wait_until(
        lambda: any("Content-Type must be" in m and "text/html" in m for m in messages(caplog)),
        what="the content type error",
    )
    assert sink.calls == []


async def test_an_unknown_agency_fails_at_once(feeds: FeedsSpec, sink: StoringSink) -> None:
    with pytest.raises(KeyError, match="unknown agency 'ubnd_99'"):
        await run_poller("http://127.0.0.1:9/", "ubnd_99", feeds, sink, 1.0, clock)


# --- where a source may send the poller -------------------------------------------------


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
    handler = type("Handler", (Redirecting,), {"target": target, "hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


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
