"""``--redis`` URLs (issue 11 point 4): plain Redis and ``redis+sentinel://``, our own
``replicas`` / ``wait_ms`` options, and one error per mistake naming what is wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest
from wallprocess import ROOT

from command_center.redis_client import (
    RedisTarget,
    RedisUrlError,
    Replication,
    SentinelRedis,
    parse_redis_url,
    redis_client,
)


@pytest.mark.parametrize(
    "url, target",
    [
        ("redis://127.0.0.1:6379/0", RedisTarget(Replication(0), url="redis://127.0.0.1:6379/0")),
        (
            "redis://h:6379/2?replicas=2&wait_ms=250&ssl_ca_certs=%2Fca.pem",
            RedisTarget(Replication(2, 250), url="redis://h:6379/2?ssl_ca_certs=%2Fca.pem"),
        ),
        (
            "redis+sentinel://s1:26379,s2:26380/wall/3",
            RedisTarget(
                Replication(1), sentinels=(("s1", 26379), ("s2", 26380)), master="wall", db=3
            ),
        ),
        (
            "redis+sentinel://s1,[::1]:5000/wall",
            RedisTarget(Replication(1), sentinels=(("s1", 26379), ("::1", 5000)), master="wall"),
        ),
        (
            "redis+sentinel://ops:p%40ss@s1/wall/0?replicas=0",
            RedisTarget(
                Replication(0),
                sentinels=(("s1", 26379),),
                master="wall",
                username="ops",
                password="p@ss",
            ),
        ),
        (
            "redis+sentinel://:pw@s1/wall/0?wait_ms=4000",
            RedisTarget(
                Replication(1, 4000), sentinels=(("s1", 26379),), master="wall", password="pw"
            ),
        ),
    ],
    ids=["plain", "plain-options", "sentinels", "default-port-ipv6", "acl-user", "password-only"],
)
def test_good_urls(url: str, target: RedisTarget) -> None:
    assert parse_redis_url(url) == target


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://h:6379/0", r"must start with redis://.*redis\+sentinel:// \(got 'http://'\)"),
        ("h:6379", r"must start with redis://"),
        ("redis+sentinel:///wall/0", r"needs at least one sentinel, as in redis\+sentinel://host"),
        ("redis+sentinel://s1:26379", r"needs the master's name, as in"),
        ("redis+sentinel://s1:26379/", r"needs the master's name"),
        ("redis+sentinel://s1:abc/wall/0", r"sentinel port in 's1:abc' must be .* \(got 'abc'\)"),
        ("redis+sentinel://s1:70000/wall/0", r"sentinel port in 's1:70000'.*1–65535"),
        ("redis+sentinel://s1,:26379/wall/0", r"a sentinel needs a host.*\(got ':26379'\)"),
        ("redis+sentinel://s1/wall/x", r"the database must be a whole number .* \(got 'x'\)"),
        (
            "redis+sentinel://s1/wall/0/extra",
            r"/<master>/<db> after the sentinels.*'/wall/0/extra'",
        ),
        ("redis+sentinel://s1/wa%20ll/0", r"the master's name is .* \(got 'wa%20ll'\)"),
        (
            "redis+sentinel://s1/wall/0?replicas=-1",
            r"replicas must be a whole number 0–16 \(got '-1'\)",
        ),
        ("redis://h/0?replicas=many", r"replicas must be .* \(got 'many'\)"),
        ("redis://h/0?wait_ms=0", r"wait_ms must be a whole number 1–4000 \(got '0'\)"),
        ("redis://h/0?wait_ms=60000", r"wait_ms must be .*4000"),
        (
            "redis+sentinel://s1/wall/0?ssl=true",
            r"unknown option\(s\) ssl .*allowed: replicas, wait_ms",
        ),
    ],
    ids=[
        "scheme",
        "no-scheme",
        "no-sentinel",
        "no-master",
        "empty-master",
        "port-text",
        "port-range",
        "empty-host",
        "db-text",
        "extra-path",
        "master-chars",
        "replicas-negative",
        "replicas-text",
        "wait-zero",
        "wait-over-command-timeout",
        "sentinel-unknown-option",
    ],
)
def test_bad_urls_name_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(RedisUrlError, match=message):
        parse_redis_url(url)


async def test_a_sentinel_url_gives_a_client_of_the_primary_that_closes_its_sentinels() -> None:
    client = redis_client("redis+sentinel://127.0.0.1:1,127.0.0.1:2/wall/4")
    assert isinstance(client, SentinelRedis) and client.sentinels is not None
    assert len(client.sentinels.sentinels) == 2
    assert client.connection_pool.connection_kwargs["db"] == 4
    await client.aclose()  # no sentinel was ever reached: nothing left open either way


def test_the_command_line_refuses_a_bad_url_before_starting() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_wall.py"), "--redis", "redis+sentinel://s1:26379"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "argument --redis: redis+sentinel:// needs the master's name" in result.stderr
