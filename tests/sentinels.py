"""A Redis that fails over through Redis's own tools, for fault tests and benchmarks: a
primary, its replicas and three sentinels (``redis-server --sentinel``), each a real process
on a free loopback port with a generated config in its own folder.

    with SentinelCluster(tmp_path) as cluster:
        wall = WallProcess(..., extra=["--redis", cluster.url])
        killed, at = cluster.kill_primary()     # SIGKILL, as a dead host
        new = cluster.wait_promoted(killed)     # the sentinels' choice, asked of them
        cluster.restart(killed)                 # back as a replica of the new primary

Its methods block (sockets, polling): from async code call them through
``asyncio.to_thread``, as tests/faults/test_sentinel_failover.py and
benchmarks/failover_redis.py do.

Data servers keep an append-only file fsynced on every write (``appendfsync always``) and
everything (data servers and sentinels) requires ``password``, as a centre would run it.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import redis
from wallprocess import end_process, free_port, port_answers

MASTER = "wall"
PASSWORD = "sentinel-test-pw"


@dataclass
class Node:
    """One redis-server process (a data server or a sentinel) with its config folder."""

    name: str
    folder: Path
    config: str
    port: int = field(default_factory=free_port)
    sentinel: bool = False
    proc: subprocess.Popen[bytes] | None = None

    def start(self, within: float = 10.0) -> Node:
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "redis.conf"
        if not conf.exists():  # a sentinel rewrites its own file: keep what it learnt
            where = f"port {self.port}\nbind 127.0.0.1\ndir {self.folder}\n"
            conf.write_text(where + self.config)
        cmd = ["redis-server", str(conf)] + (["--sentinel"] if self.sentinel else [])
        log = (self.folder / "log.txt").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if port_answers(self.port, within):
            return self
        self.stop()
        raise AssertionError(f"{self.name} did not start on port {self.port}: see {self.folder}")

    def stop(self, kill: bool = False) -> None:
        if self.proc is not None:
            end_process(self.proc, kill)
            self.proc = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, password=PASSWORD, socket_timeout=2.0)


def data_config(replica_of: int | None = None) -> str:
    """A data server: AOF fsynced on every write, a password, maybe a replica."""
    lines = ['save ""', "appendonly yes", "appendfsync always"]
    lines += [f"requirepass {PASSWORD}", f"masterauth {PASSWORD}"]
    if replica_of is not None:
        lines.append(f"replicaof 127.0.0.1 {replica_of}")
    return "\n".join(lines) + "\n"


def sentinel_config(primary: int, down_after_ms: int, failover_timeout_ms: int) -> str:
    """A sentinel watching ``primary`` (quorum 2 of 3), password on it and its peers."""
    lines = [f"requirepass {PASSWORD}", f"sentinel sentinel-pass {PASSWORD}"]
    lines += [
        f"sentinel monitor {MASTER} 127.0.0.1 {primary} 2",
        f"sentinel auth-pass {MASTER} {PASSWORD}",
        f"sentinel down-after-milliseconds {MASTER} {down_after_ms}",
        f"sentinel failover-timeout {MASTER} {failover_timeout_ms}",
        f"sentinel parallel-syncs {MASTER} 1",
    ]
    return "\n".join(lines) + "\n"


class SentinelCluster:
    """A primary, ``replicas`` replicas and three sentinels on loopback; a context manager
    that stops every process it started."""

    def __init__(
        self,
        folder: Path,
        replicas: int = 1,
        down_after_ms: int = 1000,
        failover_timeout_ms: int = 2000,
    ) -> None:
        self.folder = folder
        self.data: list[Node] = []
        self.sentinels: list[Node] = []
        primary = Node("primary", folder / "primary", data_config())
        self.data.append(primary)
        for i in range(replicas):
            config = data_config(replica_of=primary.port)
            self.data.append(Node(f"replica{i + 1}", folder / f"replica{i + 1}", config))
        config = sentinel_config(primary.port, down_after_ms, failover_timeout_ms)
        for i in range(3):
            self.sentinels.append(
                Node(f"sentinel{i + 1}", folder / f"sentinel{i + 1}", config, sentinel=True)
            )

    @property
    def url(self) -> str:
        """The ``--redis`` URL of this cluster: every sentinel, the master's name, db 0."""
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://:{PASSWORD}@{hosts}/{MASTER}/0"

    def start(self, within: float = 30.0) -> SentinelCluster:
        for node in [*self.data, *self.sentinels]:
            node.start()
        # Ready when every replica is in sync and every sentinel knows them and its peers.
        self.wait(self._settled, within, "replicas in sync and sentinels acquainted")
        return self

    def stop(self) -> None:
        for node in [*self.sentinels, *self.data]:
            node.stop()

    def __enter__(self) -> SentinelCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- asking the sentinels -------------------------------------------------------------

    def primary_port(self) -> int | None:
        """The primary's port as the majority of live sentinels names it, else None."""
        votes: dict[int, int] = {}
        for sentinel in self.sentinels:
            if not sentinel.alive:
                continue
            with contextlib.suppress(redis.RedisError), sentinel.client() as client:
                address = client.sentinel_get_master_addr_by_name(MASTER)
                if address:
                    port = int(address[1])
                    votes[port] = votes.get(port, 0) + 1
        for port, count in votes.items():
            if count >= 2:
                return port
        return None

    def node(self, port: int) -> Node:
        return next(n for n in self.data if n.port == port)

    @property
    def primary(self) -> Node:
        port = self.primary_port()
        assert port is not None, "the sentinels do not agree on a primary"
        return self.node(port)

    def _settled(self) -> bool:
        port = self.primary_port()
        if port is None:
            return False
        primary = self.node(port)
        live = [n for n in self.data if n.alive and n is not primary]
        try:
            with primary.client() as client:
                if client.info("replication")["role"] != "master":
                    return False
                # In sync: every live replica confirms a write made now (WAIT asks them,
                # where INFO shows offsets they acknowledge only once a second).
                client.incr("sentinel-cluster:settled")
                if live and client.wait(len(live), 500) < len(live):
                    return False
            for sentinel in self.sentinels:
                with sentinel.client() as client:
                    state = client.sentinel_master(MASTER)
                if state["num-slaves"] < len(live) or state["num-other-sentinels"] < 2:
                    return False
        except (redis.RedisError, KeyError):
            return False
        return True

    @staticmethod
    def wait(predicate: Callable[[], bool], within: float, what: str) -> None:
        """Poll ``predicate`` (blocking: run it in a thread from async code)."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {within} s waiting for {what}")
            time.sleep(0.05)

    # --- faults ---------------------------------------------------------------------------

    def kill_primary(self) -> tuple[Node, float]:
        """SIGKILL the current primary (a dead host: no goodbye to anyone); returns it and
        the moment of the kill (``time.monotonic()``), taken after asking the sentinels."""
        primary = self.primary
        killed_at = time.monotonic()
        primary.stop(kill=True)
        return primary, killed_at

    def wait_promoted(self, old: Node, within: float = 30.0) -> Node:
        """Wait until the sentinels name a primary other than ``old`` and it says it is one."""

        def promoted() -> bool:
            port = self.primary_port()
            if port is None or port == old.port:
                return False
            with contextlib.suppress(redis.RedisError), self.node(port).client() as client:
                return bool(client.info("replication")["role"] == "master")
            return False

        self.wait(promoted, within, "a replica promoted by the sentinels")
        return self.primary

    def restart(self, node: Node, within: float = 30.0) -> None:
        """Start a killed data server again as a replica of the current primary; returns
        once it is in sync. The sentinels would convert it themselves, but only after
        watching it for 8–18 s; an operator (or its service unit) points it at once."""
        primary = self.primary
        node.start()
        with node.client() as client:
            client.replicaof("127.0.0.1", primary.port)
        self.wait(self._settled, within, f"{node.name} back as a replica in sync")
