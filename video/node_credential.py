"""The credential one wall process shows another to pull a point's stream (WHEP).

    node:<point>:<expiry>.<mac>    mac = HMAC-SHA256(node key, "<point>:<expiry>")

The node key is derived from the bus key of the shared key file, which every process of
one wall reads and no browser ever gets. The credential names one point and expires in
``NODE_CREDENTIAL_TTL_S``: it opens ``POST /whep/<that point>`` (and its session's PATCH and
DELETE) on a process that holds that point's publisher, and nothing else - no other
source, no control channel, no API route, no page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

NODE_KIND = "node"
NODE_CREDENTIAL_TTL_S = 300.0


def node_key(bus_key: bytes) -> bytes:
    # Its own key: a node credential and a bus signature never stand for each other.
    return hmac.digest(bus_key, b"video-node", hashlib.sha256)


def node_credential(key: bytes, point: str, now: float | None = None) -> str:
    exp = int((time.time() if now is None else now) + NODE_CREDENTIAL_TTL_S)
    return f"{NODE_KIND}:{point}:{exp}.{_mac(key, point, exp)}"


def check_node_token(key: bytes, point: str, token: str, now: float | None = None) -> bool:
    """``token`` (what follows ``node:<point>:``) is good for ``point`` now."""
    exp_text, dot, mac = token.partition(".")
    if not dot or not exp_text.isdigit():
        return False
    exp = int(exp_text)
    if not hmac.compare_digest(_mac(key, point, exp).encode(), mac.encode()):
        return False
    return (time.time() if now is None else now) < exp


def _mac(key: bytes, point: str, exp: int) -> str:
    digest = hmac.digest(key, f"{point}:{exp}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
