"""``GET /api/v1/credentials``: admin only; every credential with its last use, no token."""

from __future__ import annotations

from pathlib import Path

import httpx
from wallsupport import login, running_wall, screen_client, wait_until

from command_center.auth import Role


async def test_admin_lists_credentials_with_last_use_and_address(tmp_path: Path) -> None:
    async with running_wall(tmp_path) as rt, httpx.AsyncClient(base_url=rt.url) as client:
        token = rt.keys.devices.issue("screen", "left-top")
        async with screen_client(rt, "left-top", token) as screen:
            assert (await screen.recv())["type"] == "welcome"
        assert (await client.get("/api/v1/credentials")).status_code == 401
        viewer = await login(client, rt, Role.VIEWER)
        refused = await client.get("/api/v1/credentials", headers=viewer)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
        admin = await login(client, rt, Role.ADMIN)

        async def rows() -> list[dict[str, object]]:
            r = await client.get("/api/v1/credentials", headers=admin)
            assert r.status_code == 200, r.text
            found: list[dict[str, object]] = r.json()["credentials"]
            return found

        async def used() -> bool:
            return any(row["last_used_at"] for row in await rows())

        await wait_until(used, what="the screen's use recorded")
        listed = await rows()
        by_id = {(row["kind"], row["id"]): row for row in listed}
        screen_row = by_id[("screen", "left-top")]
        assert screen_row["last_address"] == "127.0.0.1"
        assert screen_row["state"] == "active" and screen_row["generation"] == 1
        assert screen_row["kid"] == token.split("-")[0]
        assert by_id[("screen", "right-bottom")]["last_used_at"] is None
        assert {kind for kind, _ in by_id} == {"screen", "bridge", "agency"}
        assert ("bridge", "room") not in by_id  # the room is the console, not a device
        assert token not in str(listed)
        assert await rt.credential_rows() == listed
