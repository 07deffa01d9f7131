"""Polling an agency's HTTP source (JSON or CSV) and reporting what it serves.

    run_poller(url, agency, feeds, sink, interval_s, clock)   forever, until cancelled
    └── Poller.poll_once()   one conditional GET; "unchanged" | "empty" | "accepted" | "rejected"

The adapters (this one and ``feeds.folder_watch``) are configured for ONE agency and never
store anything themselves: each batch is checked here with ``validate_batch`` (the push
API's per-row rules, under the agency's scope), then handed to ``sink(agency_id, raw_rows,
source_name)``, the async callable the runtime gives them, which validates, stores and
announces exactly as the push API does. A bad batch is rejected whole, every row's problem
logged with the source's name, and the sink never sees it: nothing already accepted changes.

Redirects are followed by hand, at most ``MAX_REDIRECTS``, and only to a host on the
agency's list (``poll_hosts`` in agencies.yaml; without one, the URL's own host) and never
from https to http: a source cannot send the poller, with its agency's name, to another
machine on the centre's network.

The source is asked with ``If-None-Match``/``If-Modified-Since`` from the last response
handled (accepted or rejected), and a 200 whose body hashes to the one last handled is
skipped too, so an unchanged source costs one small request and nothing else. Transport
and HTTP errors, timeouts, and a sink that fails for a reason other than the data (a
``WallError``) are retried after a backoff that doubles up to ``max_backoff_s`` (longer
if the source sends ``Retry-After``); the poller never stops on its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse

from command_center.errors import RequestError, WallError
from feeds.csv_batch import parse_csv
from feeds.ingest import BatchRejected, Reporter, check_size, not_a_row_list, validate_batch
from feeds.loader import FeedsSpec

log = logging.getLogger(__name__)

# What the runtime gives an adapter: (agency id, raw rows, source name) -> stored.
Sink = Callable[[str, list[Any], str], Awaitable[object]]
Clock = Callable[[], datetime]
Outcome = Literal["unchanged", "empty", "accepted", "rejected"]

MAX_BODY_BYTES = 16 * 1024 * 1024  # the push API's limit: 10,000 rows with notes
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
JSON_TYPES = ("application/json", "text/json")
CSV_TYPES = ("text/csv", "application/csv", "text/comma-separated-values")


class PollFailed(Exception):
    """The source could not be read (or the sink could not take it): retry after backoff."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnusableResponse(RequestError):
    code = "unusable_response"


def check_rows(
    rows: Sequence[object],
    feeds: FeedsSpec,
    reporter: Reporter,
    clock: Clock,
    lines: Sequence[int] | None = None,
) -> int:
    """How many rows pass the push API's checks; ``BatchRejected`` naming every problem."""
    return len(validate_batch(rows, feeds.catalogue, reporter, clock(), lines))


def describe(error: WallError) -> str:
    """Every problem of ``error``, one per line, for the log."""
    if isinstance(error, BatchRejected):
        lines = [str(p) for p in error.problems]
    else:
        lines = [_detail_text(d) for d in error.details]
    head = f"{error.code}: {len(lines) or 1} problem(s), nothing stored"
    body = "\n".join(f"  {line}" for line in lines) if lines else f"  {error.message}"
    return f"{head}\n{body}"


def _detail_text(detail: dict[str, Any]) -> str:
    where = f"line {detail['line']}: " if "line" in detail else ""
    if "indicator" in detail and "period" in detail:
        where += f"({detail['indicator']}, {detail.get('area')}, {detail['period']}): "
    field = f"{detail['field']}: " if "field" in detail else ""
    return f"{where}{field}expected {detail.get('expected')} (got {detail.get('got')!r})"


@dataclass(frozen=True)
class PollResult:
    outcome: Outcome
    rows: int = 0


