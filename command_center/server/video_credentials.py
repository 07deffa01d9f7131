"""Who is calling a video route, from ``Authorization: Bearer <credential>``.

    <token>                   a bridge point's token, on WHIP only (the point is in the URL)
    point:<id>:<token>        a bridge point (WHEP, control channel)
    screen:<id>:<token>       a wall screen's kiosk token (WHEP, control channel)
    ses.<…> / scp.<…>         a console session or its view-only scoped token (contain '.',
                              never ':'), or the session cookie
    node:<point>:<exp>.<mac>  another wall process pulling that point (``video.node_credential``):
                              accepted only where the route passes ``node_point`` (WHEP of
                              that very point), refused everywhere else

Point tokens are ``video.tokens.point_token``; screen tokens are the kiosk tokens. Where a
token goes, a page may put its short-lived pass instead (``device_cookie.device_pass``).
"""

from __future__ import annotations

from dataclasses import dataclass

from command_center.auth import Permission, Role, authorize
from command_center.errors import AuthError
from command_center.server.device_cookie import check_point, check_screen
from command_center.server.keys import Keys
from command_center.sessions import SCOPE_VIEW, SCOPED_PREFIX, Sessions
from video.node_credential import NODE_KIND, check_node_token, node_key
from video.registry import BridgePointRegistry


@dataclass(frozen=True)
class Caller:
    holder: str  # "point:<id>", "screen:<id>", "user:<name>"
    role: Role
    point: str | None = None  # the bridge point calling, if one is

    def may_operate(self) -> bool:
        """Duty officer or admin: mute, end calls, choose the program, publish as the room."""
        return self.role in (Role.ADMIN, Role.DUTY_OFFICER)


def bearer(header: str) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthError("Authorization header must be 'Bearer <credential>'")
    return value.strip()


async def identify(
    credential: str,
    keys: Keys,
    sessions: Sessions,
    registry: BridgePointRegistry,
    screens: frozenset[str],
    whip_point: str | None = None,
    address: str | None = None,
    node_point: str | None = None,
) -> Caller:
    """The caller behind ``credential``; ``AuthError`` (401) saying what did not match."""
    if ":" not in credential and "." not in credential and whip_point is not None:
        credential = f"point:{whip_point}:{credential}"
    if ":" in credential:
        kind, _, rest = credential.partition(":")
        ident, _, token = rest.rpartition(":")
        if kind == "point":
            if ident in registry and check_point(keys, ident, token, address):
                return Caller(f"point:{ident}", Role.BRIDGE_POINT, ident)
            raise AuthError(f"wrong token for bridge point '{ident}'")
        if kind == NODE_KIND:
            if node_point is None or ident != node_point:
                raise AuthError("a node credential opens only WHEP of its own point")
            if check_node_token(node_key(keys.bus), ident, token):
                return Caller(f"node:{ident}", Role.SCREEN)
            raise AuthError(f"wrong or expired node credential for '{ident}'")
        if kind == "screen":
            if ident in screens and check_screen(keys, ident, token, address):
                return Caller(f"screen:{ident}", Role.SCREEN)
            raise AuthError(f"wrong token for screen '{ident}'")
        raise AuthError(f"unknown credential kind '{kind}' (expected 'point' or 'screen')")
    principal = authorize(await sessions.identify(credential, SCOPE_VIEW), Permission.VIEW_WALL)
    # A scoped token sits in page JavaScript: it watches, whoever it was made for.
    role = Role.VIEWER if credential.startswith(SCOPED_PREFIX) else principal.role
    return Caller(f"user:{principal.name}", role)
