"""A wall server in its own process, as an operations room runs it: for kill/restart tests,
browser tests and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wallsupport import WALL_2X2

from command_center.chromium import QUIET_ARGS

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium as the browser tests and benchmarks drive it (browsers cannot be
# downloaded here): no network chatter, and kiosk pages keep their timers when not focused.
CHROMIUM_ARGS = [
    *QUIET_ARGS,
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
URL_LINE = re.compile(r"The wall is running at (https?://\S+)")
# Printed with their tokens at the first start only (when the key file is made).
SCREEN_LINE = re.compile(r"Screen (\S+): (https?://\S+\?token=\S+)")
BRIDGE_LINE = re.compile(r"Bridge point (\S+): (https?://\S+\?token=\S+)")
USER_LINE = re.compile(r"^\s+(\S+)\s+(\S+)\s+\((\w+)\)\s*$")


@dataclass
class WallProcess:
    """``python run_wall.py`` on 127.0.0.1; parses the URLs and credentials it prints."""

    data_dir: Path
    wall_file: Path | None = None
    port: int = 0
    extra: list[str] = field(default_factory=list)
    # Runs the server under another command, e.g. ``ip netns exec <ns>`` (tests/netns.py).
    launcher: list[str] = field(default_factory=list)
    url: str = ""
    screens: dict[str, str] = field(default_factory=dict)
    bridges: dict[str, str] = field(default_factory=dict)  # point id -> its page's URL
    users: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (name, password)
    proc: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    def start(self, timeout: float = 60.0) -> WallProcess:
        cmd = [*self.launcher, sys.executable, str(ROOT / "run_wall.py"), "--no-browser"]
        cmd += ["--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra]
        if "--schedule" not in self.extra:
            # The shipped schedule would switch the wall at its times, in the middle of a
            # test that expects it to keep its preset: a test that wants one names it.
            cmd += ["--schedule", "none"]
        if self.wall_file is not None:
            cmd += ["--wall", str(self.wall_file)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        ready = threading.Event()
        threading.Thread(target=self._read, args=(self.proc, ready), daemon=True).start()
        # The reader also sets `ready` when the output ends: a server that exits at once
        # (a bad preset, say) fails here with its own words, not later with a KeyError.
        if not ready.wait(timeout) or self.proc.poll() is not None or not self.url:
            self.stop()
            raise AssertionError("wall server did not start:\n" + "".join(self.output[-40:]))
        return self

    def _read(self, proc: subprocess.Popen[str], ready: threading.Event) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.output.append(line)
            if m := URL_LINE.search(line):
                self.url = m.group(1)
                self.port = int(self.url.rsplit(":", 1)[1])
            elif m := SCREEN_LINE.search(line):
                self.screens[m.group(1)] = m.group(2)
            elif m := BRIDGE_LINE.search(line):
                self.bridges[m.group(1)] = m.group(2)
            elif (m := USER_LINE.match(line)) and self.url:
                self.users[m.group(3)] = (m.group(1), m.group(2))
            elif line.startswith("Sẵn sàng · Ready"):
                ready.set()
        ready.set()

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None

    def restart(self, kill: bool = True, pause_s: float = 0.5) -> WallProcess:
        """Stop (``kill -9`` by default) and start again on the same port and data."""
        self.stop(kill=kill)
        time.sleep(pause_s)
        users, screens, bridges = self.users, self.screens, self.bridges
        self.output = []
        self.start()
        # Printed only on the first start; the key file keeps them valid.
        self.users = users
        self.screens, self.bridges = screens | self.screens, bridges | self.bridges
        return self

    @property
    def keys_file(self) -> Path:
        if "--keys-file" in self.extra:
            return Path(self.extra[self.extra.index("--keys-file") + 1])
        return self.data_dir / "keys.json"

    def token(self, kind: str, ident: str) -> str:
        """The current token of a screen, bridge point or agency, from the server's key file
        (as ``run_wall.py kiosk`` would print it)."""
        from command_center.credentials import issue_token
        from command_center.server.keys import KeyFile

        return issue_token(KeyFile.open(self.keys_file).current(), kind, ident)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RedisServer:
    """A redis-server of our own on a loopback port, to stop and start again on the same
    port (a Redis restart). With ``folder`` it keeps an append-only file there, fsynced on
    every write, so what it acknowledged survives the restart; without, nothing on disk."""

    port: int = field(default_factory=lambda: free_port())
    folder: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        if self.folder is None:
            cmd += ["--appendonly", "no"]
        else:
            cmd += ["--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        if port_answers(self.port, within=10):
            return self
        self.stop()
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self, kill: bool = False) -> None:
        if self.proc is not None:
            end_process(self.proc, kill)
            self.proc = None


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python run_wall.py …`` as a person runs it, to its end (two minutes at most)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "run_wall.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def arun_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``run_cli`` in a thread: the event loop (and a server on it) runs meanwhile."""
    return await asyncio.to_thread(run_cli, *args)


def end_process(proc: subprocess.Popen[bytes], kill: bool = False) -> None:
    """SIGKILL (``kill``) or SIGTERM ``proc``, then reap it."""
    if kill:
        proc.kill()
    else:
        proc.terminate()
    proc.wait(10)


def port_answers(port: int, within: float) -> bool:
    """Whether something accepts connections on 127.0.0.1:``port`` within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        time.sleep(0.05)
    return False


def quiet_wall(data_dir: Path, wall_file: Path, *extra: str) -> WallProcess:
    """A started wall server with no simulator: its screens show only what the test reports."""
    return WallProcess(
        data_dir=data_dir, wall_file=wall_file, extra=["--no-simulator", *extra]
    ).start()


@contextlib.contextmanager
def started_pair(a: WallProcess, b: WallProcess) -> Iterator[None]:
    """Start ``a``, then ``b`` (the first makes the keys and accounts); stop ``b`` first."""
    a.start()
    try:
        b.start()
        yield
    finally:
        b.stop()
        a.stop()


@contextlib.contextmanager
def wall_pair(
    folder: Path,
    redis_url: str,
    *,
    list_servers: bool = True,
    simulator: bool = False,
    extra: Sequence[str] = (),
    b_extra: Sequence[str] = (),
) -> Iterator[tuple[WallProcess, WallProcess]]:
    """Wall processes A then B of the 2 x 2 wall on Redis at ``redis_url``, sharing one keys
    file in ``folder``; each started with both servers' URLs (``--server``) when
    ``list_servers``. ``extra`` goes to both, ``b_extra`` to B alone. Stopped B first."""
    a_port, b_port = free_port(), free_port()
    args = ["--redis", redis_url, "--keys-file", str(folder / "keys.json"), *extra]
    if not simulator:
        args.append("--no-simulator")
    if list_servers:
        for port in (a_port, b_port):
            args += ["--server", f"http://127.0.0.1:{port}"]
    a = WallProcess(data_dir=folder / "a", wall_file=WALL_2X2, port=a_port, extra=args)
    b = WallProcess(data_dir=folder / "b", wall_file=WALL_2X2, port=b_port, extra=[*args, *b_extra])
    with started_pair(a, b):
        yield a, b


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """A redis-server of our own on a free loopback port, nothing on disk; killed after.
    For tests whose servers share fixed key names and channels (several wall processes)."""
    server = RedisServer().start()
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def video_pair(folder: Path) -> Iterator[tuple[WallProcess, WallProcess]]:
    """``wall_pair`` on a private Redis, media on loopback only: the two-server video tests."""
    with (
        private_redis() as url,
        wall_pair(folder, url, extra=["--ice-address", "127.0.0.1"]) as walls,
    ):
        yield walls