class Poller:
    """One source for one agency, remembering what it last handled. ``close`` when done."""

    def __init__(
        self,
        url: str,
        agency: str,
        feeds: FeedsSpec,
        sink: Sink,
        clock: Clock,
        *,
        timeout_s: float = 10.0,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.url = url
        self.agency = agency
        self.feeds = feeds
        self.reporter = feeds.reporter(agency)  # an unknown agency fails here, at once
        listed = feeds.agencies.get(agency).poll_hosts
        self.allowed_hosts = frozenset(h.lower() for h in listed) or {_host(url)}
        if _host(url) not in self.allowed_hosts:
            raise ValueError(
                f"agency '{agency}' may be polled only at {', '.join(sorted(self.allowed_hosts))}"
                f" (poll_hosts in agencies.yaml), not at {_host(url) or url!r}"
            )
        self.sink = sink
        self.clock = clock
        self.timeout_s = timeout_s
        self._client = AsyncHTTPClient(force_instance=True, max_body_size=max_body_bytes)
        self._etag: str | None = None
        self._last_modified: str | None = None
        self._digest: str | None = None

    def close(self) -> None:
        self._client.close()

    async def poll_once(self) -> PollResult:
        """One GET; ``PollFailed`` when it should be tried again later."""
        response = await self._fetch()
        if response.code == 304:
            log.debug("poller %s %s: not modified", self.agency, self.url)
            return PollResult("unchanged")
        body = response.body or b""
        digest = hashlib.sha256(body).hexdigest()
        if digest == self._digest:
            self._remember(response, digest)  # a source without validators, unchanged
            return PollResult("unchanged")
        try:
            rows, lines = self._rows(response, body)
            count = await asyncio.to_thread(
                check_rows, rows, self.feeds, self.reporter, self.clock, lines
            )
        except WallError as exc:
            return self._rejected(response, digest, exc)
        if not rows:
            log.info("poller %s %s: the source has no rows", self.agency, self.url)
            self._remember(response, digest)
            return PollResult("empty")
        try:
            await self.sink(self.agency, rows, self.url)
        except WallError as exc:  # the data conflicts with what is stored: refused whole
            return self._rejected(response, digest, exc)
        except Exception as exc:
            raise PollFailed(f"the sink could not take {count} rows: {exc!r}") from exc
        self._remember(response, digest)
        log.info("poller %s %s: reported %d rows", self.agency, self.url, count)
        return PollResult("accepted", count)

    async def _fetch(self) -> HTTPResponse:
        headers = {
            "Accept": "application/json, text/csv;q=0.9",
            "User-Agent": f"command-center-poller ({self.agency})",
        }
        if self._etag:
            headers["If-None-Match"] = self._etag
        if self._last_modified:
            headers["If-Modified-Since"] = self._last_modified
        url = self.url
        for _ in range(MAX_REDIRECTS + 1):
            request = HTTPRequest(
                url,
                headers=headers,
                connect_timeout=self.timeout_s,
                request_timeout=self.timeout_s,
                follow_redirects=False,
            )
            try:
                response = await self._client.fetch(request, raise_error=False)
            except Exception as exc:  # refused, timed out, DNS, TLS, body over the limit
                raise PollFailed(f"could not fetch: {type(exc).__name__}: {exc}") from exc
            if response.code not in REDIRECTS:
                break
            url = self._redirect_target(url, response.headers.get("Location", ""))
        else:
            raise PollFailed(f"more than {MAX_REDIRECTS} redirects from {self.url}")
        if response.code not in (200, 304):
            raise PollFailed(
                f"HTTP {response.code} {response.reason}",
                _retry_after(response.headers.get("Retry-After")),
            )
        return response

    def _redirect_target(self, url: str, location: str) -> str:
        target = urljoin(url, location)
        scheme, host = urlsplit(target).scheme.lower(), _host(target)
        if scheme not in ("http", "https"):
            raise PollFailed(f"redirect from {url} to {target} refused: only http and https")
        if urlsplit(url).scheme == "https" and scheme != "https":
            raise PollFailed(f"redirect from {url} to {target} refused: from https to http")
        if host not in self.allowed_hosts:
            raise PollFailed(
                f"redirect from {url} to {target} refused: {host or '(no host)'} is not among "
                f"the agency's hosts ({', '.join(sorted(self.allowed_hosts))})"
            )
        return target

    def _rows(self, response: HTTPResponse, body: bytes) -> tuple[list[Any], list[int] | None]:
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype in CSV_TYPES:
            parsed = parse_csv(body)
            return parsed.rows, parsed.lines
        if ctype not in JSON_TYPES and not ctype.endswith("+json"):
            raise PollFailed(
                f"Content-Type must be application/json or text/csv (got '{ctype or 'none'}')"
            )
        try:
            payload = json.loads(body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UnusableResponse(f"the body is not valid JSON: {exc}") from None
        except RecursionError:
            raise UnusableResponse("the body is JSON nested too deeply") from None
        rows = payload.get("observations") if isinstance(payload, dict) else payload
        if not isinstance(rows, list):
            raise UnusableResponse(
                'the body must be {"observations": [...]} or a list of rows',
                not_a_row_list(rows),
            )
        check_size(len(rows))
        return rows, None

    def _rejected(self, response: HTTPResponse, digest: str, exc: WallError) -> PollResult:
        # Remembered like an accepted body: an unchanged bad source is reported once.
        self._remember(response, digest)
        log.error("poller %s %s: rejected, %s", self.agency, self.url, describe(exc))
        return PollResult("rejected")

    def _remember(self, response: HTTPResponse, digest: str) -> None:
        self._etag = response.headers.get("ETag")
        self._last_modified = response.headers.get("Last-Modified")
        self._digest = digest


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff decides


def backoff(interval_s: float, failures: int, max_backoff_s: float) -> float:
    """The wait after ``failures`` failed polls in a row: doubling, at most ``max_backoff_s``."""
    return min(interval_s * 2.0 ** min(failures, 30), max(max_backoff_s, interval_s))


async def run_poller(
    url: str,
    agency: str,
    feeds: FeedsSpec,
    sink: Sink,
    interval_s: float,
    clock: Clock,
    *,
    timeout_s: float = 10.0,
    max_backoff_s: float = 300.0,
) -> None:
    """Poll ``url`` every ``interval_s`` for ``agency`` until cancelled."""
    poller = Poller(url, agency, feeds, sink, clock, timeout_s=timeout_s)
    failures = 0
    log.info("poller %s %s: polling every %g s", agency, url, interval_s)
    try:
        while True:
            delay = interval_s
            try:
                await poller.poll_once()
                if failures:
                    log.info("poller %s %s: recovered after %d failure(s)", agency, url, failures)
                failures = 0
            except PollFailed as exc:
                failures += 1
                delay = backoff(interval_s, failures, max_backoff_s)
                if exc.retry_after is not None:
                    delay = max(delay, min(exc.retry_after, max_backoff_s))
                log.warning(
                    "poller %s %s: failed (%d in a row), next try in %.2f s: %s",
                    agency,
                    url,
                    failures,
                    delay,
                    exc,
                )
            except Exception:
                failures += 1
                delay = backoff(interval_s, failures, max_backoff_s)
                log.exception(
                    "poller %s %s: unexpected error (%d in a row), next try in %.2f s",
                    agency,
                    url,
                    failures,
                    delay,
                )
            await asyncio.sleep(delay)
    finally:
        poller.close()
