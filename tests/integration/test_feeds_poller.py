"""The HTTP poller against a real source on a free port, reporting into a real store: what it
stores, validators, bad answers, back-off, timeouts and unreachable sources."""

from __future__ import annotations

import itertools
import logging
import socket

import pytest
from pollersupport import (
    AGENCY,
    DISBURSEMENT,
    HANOI,
    Polling,
    clock,
    messages,
    row,
    shows,
    value_of,
)
from wallsupport import StoringSink, wait_until

from feeds.loader import FeedsSpec
from feeds.observation_store import ObservationStore
from feeds.poller import run_poller


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
