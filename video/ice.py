"""ICE servers: none unless the centre configures them.

aiortc, given no list, asks a public STUN server (stun.l.google.com) for every peer
connection. On the operations centre's closed network that request never returns: each
answer waited ~5 s for it, and each call told a foreign server the centre's address. So
the relay, the headless client and the bridge page get exactly the configured list, which
is empty by default (host candidates only: the right thing on one LAN).

A server is written as one URL (``--ice-server``, repeatable), credentials in its user part:

aiortc (the relay and the headless client) uses the first STUN and the first TURN server of
the list; a browser uses them all.

    stun:stun.centre.gov.vn:3478
    turn:USER:PASSWORD@turn.centre.gov.vn:3478?transport=udp
    turns:USER:PASSWORD@turn.centre.gov.vn:5349?transport=tcp

The answer never waits on a server it cannot reach. aiortc gathers every candidate before
it answers (there is no trickle from a WHIP/WHEP server), and aioice gives a STUN or TURN
server up to 5 s: one unreachable server made every answer 5 s late. So the relay keeps an
``IceServerWatch``: each configured server is probed in the background (a STUN binding
request over UDP, a TCP connection for TCP/TLS transports) and an answer names only the
servers that answered the last probe. A server that goes down costs at most the answers
of one probe interval; one that comes back is used again at the next probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from aioice import stun
from aiortc import RTCIceServer
from aiortc.rtcicetransport import parse_stun_turn_uri

log = logging.getLogger("video.ice")

SCHEMES = ("stun", "turn", "turns")
# scheme ":" [user ":" password "@"] host [":" port] ["?transport=udp|tcp"]
_URL = re.compile(
    r"^(?P<scheme>[a-z]+):(?:(?P<user>[^:@/?]+):(?P<password>[^@/?]+)@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>\d{1,5}))?"
    r"(?:\?transport=(?P<transport>udp|tcp))?$"
)


@dataclass(frozen=True)
class IceServer:
    """One STUN or TURN server; ``url`` without credentials, as RTCIceServer wants it."""

    url: str
    username: str | None = None
    credential: str | None = None

    def for_aiortc(self) -> RTCIceServer:
        return RTCIceServer(self.url, self.username, self.credential)

    def for_browser(self) -> dict[str, Any]:
        """The page's ``RTCPeerConnection({iceServers: [...]})`` entry."""
        entry: dict[str, Any] = {"urls": self.url}
        if self.username is not None:
            entry |= {"username": self.username, "credential": self.credential}
        return entry


def parse_ice_server(text: str) -> IceServer:
    """``ValueError`` naming what is wrong, with the accepted forms."""
    found = _URL.match(text.strip())
    forms = "stun:HOST[:PORT] or turn[s]:USER:PASSWORD@HOST[:PORT][?transport=udp|tcp]"
    if found is None:
        raise ValueError(f"ICE server {text!r} is not a URL of the form {forms}")
    scheme = found["scheme"]
    if scheme not in SCHEMES:
        raise ValueError(f"ICE server scheme must be one of {', '.join(SCHEMES)} (got {scheme!r})")
    port = found["port"]
    if port is not None and not 1 <= int(port) <= 65535:
        raise ValueError(f"ICE server port must be 1-65535 (got {port}) in {text!r}")
    is_turn = scheme.startswith("turn")
    if found["transport"] and not is_turn:
        raise ValueError(f"STUN server {text!r} takes no ?transport= (TURN servers do)")
    if is_turn and found["user"] is None:
        raise ValueError(f"TURN server {text!r} needs credentials: {forms}")
    if not is_turn and found["user"] is not None:
        raise ValueError(f"STUN server {text!r} takes no credentials")
    url = f"{scheme}:{found['host']}" + (f":{port}" if port else "")
    if found["transport"]:
        url += f"?transport={found['transport']}"
    return IceServer(url, found["user"], found["password"])


def aiortc_servers(servers: tuple[IceServer, ...]) -> list[RTCIceServer]:
    """Always a list, never None: None would make aiortc add its public default."""
    return [server.for_aiortc() for server in servers]


@dataclass(frozen=True)
class Endpoint:
    """Where a server listens: host, port and transport (udp or tcp)."""

    host: str
    port: int
    transport: str


def endpoint(server: IceServer) -> Endpoint:
    """aiortc's own reading of the URL (default ports 3478/5349, turns: over TCP)."""
    parsed = parse_stun_turn_uri(server.url)
    host = str(parsed["host"]).strip("[]")
    return Endpoint(host, int(parsed["port"]), str(parsed.get("transport") or "udp"))


class _BindingClient(asyncio.DatagramProtocol):
    def __init__(self, transaction_id: bytes) -> None:
        self.answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transaction_id = transaction_id

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        with contextlib.suppress(ValueError):
            message = stun.parse_message(data)
            if message.transaction_id == self.transaction_id and not self.answered.done():
                self.answered.set_result(None)

    def error_received(self, exc: Exception) -> None:
        if not self.answered.done():  # ICMP unreachable: no need to wait for the timeout
            self.answered.set_exception(exc)


async def probe(server: IceServer, timeout_s: float) -> bool:
    """Whether ``server`` answers within ``timeout_s``: a STUN binding request over UDP
    (STUN and TURN servers both answer one), a TCP connection otherwise."""
    loop = asyncio.get_running_loop()
    where = endpoint(server)
    try:
        async with asyncio.timeout(timeout_s):
            if where.transport == "tcp":
                _, writer = await asyncio.open_connection(where.host, where.port)
                writer.close()
                return True
            request = stun.Message(
                message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST
            )
            transport, client = await loop.create_datagram_endpoint(
                lambda: _BindingClient(request.transaction_id),
                remote_addr=(where.host, where.port),
            )
            try:
                for _ in range(3):  # a lost datagram is not an unreachable server
                    transport.sendto(bytes(request))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(client.answered), timeout_s / 3)
                        return True
                return False
            finally:
                transport.close()
    except (OSError, TimeoutError):
        return False


class IceServerWatch:
    """Which of the configured servers answer now (module docstring). ``usable()`` keeps
    the configured order: aiortc takes the first STUN and the first TURN server, so a
    second server of a kind takes over while the first is down."""

    def __init__(
        self, servers: tuple[IceServer, ...], interval_s: float = 5.0, timeout_s: float = 1.0
    ) -> None:
        self.servers = servers
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._up: dict[IceServer, bool] = {}
        self.checked_at: float | None = None  # time.monotonic() of the last round

    def usable(self) -> tuple[IceServer, ...]:
        return tuple(s for s in self.servers if self._up.get(s, False))

    def down(self) -> tuple[IceServer, ...]:
        return tuple(s for s in self.servers if not self._up.get(s, False))

    async def check(self) -> None:
        """One round: every server probed at once (a round takes at most ``timeout_s``)."""
        answers = await asyncio.gather(*(probe(s, self.timeout_s) for s in self.servers))
        for server, up in zip(self.servers, answers, strict=True):
            if self._up.get(server) != up:
                level = logging.INFO if up else logging.WARNING
                state = "answers" if up else "does not answer: answers go without it"
                log.log(level, "ICE server %s %s", server.url, state)
            self._up[server] = up
        self.checked_at = time.monotonic()

    async def run(self) -> None:
        """Check every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.check()
            except Exception:  # a probe bug must not stop the watch; the last state holds
                log.exception("ICE server probe failed")
