"""``GET /api/v1/credentials`` (admin only): every device credential, its key id,
generation, state, last use and the address it was last used from. Never a token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from command_center.auth import Permission
from command_center.credentials import DeviceKind, credential_rows
from command_center.server.http_base import JsonHandler
from command_center.server.keys import Keys
from command_center.store import Store
from feeds.loader import FeedsSpec
from layouts.model import WallSpec
from video.registry import ROOM, BridgePointRegistry


def known_credentials(
    wall: WallSpec, feeds: FeedsSpec, points: BridgePointRegistry
) -> dict[DeviceKind, list[str]]:
    """The credentials the registries name: screens, bridge points (not the room, which
    the console publishes as), reporting agencies."""
    return {
        DeviceKind.SCREEN: [screen.id for screen in wall.screens],
        DeviceKind.BRIDGE: [point for point in points.ids if point != ROOM],
        DeviceKind.AGENCY: list(feeds.agencies.ids),
    }


async def list_credentials(
    keys: Keys, store: Store, known: Mapping[DeviceKind, list[str]]
) -> list[dict[str, Any]]:
    """The rows the API and the admin console show (``credential_rows`` on the live ring)."""
    return await credential_rows(keys.file.current(), store, dict(known))


class CredentialsHandler(JsonHandler):
    def initialize(self, keys: Keys, store: Store, known: Mapping[DeviceKind, list[str]]) -> None:
        self.keys = keys
        self.store = store
        self.known = known

    async def get(self) -> None:
        await self.require(Permission.MANAGE_USERS)
        rows = await list_credentials(self.keys, self.store, self.known)
        self.write_json({"credentials": rows})


CREDENTIALS_ROUTES: list[tuple[str, type[JsonHandler]]] = [
    (r"/api/v1/credentials", CredentialsHandler)
]


def credentials_routes(
    keys: Keys, store: Store, known: Mapping[DeviceKind, list[str]]
) -> list[tuple[str, Any, dict[str, Any]]]:
    args = {"keys": keys, "store": store, "known": known}
    return [(path, handler, args) for path, handler in CREDENTIALS_ROUTES]
