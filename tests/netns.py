"""A private network namespace for browser WebRTC tests.

Debian's Chromium never offers 127.0.0.1 as an ICE candidate, and media in tests must not
go to the machine's own address. So a test makes a namespace of its own (as root; CI runs
as root) holding a veth pair with private test addresses, both ends up and a default route,
and runs the wall server, Chromium and any other peer (aiortc, ``simple-whip-client``)
inside it: Chromium then offers the veth addresses, aiortc gathers them, and no packet
leaves the namespace.

How each party gets in:

* the wall server and command-line peers: ``ip netns exec <ns> …`` (``NetNamespace.wrap``);
* Chromium: Playwright launches a one-line wrapper script as its "executable" that
  ``exec``s ``ip netns exec <ns> chromium "$@"``. Playwright's driver stays outside and
  talks to Chromium over the ``--remote-debugging-pipe`` file descriptors, which survive
  the ``exec``; no debugging port is opened anywhere;
* the test itself (HTTP and WebSocket checks against the server): ``NetNamespace.forward``
  listens on a loopback port outside and opens each upstream socket from a thread that
  has joined the namespace (a socket keeps the namespace it was made in).

For TURN tests, ``split_network`` makes three namespaces (a centre, a DMZ holding the TURN
server, a ship) where the ship cannot reach the centre at all; ``NetNamespace.loop`` runs
an event loop in a thread that has joined a namespace (aiortc peers in the test process),
and ``forward(listen_in=…)`` carries signalling from one namespace into another.

Names are unique per run (``ccv<pid>x<random>``); ``network_namespace`` always deletes its
namespace and kills what still runs in it, and sweeps namespaces left by dead test runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from chromiumsupport import CHROMIUM, fresh_chromium
from playwright.async_api import BrowserContext
from wallprocess import CHROMIUM_ARGS, WallProcess
from wallsupport import WALL_2X2

T = TypeVar("T")
PREFIX = "ccv"
CLONE_NEWNET = 0x40000000
NS_ADDRESSES = ("10.77.0.1", "10.77.0.2")
# Chromium as a bridge point: fake camera and microphone, no permission prompt, and the
# real host address in its candidates instead of an mDNS name (nothing resolves those here).
WEBRTC_ARGS = [
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


def why_not_available() -> str | None:
    """None when namespaces can be made here; otherwise the reason (for ``pytest.skip``)."""
    if os.geteuid() != 0:
        return "network-namespace WebRTC tests need root (ip netns add); CI runs as root"
    if shutil.which("ip") is None:
        return "the 'ip' command (iproute2) is missing"
    return None


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {result.stderr.strip()}")


@dataclass
class NetNamespace:
    """One namespace: ``lo`` and a veth pair ``cc0`` (10.77.0.1) / ``cc1`` (10.77.0.2), up,
    with a default route via ``cc1``."""

    name: str
    workdir: Path
    addresses: tuple[str, str] = NS_ADDRESSES
    _executor: ThreadPoolExecutor | None = field(default=None, repr=False)

    def wrap(self, cmd: list[str]) -> list[str]:
        """``cmd`` run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *cmd]

    def chromium_launcher(self) -> Path:
        """An executable Playwright can launch in place of Chromium: Chromium in here."""
        path = self.workdir / "chromium-in-netns"
        if not path.exists():
            path.write_text(f'#!/bin/sh\nexec ip netns exec {self.name} {CHROMIUM} "$@"\n')
            path.chmod(0o755)
        return path

    def chromium_args(self, y4m: Path | None = None) -> list[str]:
        """The usual test flags plus the fake camera (``y4m``: the picture it shows)."""
        extra = [f"--use-file-for-fake-video-capture={y4m}"] if y4m else []
        return [*CHROMIUM_ARGS, *WEBRTC_ARGS, *extra]

    def pids(self) -> list[int]:
        out = subprocess.run(
            ["ip", "netns", "pids", self.name], capture_output=True, text=True, timeout=10
        ).stdout
        return [int(p) for p in out.split()]

    def _enter(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"setns into {self.name}: {os.strerror(err)}")
        finally:
            os.close(fd)

    def _socket_executor(self) -> ThreadPoolExecutor:
        # One thread that has joined the namespace; sockets it makes live in there.
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, f"netns-{self.name}", initializer=self._enter)
        return self._executor

    @contextlib.asynccontextmanager
    async def forward(
        self, port: int, host: str = "127.0.0.1", listen_in: NetNamespace | None = None
    ) -> AsyncIterator[int]:
        """A loopback port outside (or inside ``listen_in``: a ship's way to the centre's
        web port, as a proxy gives it) that leads to ``host:port`` inside; yields that port.
        For HTTP and WebSocket calls only: no media goes this way."""
        loop = asyncio.get_running_loop()

        def connect() -> object:
            import socket

            sock = socket.create_connection((host, port), timeout=10)
            sock.setblocking(False)
            return sock

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                sock = await loop.run_in_executor(self._socket_executor(), connect)
            except OSError:
                writer.close()
                return
            up_reader, up_writer = await asyncio.open_connection(sock=sock)
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        if listen_in is None:
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
        else:
            listener = await loop.run_in_executor(listen_in._socket_executor(), _listener)
            server = await asyncio.start_server(handle, sock=listener)
        try:
            yield int(server.sockets[0].getsockname()[1])
        finally:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 5)

    @contextlib.asynccontextmanager
    async def loop(self) -> AsyncIterator[NamespaceLoop]:
        """An event loop in a thread of its own that has joined this namespace: every
        socket made on it (aiortc's ICE sockets, HTTP clients) lives in here."""
        ready: concurrent.futures.Future[asyncio.AbstractEventLoop] = concurrent.futures.Future()

        def main() -> None:
            self._enter()
            inner = asyncio.new_event_loop()
            ready.set_result(inner)
            inner.run_forever()
            inner.run_until_complete(inner.shutdown_asyncgens())
            inner.close()

        thread = threading.Thread(target=main, name=f"loop-{self.name}", daemon=True)
        thread.start()
        inner = await asyncio.wrap_future(ready)
        try:
            yield NamespaceLoop(inner)
        finally:
            inner.call_soon_threadsafe(inner.stop)
            await asyncio.get_running_loop().run_in_executor(None, thread.join, 30)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


