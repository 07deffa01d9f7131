"""Shared fixtures. Redis tests use the real server, each under its own key prefix; an
in-process wall's HTTP client; a wall process on a Redis of the test's own."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import redis
from wallprocess import RedisServer, WallProcess, quiet_wall
from wallsupport import WALL_2X2

if TYPE_CHECKING:
    from command_center.server.runtime import WallRuntime

REDIS_URL = os.environ.get("CC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    """The test Redis server's URL. Outside CI a missing Redis skips the test with the
    reason; in CI (``CI=true``, where ``make test`` starts Redis) it fails."""
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1) as client:
            client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {REDIS_URL} in CI: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix (and bus channel stem) no other test uses; its keys are deleted after."""
    prefix = f"test:{uuid.uuid4().hex}:"
    yield prefix
    with redis.Redis.from_url(redis_url) as client:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own that keeps its data on disk (AOF, fsync always): the
    fault tests stop, kill and restart it, and what it acknowledged must still be there."""
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder=folder).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_wall(tmp_path: Path, redis_server: RedisServer) -> Iterator[WallProcess]:
    """The 2 × 2 wall, no simulator, on ``redis_server``: a fault test stops either."""
    process = quiet_wall(tmp_path / "wall", WALL_2X2, "--redis", redis_server.url)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
async def client(rt: WallRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the wall ``rt`` (the fixture of the test's folder or module); 20 s:
    a video offer's answer waits for its ICE gathering."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.port}", timeout=20) as c:
        yield c
