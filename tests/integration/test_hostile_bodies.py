"""Bad-input table (issue 10): bodies nested far deeper than any real payload get a 400 in the
error envelope from every JSON route, never a 500 and never a RecursionError in the log."""

from __future__ import annotations

import httpx
import pytest
from wallsupport import agency_auth, login

from command_center.auth import Role
from command_center.server.runtime import WallRuntime

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_SMALL = b"[" * 30_000 + b"]" * 30_000  # under the JSON API's 64 KB
DEEP_TINY = b"[" * 2_000 + b"]" * 2_000  # under sign-in's 4 KB, still past Python's limit
DEEP_IN_OBJECT = b'{"observations": ' + DEEP + b"}"


@pytest.mark.parametrize(
    ("route", "who", "body"),
    [
        ("/api/v1/sessions", None, DEEP_TINY),
        ("/api/v1/switch", "duty", DEEP_SMALL),
        ("/api/v1/focus", "duty", DEEP_SMALL),
        ("/api/v1/observations", "bo_y_te", DEEP_IN_OBJECT),
        ("/api/v1/incidents", "trung_tam_tkcn", DEEP),
    ],
)
async def test_deep_json_is_a_400_naming_the_depth(
    rt: WallRuntime, client: httpx.AsyncClient, route: str, who: str | None, body: bytes
) -> None:
    headers = {"Content-Type": "application/json"}
    if who == "duty":
        headers |= await login(client, rt, Role.DUTY_OFFICER)
    elif who is not None:
        headers |= agency_auth(rt, who)
    r = await client.post(route, content=body, headers=headers)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "bad_request" and "nested too deeply" in error["message"]
    assert (await client.get("/health")).json()["status"] == "ok"  # still serving
