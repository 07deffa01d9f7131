"""Shared fixtures. Redis tests use the real server, each under its own key prefix."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from wallprocess import RedisServer

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