@dataclass
class NamespaceLoop:
    """An event loop running in a namespace's thread (``NetNamespace.loop``)."""

    inner: asyncio.AbstractEventLoop

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the namespace's loop and wait for it from the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.inner))


def _listener() -> object:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    return sock


def _sweep_stale() -> None:
    """Delete namespaces of earlier test runs whose process is gone (a killed pytest)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX) or "x" not in name:
            continue
        pid = name[len(PREFIX) :].split("x", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _delete(name)


def _delete(name: str) -> None:
    pids = subprocess.run(
        ["ip", "netns", "pids", name], capture_output=True, text=True, timeout=10
    ).stdout.split()
    for pid in pids:  # only processes inside our own namespace: ours by construction
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), 9)
    subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=30)


@contextlib.contextmanager
def _bare_namespace(addresses: tuple[str, str] = NS_ADDRESSES) -> Iterator[NetNamespace]:
    """A namespace with only ``lo`` up; deleted afterwards, whatever happens."""
    reason = why_not_available()
    if reason:
        raise RuntimeError(reason)
    _sweep_stale()
    name = f"{PREFIX}{os.getpid()}x{secrets.token_hex(3)}"
    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    ns = NetNamespace(name, workdir, addresses)
    _ip("netns", "add", name)
    try:
        _ip("-n", name, "link", "set", "lo", "up")
        yield ns
    finally:
        ns.close()
        _delete(name)
        shutil.rmtree(workdir, ignore_errors=True)


def _veth(
    a: NetNamespace, a_dev: str, a_addr: str, b: NetNamespace, b_dev: str, b_addr: str
) -> None:
    """A cable between two namespaces (or within one, when ``a is b``), both ends up."""
    _ip("-n", a.name, "link", "add", a_dev, "type", "veth", "peer", "name", b_dev, "netns", b.name)
    for ns, dev, addr in ((a, a_dev, a_addr), (b, b_dev, b_addr)):
        _ip("-n", ns.name, "addr", "add", f"{addr}/24", "dev", dev)
        _ip("-n", ns.name, "link", "set", dev, "up")


@contextlib.contextmanager
def network_namespace(default_route: bool = True) -> Iterator[NetNamespace]:
    """A fresh namespace for the duration of the block; deleted afterwards, whatever happens.
    ``default_route=False``: no route beyond 10.77.0.0/24 at all, like a closed network
    (anything else is unreachable at once)."""
    with _bare_namespace() as ns:
        a, b = ns.addresses
        _veth(ns, "cc0", a, ns, "cc1", b)
        if default_route:
            _ip("-n", ns.name, "route", "add", "default", "via", b, "dev", "cc0")
        yield ns


@dataclass(frozen=True)
class SplitNetwork:
    """A centre and a ship that cannot reach each other, and a DMZ between them holding the
    TURN server with one leg on each side (it forwards nothing itself: no IP forwarding in
    a new namespace). The centre's LAN is 10.77.1.0/24 (centre 10.77.1.1, the DMZ's leg
    10.77.1.2), the ship's link 10.77.2.0/24 (ship 10.77.2.2, the DMZ's leg 10.77.2.1)."""

    centre: NetNamespace
    dmz: NetNamespace
    ship: NetNamespace
    centre_address: str = "10.77.1.1"
    dmz_centre_leg: str = "10.77.1.2"
    dmz_ship_leg: str = "10.77.2.1"
    ship_address: str = "10.77.2.2"


@contextlib.contextmanager
def split_network() -> Iterator[SplitNetwork]:
    """Three namespaces wired as ``SplitNetwork`` says; all deleted afterwards."""
    with (
        _bare_namespace(("10.77.1.1", "10.77.1.2")) as centre,
        _bare_namespace(("10.77.1.2", "10.77.2.1")) as dmz,
        _bare_namespace(("10.77.2.2", "10.77.2.1")) as ship,
    ):
        net = SplitNetwork(centre, dmz, ship)
        _veth(centre, "lan0", net.centre_address, dmz, "lan1", net.dmz_centre_leg)
        _veth(ship, "sat0", net.ship_address, dmz, "sat1", net.dmz_ship_leg)
        yield net


def write_y4m(path: Path, width: int = 320, height: int = 240, frames: int = 30) -> Path:
    """A short raw video for Chromium's fake camera: a grey background, a white block that
    moves a step each frame (so every frame differs) and a dark band, 4:2:0, 30 fps."""
    block = max(8, width // 8)
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
        chroma = bytes([128]) * ((width // 2) * (height // 2))
        for i in range(frames):
            luma = bytearray([96]) * (width * height)
            x0 = (i * (width - block)) // max(1, frames - 1)
            for y in range(height // 3, height // 3 + block):
                luma[y * width + x0 : y * width + x0 + block] = bytes([235]) * block
            for y in range(height - height // 6, height):
                luma[y * width : (y + 1) * width] = bytes([16]) * width
            f.write(b"FRAME\n")
            f.write(bytes(luma))
            f.write(chroma)
            f.write(chroma)
    return path


# ---- fixtures (registered for tests/browser in its conftest) ----------------------------


@pytest.fixture
def netns() -> Iterator[NetNamespace]:
    """A fresh namespace per test; skipped, saying why, when not root."""
    reason = why_not_available()
    if reason:
        pytest.skip(reason)
    with network_namespace() as ns:
        yield ns


@pytest.fixture
def fake_camera(tmp_path: Path) -> Path:
    return write_y4m(tmp_path / "camera.y4m")


@pytest.fixture
async def netns_browser(netns: NetNamespace, fake_camera: Path) -> AsyncIterator[BrowserContext]:
    """Chromium inside ``netns`` with a fake camera showing ``fake_camera``."""
    launcher = str(netns.chromium_launcher())
    async with fresh_chromium(launcher, netns.chromium_args(fake_camera)) as context:
        yield context


@pytest.fixture
def netns_wall(netns: NetNamespace, tmp_path: Path) -> Iterator[WallProcess]:
    """``run_wall.py`` (2 × 2 wall, embedded store) inside ``netns``."""
    wall = WallProcess(data_dir=tmp_path / "data", wall_file=WALL_2X2, launcher=netns.wrap([]))
    wall.start()
    try:
        yield wall
    finally:
        wall.stop()
