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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiortc import RTCIceServer

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
