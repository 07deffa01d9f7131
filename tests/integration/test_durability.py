"""Accepted means durable: after the API says "accepted", a kill -9 loses nothing.

Embedded: kill -9 the server right after the last answer, restart it, read everything back
through the API. Redis: the shared test Redis keeps nothing on disk, so the test runs its own
``redis-server --appendonly yes --appendfsync always``, kills it with -9, restarts it on the
same directory and finds every accepted observation.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from wallprocess import ROOT, WallProcess, free_port
from wallsupport import WALL_2X2

from feeds.observation_store import RedisObservationStore

INDICATOR = "public_investment_disbursement"
AREAS = [f"{code:02d}" for code in (1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22)]
PERIODS = [f"2025-{month:02d}" for month in range(1, 7)]


def agency_credential(data_dir: Path, agency: str, *extra: str) -> str:
    """The credential ``run_wall.py agency-tokens`` prints (the command under test too)."""
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run_wall.py"),
            "agency-tokens",
            "--agency",
            agency,
            "--data-dir",
            str(data_dir),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    name, credential = out.strip().split("\t")
    assert name == agency
    return credential


def post_every_period(url: str, credential: str) -> list[tuple[str, str, float]]:
    """One batch per period, each answered before the next is sent; returns what was accepted."""
    accepted = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for month, period in enumerate(PERIODS, start=1):
            rows = [
                {"indicator": INDICATOR, "area_code": a, "code_list": "gso-63", "period": period}
                | {"value": month * 10 + i / 10}
                for i, a in enumerate(AREAS)
            ]
            r = client.post(
                "/api/v1/observations",
                json={"observations": rows},
                headers={"Authorization": f"Bearer {credential}"},
            )
            assert r.status_code == 201, r.text
            accepted += [(f"gso-63:{row['area_code']}", period, row["value"]) for row in rows]
    return accepted


def test_embedded_store_keeps_what_it_accepted_through_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    wall = WallProcess(data_dir, wall_file=WALL_2X2).start()
    try:
        credential = agency_credential(data_dir, "bo_tai_chinh")
        accepted = post_every_period(wall.url, credential)
        wall.restart(kill=True)  # SIGKILL straight after the last "accepted"
        name, password = wall.users["viewer"]
        found = []
        with httpx.Client(base_url=wall.url, timeout=30) as client:
            r = client.post("/api/v1/sessions", json={"username": name, "password": password})
            auth = {"Authorization": f"Bearer {r.json()['token']}"}
            for area in AREAS:
                r = client.get(
                    "/api/v1/series",
                    params={"indicator": INDICATOR, "area": f"gso-63:{area}"},
                    headers=auth,
                )
                assert r.status_code == 200, r.text
                found += [
                    (o["area_key"], o["period"], o["value"]) for o in r.json()["observations"]
                ]
        assert sorted(found) == sorted(accepted)
    finally:
        wall.stop()


@contextlib.contextmanager
def durable_redis(directory: Path, port: int) -> Iterator[subprocess.Popen[Any]]:
    """Our own redis-server that fsyncs every write to its append-only file."""
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        # Ready once PING answers: a restarted server accepts connections while it is
        # still loading its append-only file, and answers LOADING until it has.
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1.0)
        try:
            while True:
                with contextlib.suppress(redis.ConnectionError, redis.BusyLoadingError):
                    if client.ping():
                        break
                if time.monotonic() > deadline:
                    raise AssertionError("redis-server did not start")
                time.sleep(0.05)
        finally:
            client.close()
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(10)


async def _stored(url: str) -> list[tuple[str, str, float]]:
    store = RedisObservationStore(url)
    try:
        found = []
        for area in AREAS:
            series = await store.series(INDICATOR, f"gso-63:{area}")
            found += [(o.area.key, o.period, o.value) for o in series]
        return found
    finally:
        await store.close()


@pytest.mark.redis
def test_redis_store_keeps_what_it_accepted_through_kill_9_of_redis(tmp_path: Path) -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    with durable_redis(redis_dir, port) as redis_proc:
        wall = WallProcess(tmp_path / "data", wall_file=WALL_2X2, extra=["--redis", url]).start()
        try:
            credential = agency_credential(tmp_path / "data", "bo_tai_chinh", "--redis", url)
            accepted = post_every_period(wall.url, credential)
            redis_proc.send_signal(signal.SIGKILL)  # straight after the last "accepted"
            redis_proc.wait(10)
        finally:
            wall.stop(kill=True)
    with durable_redis(redis_dir, port):
        found = asyncio.run(_stored(url))
    assert sorted(found) == sorted(accepted)
