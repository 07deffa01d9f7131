"""What the file and HTTP ingestion tests share: Hà Nội's disbursement at a fixed instant, and
a real HTTP source on a free port whose answers (body, validators, failures, stalls) the test
changes while a poller runs against it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from wallsupport import StoringSink

from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from feeds.periods import TIME_ZONE
from feeds.poller import run_poller

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


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` answering on a free port of 127.0.0.1; yields the server's base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextlib.contextmanager
def serving(src: Source) -> Iterator[str]:
    """``src`` answered on a free port; yields the URL a poller reads."""
    with http_server(type("Handler", (SourceHandler,), {"source": src})) as base:
        yield f"{base}/observations"


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


async def value_of(store: ObservationStore) -> float | None:
    found = await store.latest(DISBURSEMENT, HANOI)
    return found[0].value if found else None


async def shows(store: ObservationStore, value: float) -> bool:
    return await value_of(store) == value


def messages(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= level]
