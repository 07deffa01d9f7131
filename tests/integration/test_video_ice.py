"""ICE on a closed network: the relay and the headless client use exactly the configured
STUN/TURN servers; with none configured, no peer connection carries aiortc's public default;
a configured server that does not answer is left out of the relay's answers (aioice would
wait 5 s for it in each one).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aioice import stun
from relaysupport import LOOPBACK, video_runtime
from wallsupport import settings_for, wait_until

from command_center.server.runtime import WallRuntime, open_runtime
from video.aiortc_hooks import ice_servers_in_use
from video.ice import IceServer
from video.media import ToneTrack
from video.tokens import point_token
from video.whip_client import publish

POINT = "quang-ninh"


class StunServer(asyncio.DatagramProtocol):
    """A STUN server on 127.0.0.1 that answers binding requests and remembers who asked."""

    def __init__(self) -> None:
        self.asked_by: list[tuple[str, int]] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = stun.parse_message(data)
        if request.message_method != stun.Method.BINDING:
            return
        self.asked_by.append(addr)
        response = stun.Message(
            message_method=stun.Method.BINDING,
            message_class=stun.Class.RESPONSE,
            transaction_id=request.transaction_id,
        )
        response.attributes["XOR-MAPPED-ADDRESS"] = addr
        assert self.transport is not None
        self.transport.sendto(bytes(response), addr)


class Blackhole(StunServer):
    """A UDP port that takes every request and answers none (a server out of reach)
    until ``silent`` is cleared."""

    def __init__(self) -> None:
        super().__init__()
        self.silent = True
        self.requests = 0

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.requests += 1
        if not self.silent:
            super().datagram_received(data, addr)


@pytest.fixture
async def stun_server() -> AsyncIterator[tuple[StunServer, int]]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        StunServer, local_addr=("127.0.0.1", 0)
    )
    try:
        yield protocol, transport.get_extra_info("sockname")[1]
    finally:
        transport.close()


async def _publish(rt: WallRuntime, ice: tuple[IceServer, ...] = ()) -> object:
    return await publish(
        f"http://127.0.0.1:{rt.port}",
        POINT,
        point_token(rt.keys.devices, POINT),
        [ToneTrack()],  # type: ignore[list-item]
        host_addresses=LOOPBACK,
        ice_servers=ice,
    )


async def test_no_public_stun_server_by_default(tmp_path: Path) -> None:
    async with video_runtime(tmp_path) as rt:
        assert rt.video is not None
        link = await _publish(rt)
        try:
            session = rt.video.publishers[POINT]
            assert ice_servers_in_use(session.pc) == []
            assert ice_servers_in_use(link.pc) == []  # type: ignore[attr-defined]
        finally:
            await link.close()  # type: ignore[attr-defined]


async def test_configured_stun_server_is_asked_by_relay_and_client(
    tmp_path: Path, stun_server: tuple[StunServer, int]
) -> None:
    server, port = stun_server
    ice = (IceServer(f"stun:127.0.0.1:{port}"),)
    async with video_runtime(tmp_path, ice_servers=ice) as rt:
        assert rt.video is not None
        link = await _publish(rt, ice)
        try:
            # One binding request from the client's offer and one from the relay's answer,
            # each from its own ICE socket.
            await wait_until(lambda: len(set(server.asked_by)) >= 2)
            relay_pc = rt.video.publishers[POINT].pc
            assert ice_servers_in_use(relay_pc) == [("127.0.0.1", port)]
        finally:
            await link.close()  # type: ignore[attr-defined]


async def test_an_unreachable_server_is_left_out_of_the_answers(
    tmp_path: Path, stun_server: tuple[StunServer, int]
) -> None:
    """First a STUN server that never answers, then one that does: the relay's answers use
    the second (aiortc takes the first STUN server of a list), the watch says which is
    down, and once the silent one answers again it is used again."""
    loop = asyncio.get_running_loop()
    hole, silent = await loop.create_datagram_endpoint(Blackhole, local_addr=("127.0.0.1", 0))
    try:
        port = hole.get_extra_info("sockname")[1]
        _, good = stun_server
        ice = (IceServer(f"stun:127.0.0.1:{port}"), IceServer(f"stun:127.0.0.1:{good}"))
        async with video_runtime(tmp_path, ice_servers=ice) as rt:
            assert rt.video is not None
            assert silent.requests > 0  # it was asked, and said nothing
            assert rt.video.ice.down() == ice[:1]
            link = await _publish(rt)
            try:
                relay_pc = rt.video.publishers[POINT].pc
                assert ice_servers_in_use(relay_pc) == [("127.0.0.1", good)]
            finally:
                await link.close()  # type: ignore[attr-defined]
            # The silent server comes back: used again after the next round.
            silent.silent = False
            await rt.video.ice.check()
            assert rt.video.ice.usable() == ice
            link = await _publish(rt)
            try:
                relay_pc = rt.video.publishers[POINT].pc
                assert ice_servers_in_use(relay_pc) == [("127.0.0.1", port)]
            finally:
                await link.close()  # type: ignore[attr-defined]
    finally:
        hole.close()


def test_server_flag_reaches_the_relay(tmp_path: Path) -> None:
    from command_center.cli import parser

    args = parser().parse_args(["--ice-server", "turn:tau:b1mat@10.0.0.9:3478"])
    assert args.ice_servers == ["turn:tau:b1mat@10.0.0.9:3478"]
    with pytest.raises(SystemExit):
        parser().parse_args(["--ice-server", "turn:10.0.0.9:3478"])


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((), []),
        (
            # Loopback addresses: the relay probes its servers, and no probe leaves the machine.
            ("stun:127.0.0.8:3478", "turn:tau:b1mat@127.0.0.9:3478?transport=udp"),
            [
                {"urls": "stun:127.0.0.8:3478"},
                {
                    "urls": "turn:127.0.0.9:3478?transport=udp",
                    "username": "tau",
                    "credential": "b1mat",
                },
            ],
        ),
    ],
)
async def test_the_bridge_page_gets_the_same_ice_servers(
    tmp_path: Path, flags: tuple[str, ...], expected: list[dict[str, str]]
) -> None:
    import json
    import re

    import httpx

    async with open_runtime(settings_for(tmp_path, ice_servers=flags)) as rt:
        token = point_token(rt.keys.devices, POINT)
        base = f"http://127.0.0.1:{rt.port}"
        async with httpx.AsyncClient(base_url=base, follow_redirects=True) as client:
            page = await client.get(f"/bridge/{POINT}", params={"token": token})
    assert page.status_code == 200, page.text
    found = re.search(r'id="bridge-config"[^>]*>(.*?)</script>', page.text, re.S)
    assert found is not None
    assert json.loads(found.group(1))["ice_servers"] == expected
