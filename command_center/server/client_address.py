"""Who is on the other end: the client address behind a trusted reverse proxy.

``X-Forwarded-For`` is a list any client can write. It is read only when the connection
comes from a proxy named by ``--trusted-proxy CIDR``, and then from the right: each
trusted proxy appended the address it saw, so the rightmost hop that is not one of ours is
the client; everything left of it was written by the client and is ignored. A direct
client's header is ignored entirely.

Rate limits key on ``rate_key``: an IPv6 client controls a whole /64 (SLAAC, privacy
addresses), so its addresses count as one; IPv4 (and IPv4-mapped IPv6) counts per address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from tornado.httputil import HTTPServerRequest
from tornado.web import OutputTransform

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_proxy(text: str) -> Network:
    """``10.0.0.0/8``, ``127.0.0.1`` or ``fd00::/8``; ValueError naming the text otherwise."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValueError(
            f"trusted proxy must be an address or a CIDR block such as 10.0.0.0/8 (got '{text}')"
        ) from None


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


@dataclass(frozen=True)
class ProxyTrust:
    """The proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> ProxyTrust:
        return cls(tuple(parse_proxy(t) for t in texts))

    def trusts(self, address: str) -> bool:
        addr = _address(address)
        return addr is not None and any(addr in net for net in self.networks)

    def client_address(self, peer: str, forwarded_for: str | None) -> str:
        """The client: ``peer`` itself unless it is a trusted proxy, else the rightmost
        hop of ``forwarded_for`` that is not trusted (or the leftmost, when all are)."""
        if not forwarded_for or not self.trusts(peer):
            return peer
        client = peer
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            addr = _address(hop)
            if addr is None:
                # Not an address: a proxy of ours would not write that. Stop at what we know.
                return client
            client = str(addr)
            if not self.trusts(client):
                return client
        return client


def rate_key(address: str) -> str:
    """The unit a rate limit counts: the IPv4 address, or the IPv6 /64 it lies in."""
    addr = _address(address)
    if addr is None:
        return address[:64]
    if isinstance(addr, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((int(addr) >> 64 << 64, 64)))
    return str(addr)


def client_address_transform(trust: ProxyTrust) -> type[OutputTransform]:
    """A Tornado transform class that rewrites ``request.remote_ip`` (and ``protocol``,
    from ``X-Forwarded-Proto``) for every request, Bokeh's and Panel's included, before
    any handler runs: Tornado builds the transforms of a request before executing it."""

    class ClientAddress(OutputTransform):
        def __init__(self, request: HTTPServerRequest) -> None:
            super().__init__(request)
            peer = request.remote_ip or ""
            if not trust.networks or not trust.trusts(peer):
                return
            request.remote_ip = trust.client_address(peer, request.headers.get("X-Forwarded-For"))
            proto = request.headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                request.protocol = proto

    return ClientAddress
