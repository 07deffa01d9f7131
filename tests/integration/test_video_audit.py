"""The video actions of ``/api/v1/video/...`` leave an audit row with who did them (issue 9,
point 4); a viewer's attempt is refused and audited as refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from wallsupport import login, running_wall

from command_center.auth import Role

ACTIONS = [
    ("points/hue/mute", {"muted": True}, "video_mute", "hue"),
    ("points/hue/mute", {"muted": False}, "video_unmute", "hue"),
    ("program", {"source": "hue"}, "video_program", "hue"),
    ("pins", {"tile": "tile-hue", "source": "quang-ninh"}, "video_pin", "tile-hue"),
]


@pytest.mark.parametrize("path, body, action, target", ACTIONS, ids=[f"{a[2]}" for a in ACTIONS])
async def test_duty_officer_video_action_is_audited(
    tmp_path: Path, path: str, body: dict[str, Any], action: str, target: str
) -> None:
    async with running_wall(tmp_path) as rt, httpx.AsyncClient(base_url=rt.url) as client:
        officer = await login(client, rt, Role.DUTY_OFFICER)
        r = await client.post(f"/api/v1/video/{path}", json=body, headers=officer)
        assert r.status_code == 200, r.text
        [row] = [e for e in await rt.store.audit(20) if e.action == action]
        assert (row.actor, row.role, row.target) == ("truc-ban", "duty_officer", target)
        assert "refused" not in row.detail


async def test_viewer_video_action_is_refused_and_audited(tmp_path: Path) -> None:
    async with running_wall(tmp_path) as rt, httpx.AsyncClient(base_url=rt.url) as client:
        viewer = await login(client, rt, Role.VIEWER)
        r = await client.post("/api/v1/video/points/hue/mute", json={"muted": True}, headers=viewer)
        assert r.status_code == 403
        [row] = [e for e in await rt.store.audit(20) if e.action == "video_mute"]
        assert row.actor == "xem" and "switch_layout" in row.detail["refused"]
        assert rt.video is not None and "hue" not in rt.video.muted
