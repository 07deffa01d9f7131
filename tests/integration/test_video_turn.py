"""TURN for a point behind NAT, against Debian's coturn (issue 10 point 4).

Three network namespaces (tests/netns.py ``split_network``): the centre runs the wall
(``run_wall.py``) and the operations room's subscriber; a ship runs a headless bridge point;
a DMZ between them runs ``turnserver`` with one leg on each side and forwards nothing
itself. The ship reaches the centre's web port through a signalling forwarder (as a proxy
would give it) but has no route to the centre's addresses, so no host or reflexive
candidate pair can work: media flows only through TURN, or not at all. Both halves are
tested: with ``turn:`` the room receives the ship's frames over a relay pair and coturn
shows the allocation and the permission for the centre; without it the same ship never
connects and the centre gives its session up.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from netns import NamespaceLoop, SplitNetwork, split_network, why_not_available
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until

from video.aiortc_hooks import EncodedFrame, selected_pairs
from video.ice import IceServer, parse_ice_server
from video.media import TestPatternTrack
from video.whip_client import Link, publish, watch

POINT = "quang-ninh"
TURN_USER, TURN_PASSWORD = "tau-ca", "bien-dong-7"


def _why_skip() -> str | None:
    if reason := why_not_available():
        return reason
    if shutil.which("turnserver") is None:
        return "Debian's coturn is missing (make system-deps installs it)"
    return None


pytestmark = pytest.mark.skipif(_why_skip() is not None, reason=_why_skip() or "")


@dataclass
class Coturn:
    """``turnserver`` run by the test with arguments of its own (no config file: ``-n``),
    in the DMZ; its log is kept for the test to read."""

    proc: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def seen(self, text: str) -> bool:
        return any(text in line for line in list(self.log))


@contextlib.contextmanager
def coturn(net: SplitNetwork, workdir: Path) -> Iterator[Coturn]:
    cmd = [
        "turnserver",
        "-n",
        "--no-cli",
        "--listening-ip",
        net.dmz_ship_leg,
        "--listening-ip",
        net.dmz_centre_leg,
        "--listening-port",
        "3478",
        "--relay-ip",
        net.dmz_centre_leg,  # relayed media leaves towards the centre's LAN
        "--min-port",
        "49152",
        "--max-port",
        "49252",
        "--realm",
        "centre.test",
        "--lt-cred-mech",
        "--user",
        f"{TURN_USER}:{TURN_PASSWORD}",
        "--no-tcp",  # UDP only, as a satellite point uses it
        "--no-tls",
        "--no-dtls",
        "--userdb",
        str(workdir / "turndb"),
        "--pidfile",
        str(workdir / "turnserver.pid"),
        "--log-file",
        "stdout",
        "--simple-log",
        "--verbose",
    ]
    proc = subprocess.Popen(
        net.dmz.wrap(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    server = Coturn(proc)

    def read() -> None:
        assert proc.stdout is not None
        with contextlib.suppress(ValueError, OSError):  # closed at the end
            for line in proc.stdout:
                server.log.append(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()


@dataclass
class Setup:
    net: SplitNetwork
    wall: WallProcess
    turn: Coturn
    ship: NamespaceLoop
    room: NamespaceLoop
    ship_url: str  # the centre's web port as the ship reaches it (through the forwarder)
    console_port: int  # the same from the test process


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    with split_network() as net, coturn(net, tmp_path) as turn:
        # The centre configured as README says: the TURN URL its points reach, handed to
        # the bridge pages too. The centre itself has no route to that address: its relay
        # leaves the server out of its answers instead of waiting 5 s on it in each one.
        wall = WallProcess(
            data_dir=tmp_path / "data",
            wall_file=WALL_2X2,
            launcher=net.centre.wrap([]),
            extra=["--ice-server", _turn_url(net)],
        )
        wall.start()
        try:
            await wait_until(
                lambda: turn.seen("listener opened on") or turn.proc.poll() is not None,
                within=20,
                what="coturn listening",
            )
            assert turn.proc.poll() is None, "".join(turn.log[-30:])
            async with (
                net.centre.forward(wall.port, listen_in=net.ship) as ship_port,
                net.centre.forward(wall.port) as console_port,
                net.ship.loop() as ship,
                net.centre.loop() as room,
            ):
                yield Setup(
                    net, wall, turn, ship, room, f"http://127.0.0.1:{ship_port}", console_port
                )
        finally:
            wall.stop()


def _turn_url(net: SplitNetwork) -> str:
    return f"turn:{TURN_USER}:{TURN_PASSWORD}@{net.dmz_ship_leg}:3478"


def _turn(net: SplitNetwork) -> IceServer:
    return parse_ice_server(_turn_url(net))


async def _publish(s: Setup, ice: tuple[IceServer, ...]) -> Link:
    token = s.wall.token("bridge", POINT)
    return await publish(
        s.ship_url, POINT, token, [TestPatternTrack(320, 240)], None, ice_servers=ice
    )


class Frames:
    def __init__(self) -> None:
        self.video = 0

    def __call__(self, tag: str, frame: EncodedFrame) -> None:
        if tag == "video":
            self.video += 1


async def _watch(s: Setup, frames: Frames) -> Link:
    credential = f"point:room:{s.wall.token('bridge', 'room')}"
    return await watch(
        f"http://127.0.0.1:{s.wall.port}", POINT, credential, frames, None, ("video",)
    )


async def _closed(link: Link) -> None:
    await link.close()


async def _roster_entry(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, object]:
    r = await client.get("/api/v1/video/roster", headers=headers)
    assert r.status_code == 200, r.text
    return next(p for p in r.json()["points"] if p["id"] == POINT)


@contextlib.asynccontextmanager
async def _console(s: Setup) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    name, password = s.wall.users["viewer"]
    base = f"http://127.0.0.1:{s.console_port}"
    async with httpx.AsyncClient(base_url=base) as client:
        r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
        assert r.status_code == 201, r.text
        yield client, {"Authorization": f"Bearer {r.json()['token']}"}


async def test_a_ship_behind_nat_reaches_the_room_through_turn(setup: Setup) -> None:
    s = setup
    link = await s.ship.run(_publish(s, (_turn(s.net),)))
    frames = Frames()
    room_link: Link | None = None
    try:
        await wait_until(
            lambda: s.ship.run(_state(link)), within=30, what="the ship's link connected"
        )
        room_link = await s.room.run(_watch(s, frames))
        await wait_until(lambda: frames.video >= 30, within=30, what="30 frames in the room")
        pairs = await s.ship.run(_pairs(link))
        assert pairs and all(local == "relay" for local, _ in pairs), pairs
        # coturn's own account: an allocation for the ship, a channel to the centre.
        assert s.turn.seen("ALLOCATE processed, success"), "".join(s.turn.log[-40:])
        assert s.turn.seen("CHANNEL_BIND processed, success"), "".join(s.turn.log[-40:])
        assert s.turn.seen(f"peer {s.net.centre_address}:"), "".join(s.turn.log[-40:])
        # The centre cannot reach the ship-side TURN address: its relay said so, and
        # answered without it (the operator's warning).
        assert any("does not answer" in line for line in s.wall.output), s.wall.output[-20:]
    finally:
        if room_link is not None:
            await s.room.run(_closed(room_link))
        await s.ship.run(_closed(link))


async def test_without_turn_the_same_ship_never_connects(setup: Setup) -> None:
    s = setup
    link = await s.ship.run(_publish(s, ()))  # signalling works: the answer comes back
    frames = Frames()
    room_link: Link | None = None
    seen: list[dict[str, object]] = []
    try:
        async with _console(s) as (client, headers):
            entry = await _roster_entry(client, headers)
            assert entry["online"], entry
            room_link = await s.room.run(_watch(s, frames))

            async def given_up() -> bool:
                entry = await _roster_entry(client, headers)
                seen.append(entry)
                return not entry["online"]

            # The centre hears nothing from the ship and ends the session (its 10 s
            # connect timeout); the ship's link never came up, and nothing reached the room.
            await wait_until(given_up, within=30, interval=0.25, what="the centre gave up")
        assert not any(e["in_call"] for e in seen), seen
        assert frames.video == 0
        assert not await s.ship.run(_state(link))
        assert await s.ship.run(_pairs(link)) == []
    finally:
        if room_link is not None:
            await s.room.run(_closed(room_link))
        await s.ship.run(_closed(link))


async def _state(link: Link) -> bool:
    return link.pc.connectionState == "connected"


async def _pairs(link: Link) -> list[tuple[str, str]]:
    return selected_pairs(link.pc)
