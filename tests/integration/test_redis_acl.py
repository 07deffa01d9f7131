"""The wall on a Redis that wants a password and an ACL user (``redis://user:pass@host``)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from wallprocess import free_port
from wallsupport import running_wall

pytestmark = pytest.mark.redis


@contextlib.contextmanager
def acl_redis() -> Iterator[int]:
    """A redis-server of our own where only the user ``wall`` (password ``s3cret``) gets in."""
    port = free_port()
    proc = subprocess.Popen(
        [
            *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            *("--user", "wall", "on", ">s3cret", "~*", "&*", "+@all"),
            *("--user", "default", "off"),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


async def test_the_wall_runs_on_a_redis_with_an_acl_user(tmp_path: Path) -> None:
    with acl_redis() as port:
        url = f"redis://wall:s3cret@127.0.0.1:{port}/0"
        async with running_wall(tmp_path, redis_url=url) as rt:
            async with httpx.AsyncClient(base_url=rt.url) as client:
                health = (await client.get("/health")).json()
            assert health["status"] == "ok" and health["bus_rejected"] == 0
        with pytest.raises(redis.AuthenticationError):
            async with running_wall(tmp_path, redis_url=f"redis://wall:wrong@127.0.0.1:{port}/0"):
                pass
        with pytest.raises(redis.AuthenticationError):
            async with running_wall(tmp_path, redis_url=f"redis://127.0.0.1:{port}/0"):
                pass
